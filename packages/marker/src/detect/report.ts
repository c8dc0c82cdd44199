// The marker detection report: how well MindAR detects the marker as printed, measured on rendered camera views
// (camera.ts) with the viewer's own detection code (run.ts), and what the operator can do about it.
import {
  MARKER_DEGRADATIONS,
  MARKER_REGIONS,
  markerDetectionScore,
  type MarkerAdviceCode,
  type MarkerDegradation,
  type MarkerDetectionGate,
  type MarkerDetectionReport,
  type MarkerRegion,
} from '@arvlite/contract';
import { MarkerError } from '../marker-error.ts';
import {
  PHONE_CAMERA,
  markerPyramid,
  renderView,
  type CameraModel,
  type MarkerPyramid,
  type ViewSpec,
} from './camera.ts';
import { importMindTarget, viewDetector, type MindTarget, type ViewDetector } from './run.ts';

/** A condition counts as detected when at least this share of its views is. */
export const DETECTION_THRESHOLD = 0.8;
/** Views per condition (each its own seed: offset from the centre, tilt axis, table, glare spot, noise). */
export const DEFAULT_SAMPLES = 5;
/** The gate: head-on at this distance, at the printed size. */
export const GATE_DISTANCE_CM = 30;
export const DISTANCES_CM = [15, 20, 30, 40, 50, 60, 80, 100, 150, 200] as const;
export const TILTS_DEG = [0, 15, 30, 45, 60] as const;
export const ROTATIONS_DEG = [0, 45, 90, 180] as const;
export const HEATMAP_GRID = 8;
/** A 3×3 region is weak when it holds less than this share of an even spread of the target's features (1/9). */
export const WEAK_REGION_SHARE = 0.35;
/** Detected only up to this tilt: advise holding the phone head-on. */
const SHALLOW_TILT_DEG = 30;
/** Not detected beyond this distance: advise printing larger. */
const SHORT_RANGE_CM = 50;

export interface DetectionInput {
  /** The marker image as printed (the normalised marker: any format sharp reads). */
  pixels: Buffer;
  /** Printed width of the marker, mm. */
  widthMm: number;
  /** The compiled target (.mind bytes). */
  mind: Uint8Array;
  /** Defaults to PHONE_CAMERA. */
  camera?: CameraModel;
  /** Views per condition, default DEFAULT_SAMPLES. */
  samples?: number;
}

interface Measurement {
  camera: CameraModel;
  samples: number;
  target: MindTarget;
  marker: MarkerPyramid;
  detector: ViewDetector;
}

async function prepare(input: DetectionInput): Promise<Measurement> {
  const camera = input.camera ?? PHONE_CAMERA;
  const samples = input.samples ?? DEFAULT_SAMPLES;
  if (!Number.isFinite(input.widthMm) || input.widthMm < 1 || input.widthMm > 100_000) {
    throw new MarkerError('COMPILE_FAILED', 'The printed width of the marker must be between 1 mm and 100 m.');
  }
  if (!Number.isInteger(samples) || samples < 1 || samples > 100) {
    throw new MarkerError('COMPILE_FAILED', 'Detection samples must be a whole number from 1 to 100.');
  }
  const target = await importMindTarget(input.mind);
  let marker: MarkerPyramid;
  try {
    marker = await markerPyramid(input.pixels, input.widthMm);
  } catch (cause) {
    throw new MarkerError('UNSUPPORTED_IMAGE', 'The marker image could not be read.', { cause });
  }
  return { camera, samples, target, marker, detector: await viewDetector(camera, target) };
}

/** Share of `samples` seeded views of one condition in which the marker is detected with the right pose. */
async function rate(m: Measurement, view: Omit<ViewSpec, 'seed'>): Promise<number> {
  let detected = 0;
  for (let sample = 0; sample < m.samples; sample++) {
    const rendered = renderView(m.camera, m.marker, { ...view, seed: conditionSeed(view, sample) });
    if (m.detector.detect(rendered)) detected++;
    // Renders and detections take a few hundred ms each: let other work on the event loop run between them.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return detected / m.samples;
}

/** The same condition and sample always get the same seed, so the gate and the report's 30 cm row agree. */
function conditionSeed(view: Omit<ViewSpec, 'seed'>, sample: number): number {
  const key = `${view.distanceCm}|${view.tiltDeg}|${view.rotationDeg}|${view.degradation ?? ''}|${sample}`;
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return hash >>> 0;
}

const headOn = (distanceCm: number) => ({ distanceCm, tiltDeg: 0, rotationDeg: 0 });

/** The gate only: is the marker detected head-on at 30 cm at its printed size? (A few views: about a second.) */
export async function checkGate(input: DetectionInput): Promise<MarkerDetectionGate> {
  const m = await prepare(input);
  try {
    return gateOf(await rate(m, headOn(GATE_DISTANCE_CM)), m.samples);
  } finally {
    m.detector.dispose();
  }
}

function gateOf(headOn30cmRate: number, samples: number): MarkerDetectionGate {
  return { passes: headOn30cmRate >= DETECTION_THRESHOLD, headOn30cmRate, threshold: DETECTION_THRESHOLD, samples };
}

/** The full report: every distance, tilt, rotation and degradation (about a hundred views: tens of seconds). */
export async function measureDetection(input: DetectionInput): Promise<MarkerDetectionReport> {
  const started = performance.now();
  const m = await prepare(input);
  try {
    const distance: MarkerDetectionReport['distance'] = [];
    for (const distanceCm of DISTANCES_CM) distance.push({ distanceCm, rate: await rate(m, headOn(distanceCm)) });
    const at30 = distance.find((row) => row.distanceCm === GATE_DISTANCE_CM)!.rate;

    // Tilt, rotation and degradation are measured at 30 cm, or at the detected distance nearest to it.
    const passing = distance.filter((row) => row.rate >= DETECTION_THRESHOLD);
    const reference =
      at30 >= DETECTION_THRESHOLD || passing.length === 0
        ? distance.find((row) => row.distanceCm === GATE_DISTANCE_CM)!
        : passing.toSorted(
            (a, b) => Math.abs(a.distanceCm - GATE_DISTANCE_CM) - Math.abs(b.distanceCm - GATE_DISTANCE_CM),
          )[0]!;
    const referenceDistanceCm = reference.distanceCm;

    const tilt: MarkerDetectionReport['tilt'] = [];
    for (const tiltDeg of TILTS_DEG) {
      tilt.push({
        tiltDeg,
        rate:
          tiltDeg === 0 ? reference.rate : await rate(m, { distanceCm: referenceDistanceCm, tiltDeg, rotationDeg: 0 }),
      });
    }
    const rotation: MarkerDetectionReport['rotation'] = [];
    for (const rotationDeg of ROTATIONS_DEG) {
      rotation.push({
        rotationDeg,
        rate:
          rotationDeg === 0
            ? reference.rate
            : await rate(m, { distanceCm: referenceDistanceCm, tiltDeg: 0, rotationDeg }),
      });
    }
    const degradation: MarkerDetectionReport['degradation'] = [];
    for (const kind of MARKER_DEGRADATIONS) {
      degradation.push({ kind, rate: await rate(m, { ...headOn(referenceDistanceCm), degradation: kind }) });
    }

    const range = rangeOf(distance, tilt);
    const { cells, regionShares } = featureHeatmap(m.target);
    const weakRegions = MARKER_REGIONS.filter((_, i) => regionShares[i]! < WEAK_REGION_SHARE / 9);
    const gate = gateOf(at30, m.samples);
    return {
      version: 1,
      camera: { ...m.camera },
      widthMm: input.widthMm,
      threshold: DETECTION_THRESHOLD,
      samples: m.samples,
      referenceDistanceCm,
      distance,
      tilt,
      rotation,
      degradation,
      range,
      heatmap: { cols: HEATMAP_GRID, rows: HEATMAP_GRID, cells },
      weakRegions,
      advice: adviceOf({ range, gate, reference: reference.rate, degradation, weakRegions }),
      gate,
      featurePoints: m.target.keyframes.reduce((n, k) => n + k.maximaPoints.length + k.minimaPoints.length, 0),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    m.detector.dispose();
  }
}

/**
 * The detected range: the longest run of neighbouring distances detected at the threshold (the nearer run on a tie),
 * and the largest tilt up to which every measured tilt is detected at the reference distance.
 */
export function rangeOf(
  distance: MarkerDetectionReport['distance'],
  tilt: MarkerDetectionReport['tilt'],
): MarkerDetectionReport['range'] {
  let best: { from: number; to: number } | undefined;
  let start = -1;
  distance.forEach((row, i) => {
    const ok = row.rate >= DETECTION_THRESHOLD;
    if (ok && start === -1) start = i;
    if (ok && (i === distance.length - 1 || distance[i + 1]!.rate < DETECTION_THRESHOLD)) {
      if (!best || i - start > best.to - best.from) best = { from: start, to: i };
      start = -1;
    }
  });
  let maxTiltDeg: number | null = null;
  for (const row of tilt.toSorted((a, b) => a.tiltDeg - b.tiltDeg)) {
    if (row.rate < DETECTION_THRESHOLD) break;
    maxTiltDeg = row.tiltDeg;
  }
  return {
    minCm: best ? distance[best.from]!.distanceCm : null,
    maxCm: best ? distance[best.to]!.distanceCm : null,
    maxTiltDeg: best ? maxTiltDeg : null,
  };
}

/**
 * Where the target's matching features are (all keyframes, each point at its place in the image): a HEATMAP_GRID²
 * density grid scaled so the densest cell is 1, and each 3×3 region's share of all points (row by row).
 */
export function featureHeatmap(target: MindTarget): { cells: number[]; regionShares: number[] } {
  const counts = new Array<number>(HEATMAP_GRID * HEATMAP_GRID).fill(0);
  const regions = new Array<number>(9).fill(0);
  let total = 0;
  for (const keyframe of target.keyframes) {
    for (const point of [...keyframe.maximaPoints, ...keyframe.minimaPoints]) {
      const x = Math.min(0.9999, Math.max(0, point.x / keyframe.width));
      const y = Math.min(0.9999, Math.max(0, point.y / keyframe.height));
      counts[Math.floor(y * HEATMAP_GRID) * HEATMAP_GRID + Math.floor(x * HEATMAP_GRID)]! += 1;
      regions[Math.floor(y * 3) * 3 + Math.floor(x * 3)]! += 1;
      total++;
    }
  }
  const max = Math.max(1, ...counts);
  return {
    cells: counts.map((count) => Math.round((count / max) * 1000) / 1000),
    regionShares: regions.map((count) => (total === 0 ? 0 : count / total)),
  };
}

function adviceOf(facts: {
  range: MarkerDetectionReport['range'];
  gate: MarkerDetectionGate;
  reference: number;
  degradation: MarkerDetectionReport['degradation'];
  weakRegions: MarkerRegion[];
}): MarkerDetectionReport['advice'] {
  const { range, gate, reference, degradation, weakRegions } = facts;
  const advice: MarkerDetectionReport['advice'] = [];
  const add = (code: MarkerAdviceCode, region?: MarkerRegion) => advice.push(region ? { code, region } : { code });
  const fails = (kind: MarkerDegradation) =>
    reference >= DETECTION_THRESHOLD && degradation.find((row) => row.kind === kind)!.rate < DETECTION_THRESHOLD;

  if (range.maxCm === null) add('CHOOSE_ANOTHER_IMAGE');
  // Detection follows the marker's size on the camera image: a larger print is detected from farther away.
  else if (!gate.passes || range.maxCm < SHORT_RANGE_CM) add('PRINT_LARGER');
  for (const region of weakRegions) add('ADD_TEXTURE', region);
  if (fails('glare')) add('AVOID_GLOSSY');
  if (fails('dim')) add('IMPROVE_CONTRAST');
  if (fails('blur')) add('BOLDER_DETAIL');
  if (range.maxTiltDeg !== null && range.maxTiltDeg < SHALLOW_TILT_DEG) add('VIEW_HEAD_ON');
  return advice.slice(0, 16);
}

/** The calibrated 0–100 score of a report (defined in the contract, so the dashboard computes the same). */
export function detectionScore(report: MarkerDetectionReport): number {
  return markerDetectionScore(report);
}
