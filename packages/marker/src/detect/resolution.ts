// Which working resolution (the long side the marker is compiled at) keeps the detection rate over distance?
// Compiles the same print at each size with compileMindTarget and measures it on the same camera views.
import sharp from 'sharp';
import { compileMindTarget } from '../compile.ts';
import { PHONE_CAMERA, markerPyramid, renderView, type CameraModel } from './camera.ts';
import { DEFAULT_SAMPLES, DISTANCES_CM, TILTS_DEG } from './report.ts';
import { importMindTarget, viewDetector } from './run.ts';

export interface ResolutionRow {
  longSidePx: number;
  width: number;
  height: number;
  matchingPoints: number;
  mindBytes: number;
  compileMs: number;
  /** Head-on, per distance (DISTANCES_CM). */
  distance: { distanceCm: number; rate: number }[];
  /** At 30 cm, per tilt (TILTS_DEG). */
  tilt: { tiltDeg: number; rate: number }[];
}

export interface CompareResolutionsInput {
  /** The marker image as printed (normalised: at most 1024 px). */
  pixels: Buffer;
  widthMm: number;
  /** Long sides to compile at, px (each at most the image's own). Default 480, 640, 800, 1024. */
  sizes?: number[];
  samples?: number;
  camera?: CameraModel;
}

export async function compareWorkingResolutions(input: CompareResolutionsInput): Promise<ResolutionRow[]> {
  const camera = input.camera ?? PHONE_CAMERA;
  const samples = input.samples ?? DEFAULT_SAMPLES;
  const marker = await markerPyramid(input.pixels, input.widthMm);
  const rows: ResolutionRow[] = [];
  for (const longSide of input.sizes ?? [480, 640, 800, 1024]) {
    const resized = await sharp(input.pixels)
      .resize({ width: longSide, height: longSide, fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer();
    const compiled = await compileMindTarget(resized);
    const detector = await viewDetector(camera, await importMindTarget(compiled.mind));
    const rate = (distanceCm: number, tiltDeg: number) => {
      let detected = 0;
      for (let sample = 0; sample < samples; sample++) {
        const seed = (distanceCm * 1000 + tiltDeg) * 100 + sample;
        if (detector.detect(renderView(camera, marker, { distanceCm, tiltDeg, rotationDeg: 0, seed }))) detected++;
      }
      return detected / samples;
    };
    try {
      rows.push({
        longSidePx: longSide,
        width: compiled.width,
        height: compiled.height,
        matchingPoints: compiled.matchingPoints,
        mindBytes: compiled.mind.byteLength,
        compileMs: compiled.durationMs,
        distance: DISTANCES_CM.map((distanceCm) => ({ distanceCm, rate: rate(distanceCm, 0) })),
        tilt: TILTS_DEG.map((tiltDeg) => ({ tiltDeg, rate: rate(30, tiltDeg) })),
      });
    } finally {
      detector.dispose();
    }
  }
  return rows;
}

/** The rows as a Markdown table (rates per distance, then per tilt at 30 cm). */
export function resolutionTable(rows: ResolutionRow[]): string {
  const head = [
    'long side',
    'points',
    '.mind KiB',
    'compile ms',
    ...DISTANCES_CM.map((d) => `${d} cm`),
    ...TILTS_DEG.filter((t) => t > 0).map((t) => `${t}°`),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    lines.push(
      `| ${[
        `${row.width}×${row.height}`,
        row.matchingPoints,
        (row.mindBytes / 1024).toFixed(0),
        row.compileMs,
        ...row.distance.map((d) => d.rate.toFixed(1)),
        ...row.tilt.filter((t) => t.tiltDeg > 0).map((t) => t.rate.toFixed(1)),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
