// The detection test set: generated markers measured by the harness (MindAR's own detection on rendered phone-camera
// views). The bounds are what was measured, with margins: a change that makes markers detect worse fails here.
// Heavy (tens of seconds of CPU per report): run it under the heavy lock.
import { markerDetectionReportSchema, type MarkerDetectionReport } from '@arvlite/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE_CAMERA,
  checkGate,
  detectionScore,
  markerPyramid,
  measureDetection,
  rangeOf,
  renderView,
  testSetImage,
  type TestSetKind,
} from '../src/detect/index.ts';
import { MarkerError, compileMindTarget, normalizeMarker } from '../src/index.ts';

const WIDTH_MM = 150;
const prints: Partial<Record<TestSetKind, { pixels: Buffer; mind: Buffer }>> = {};
const reports: Partial<Record<TestSetKind, MarkerDetectionReport>> = {};

async function print(kind: TestSetKind) {
  const { jpeg } = await normalizeMarker(await testSetImage(kind));
  return { pixels: jpeg, mind: (await compileMindTarget(jpeg)).mind };
}

const total = (rows: { rate: number }[]) => rows.reduce((sum, row) => sum + row.rate, 0);
const rateAt = (report: MarkerDetectionReport, distanceCm: number) =>
  report.distance.find((row) => row.distanceCm === distanceCm)!.rate;

describe('marker detection harness', () => {
  beforeAll(async () => {
    for (const kind of ['busy', 'low', 'repetitive', 'symmetric'] as const) prints[kind] = await print(kind);
  }, 300_000);

  it('renders the same camera view for the same seed, another for another seed', async () => {
    const marker = await markerPyramid(prints.busy!.pixels, WIDTH_MM);
    const view = { distanceCm: 40, tiltDeg: 30, rotationDeg: 45, degradation: 'glare' as const };
    const a = renderView(PHONE_CAMERA, marker, { ...view, seed: 1 });
    const b = renderView(PHONE_CAMERA, marker, { ...view, seed: 1 });
    const c = renderView(PHONE_CAMERA, marker, { ...view, seed: 2 });
    expect(a.frame.length).toBe(640 * 480);
    expect(Buffer.from(a.frame).equals(Buffer.from(b.frame))).toBe(true);
    expect(Buffer.from(a.frame).equals(Buffer.from(c.frame))).toBe(false);
    // Head-on at 30 cm a 150 mm print spans 150 / 300 × f px, f = 320 / tan(32.5°) (up to 1 % more: the print's
    // centre is off the optical axis by up to 8 % of the frame, so its plane is a little nearer than 30 cm).
    const head = renderView(PHONE_CAMERA, marker, { distanceCm: 30, tiltDeg: 0, rotationDeg: 0, seed: 3 });
    const left = head.project(0, 384, 1024, 768);
    const right = head.project(1024, 384, 1024, 768);
    const expected = (150 / 300) * (320 / Math.tan((32.5 * Math.PI) / 180));
    expect((right.x - left.x) / expected).toBeGreaterThanOrEqual(1);
    expect((right.x - left.x) / expected).toBeLessThan(1.01);
    expect(Math.abs(right.y - left.y)).toBeLessThan(1e-6);
  });

  it(
    'busy: detected head-on at 30 cm, from 15 cm to 50 cm or more, turned, tilted and degraded',
    { timeout: 600_000 },
    async () => {
      const report = await measureDetection({ ...prints.busy!, widthMm: WIDTH_MM });
      reports.busy = report;
      expect(markerDetectionReportSchema.parse(report)).toEqual(report);
      expect(report.gate).toEqual({ passes: true, headOn30cmRate: 1, threshold: 0.8, samples: 5 });
      expect(report.referenceDistanceCm).toBe(30);
      // Measured: 15–60 cm, 45° (1.0 at 15–60 cm, 0 from 80 cm: the 150 mm print is then under ~95 px on the frame,
      // smaller than MindAR's smallest keyframe, 100 px on the short side).
      expect(report.range.minCm).toBe(15);
      expect(report.range.maxCm).toBeGreaterThanOrEqual(50);
      expect(report.range.maxTiltDeg).toBeGreaterThanOrEqual(30);
      for (const row of report.rotation) expect(row.rate).toBeGreaterThanOrEqual(0.8);
      for (const row of report.degradation) expect(row.rate).toBeGreaterThanOrEqual(0.8);
      expect(rateAt(report, 200)).toBe(0);
      expect(report.weakRegions).toEqual([]);
      expect(report.advice).toEqual([]);
      expect(report.heatmap.cells).toHaveLength(64);
      expect(Math.max(...report.heatmap.cells)).toBe(1);
      expect(Math.min(...report.heatmap.cells)).toBeGreaterThan(0.2);
    },
  );

  it(
    'the gate alone agrees with the report’s 30 cm row; a 60 mm print of the same image fails it',
    { timeout: 300_000 },
    async () => {
      const gate = await checkGate({ ...prints.busy!, widthMm: WIDTH_MM });
      expect(gate).toEqual({ passes: true, headOn30cmRate: 1, threshold: 0.8, samples: 5 });
      // 60 mm at 30 cm is ~100 × 75 px on the frame: below MindAR's smallest keyframe. Measured rate 0.
      const small = await checkGate({ ...prints.busy!, widthMm: 60 });
      expect(small.passes).toBe(false);
      expect(small.headOn30cmRate).toBeLessThanOrEqual(0.4);
    },
  );

  it(
    'low texture: fails the gate, detected nowhere, told to choose another image and where to add texture',
    { timeout: 600_000 },
    async () => {
      const report = await measureDetection({ ...prints.low!, widthMm: WIDTH_MM, samples: 3 });
      reports.low = report;
      markerDetectionReportSchema.parse(report);
      expect(report.gate.passes).toBe(false);
      // Measured: 0 at every distance.
      expect(Math.max(...report.distance.map((row) => row.rate))).toBeLessThanOrEqual(0.34);
      expect(report.range).toEqual({ minCm: null, maxCm: null, maxTiltDeg: null });
      expect(report.weakRegions.length).toBeGreaterThanOrEqual(3);
      expect(report.advice[0]).toEqual({ code: 'CHOOSE_ANOTHER_IMAGE' });
      expect(report.advice).toContainEqual({ code: 'ADD_TEXTURE', region: report.weakRegions[0] });
    },
  );

  it('repetitive: as many features as busy, yet ambiguous matches: fails the gate', { timeout: 600_000 }, async () => {
    const report = await measureDetection({ ...prints.repetitive!, widthMm: WIDTH_MM, samples: 3 });
    reports.repetitive = report;
    expect(report.featurePoints).toBeGreaterThan(reports.busy ? reports.busy.featurePoints / 2 : 1000);
    expect(report.gate.passes).toBe(false);
    // Measured: 0 at every distance.
    expect(Math.max(...report.distance.map((row) => row.rate))).toBeLessThanOrEqual(0.34);
    expect(report.advice[0]).toEqual({ code: 'CHOOSE_ANOTHER_IMAGE' });
  });

  it(
    'symmetric (turned 180° onto itself): passes the gate but is lost when turned over',
    { timeout: 600_000 },
    async () => {
      const report = await measureDetection({ ...prints.symmetric!, widthMm: WIDTH_MM });
      reports.symmetric = report;
      expect(report.gate.passes).toBe(true);
      // Measured: rate 0 at 90° and 180° (busy: 1), 0.6 at 45° tilt (busy: 0.8).
      expect(report.rotation.find((row) => row.rotationDeg === 180)!.rate).toBeLessThanOrEqual(0.4);
      expect(total(report.rotation)).toBeLessThanOrEqual(3);
    },
  );

  it('orders the test set: busy ≥ symmetric > low, repetitive; flat is refused before it is measured', async () => {
    const { busy, symmetric, low, repetitive } = reports;
    expect(busy && symmetric && low && repetitive).toBeTruthy();
    const score = (r: MarkerDetectionReport) =>
      total(r.distance) + total(r.tilt) + total(r.rotation) + total(r.degradation);
    expect(score(busy!)).toBeGreaterThanOrEqual(score(symmetric!) + 1);
    expect(score(symmetric!)).toBeGreaterThan(score(low!) + 5);
    expect(score(symmetric!)).toBeGreaterThan(score(repetitive!) + 5);
    // The measured score (0–100). Measured: busy 76, symmetric 65, low and repetitive 0.
    expect(detectionScore(busy!)).toBeGreaterThanOrEqual(70);
    expect(detectionScore(symmetric!)).toBeLessThanOrEqual(detectionScore(busy!) - 5);
    expect(detectionScore(symmetric!)).toBeGreaterThanOrEqual(50);
    expect(detectionScore(low!)).toBe(0);
    expect(detectionScore(repetitive!)).toBe(0);
    const flat = await compileMindTarget((await normalizeMarker(await testSetImage('flat'))).jpeg).catch(
      (e: unknown) => e,
    );
    expect(flat).toBeInstanceOf(MarkerError);
    expect((flat as MarkerError).code).toBe('NO_FEATURES');
  });

  it('refuses a bad width or a file that is not a compiled target, with a typed error', async () => {
    await expect(checkGate({ ...prints.busy!, widthMm: 0 })).rejects.toBeInstanceOf(MarkerError);
    await expect(checkGate({ ...prints.busy!, widthMm: Number.NaN })).rejects.toBeInstanceOf(MarkerError);
    await expect(checkGate({ ...prints.busy!, samples: 0, widthMm: WIDTH_MM })).rejects.toBeInstanceOf(MarkerError);
    const garbage = await checkGate({
      pixels: prints.busy!.pixels,
      widthMm: WIDTH_MM,
      mind: Buffer.from('not a mind file'),
    }).catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(MarkerError);
    expect((garbage as MarkerError).code).toBe('COMPILE_FAILED');
  });

  it('derives the range from the longest detected run of distances and the tilts detected without a gap', () => {
    const rows = (rates: number[], key: 'distanceCm' | 'tiltDeg', values: number[]) =>
      values.map((value, i) => ({ [key]: value, rate: rates[i]! })) as never[];
    const distance = rows([0.2, 1, 1, 0.6, 1, 1, 1, 0], 'distanceCm', [15, 20, 30, 40, 50, 60, 80, 100]);
    const tilt = rows([1, 1, 0.6, 1, 0], 'tiltDeg', [0, 15, 30, 45, 60]);
    expect(rangeOf(distance, tilt)).toEqual({ minCm: 50, maxCm: 80, maxTiltDeg: 15 });
    expect(rangeOf(rows([0, 0], 'distanceCm', [15, 30]), tilt)).toEqual({ minCm: null, maxCm: null, maxTiltDeg: null });
  });
});
