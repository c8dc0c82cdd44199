// Which images can become a marker, and how large.
import { z } from 'zod';

/** Accepted marker images, by content type, with the extensions a picker may offer. */
export const MARKER_EXTENSIONS = {
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
  'image/webp': ['.webp'],
} as const;
export type MarkerContentType = keyof typeof MARKER_EXTENSIONS;
export const MARKER_CONTENT_TYPES = Object.keys(MARKER_EXTENSIONS) as [MarkerContentType, ...MarkerContentType[]];
export const markerContentTypeSchema = z.enum(MARKER_CONTENT_TYPES, {
  message: 'expected image/jpeg, image/png or image/webp',
});

/** Largest marker upload accepted. */
export const MARKER_MAX_BYTES = 20 * 1024 * 1024;

/** The file's image type, from its MIME type or else its extension; null when it is not one we take. */
export function markerContentTypeOf(file: { name: string; type?: string | null }): MarkerContentType | null {
  if (file.type && file.type in MARKER_EXTENSIONS) return file.type as MarkerContentType;
  const ext = /\.[a-z0-9]+$/i.exec(file.name)?.[0]?.toLowerCase() ?? '';
  const found = MARKER_CONTENT_TYPES.find((t) => (MARKER_EXTENSIONS[t] as readonly string[]).includes(ext));
  return found ?? null;
}

// ── The marker detection report (@arvlite/marker's detection harness): measured on generated camera views. ──

/** What the report advises the operator to do, most important first. */
export const MARKER_ADVICE_CODES = [
  /** Not detected from far enough (or not at 30 cm) at its printed size: print it larger. */
  'PRINT_LARGER',
  /** A region of the image holds few features: add texture there (the advice names the region). */
  'ADD_TEXTURE',
  /** A glare spot breaks detection: print on matte paper, avoid glossy paper and glass. */
  'AVOID_GLOSSY',
  /** Dim light breaks detection: raise the contrast of the image. */
  'IMPROVE_CONTRAST',
  /** Detected only near head-on: the image is hard to match when tilted. */
  'VIEW_HEAD_ON',
  /** Detection breaks with motion blur: choose an image with larger, bolder detail. */
  'BOLDER_DETAIL',
  /** Detected badly even head-on at 30 cm: choose another image. */
  'CHOOSE_ANOTHER_IMAGE',
] as const;
export type MarkerAdviceCode = (typeof MARKER_ADVICE_CODES)[number];

/** The 3×3 regions of a marker image, row by row. */
export const MARKER_REGIONS = [
  'top-left',
  'top-center',
  'top-right',
  'middle-left',
  'middle-center',
  'middle-right',
  'bottom-left',
  'bottom-center',
  'bottom-right',
] as const;
export type MarkerRegion = (typeof MARKER_REGIONS)[number];

export const MARKER_DEGRADATIONS = ['blur', 'noise', 'dim', 'glare'] as const;
export type MarkerDegradation = (typeof MARKER_DEGRADATIONS)[number];

/** Share of the sampled camera views in which the marker was detected, 0–1. */
const detectionRate = z.number().min(0).max(1);
const samples = z.int().min(1).max(100);

/** The gate: detected head-on at 30 cm at its printed size, at least `threshold` of the time. */
export const markerDetectionGateSchema = z.strictObject({
  passes: z.boolean(),
  headOn30cmRate: detectionRate,
  threshold: detectionRate,
  samples,
});
export type MarkerDetectionGate = z.infer<typeof markerDetectionGateSchema>;

export const markerDetectionReportSchema = z.strictObject({
  version: z.literal(1),
  /** The phone camera the views are rendered for (video frames as the web viewer feeds them to MindAR). */
  camera: z.strictObject({
    widthPx: z.int().min(1).max(8192),
    heightPx: z.int().min(1).max(8192),
    horizontalFovDeg: z.number().min(1).max(179),
  }),
  /** Printed width of the marker the views were rendered at. */
  widthMm: z.number().min(1).max(100_000),
  /** A condition counts as "detected" at or above this rate. */
  threshold: detectionRate,
  /** Seeded views measured per condition. */
  samples,
  /** Distance of the tilt, rotation and degradation rows (head-on rows vary it). */
  referenceDistanceCm: z.number().min(1).max(10_000),
  /** Head-on, by camera-to-marker distance. */
  distance: z.array(z.strictObject({ distanceCm: z.number().min(1).max(10_000), rate: detectionRate })).max(32),
  /** By tilt of the print away from the camera, at the reference distance. */
  tilt: z.array(z.strictObject({ tiltDeg: z.number().min(0).max(90), rate: detectionRate })).max(16),
  /** By in-plane rotation, head-on at the reference distance. */
  rotation: z.array(z.strictObject({ rotationDeg: z.number().min(-180).max(360), rate: detectionRate })).max(16),
  /** Head-on at the reference distance, with one degradation each. */
  degradation: z.array(z.strictObject({ kind: z.enum(MARKER_DEGRADATIONS), rate: detectionRate })).max(8),
  /** "Detected from minCm to maxCm at its printed size, up to maxTiltDeg tilt"; nulls when never detected. */
  range: z.strictObject({
    minCm: z.number().min(0).max(10_000).nullable(),
    maxCm: z.number().min(0).max(10_000).nullable(),
    maxTiltDeg: z.number().min(0).max(90).nullable(),
  }),
  /** Feature density of the compiled target, row by row, each cell 0–1 (1 = the densest cell). */
  heatmap: z.strictObject({
    cols: z.int().min(1).max(16),
    rows: z.int().min(1).max(16),
    cells: z.array(z.number().min(0).max(1)).max(256),
  }),
  /** 3×3 regions with few features. */
  weakRegions: z.array(z.enum(MARKER_REGIONS)).max(9),
  advice: z
    .array(z.strictObject({ code: z.enum(MARKER_ADVICE_CODES), region: z.enum(MARKER_REGIONS).optional() }))
    .max(16),
  gate: markerDetectionGateSchema,
  /** Matching feature points of the compiled target (all levels). */
  featurePoints: z.int().min(0).max(1_000_000),
  /** Wall time the measurement took. */
  durationMs: z.int().min(0).max(86_400_000),
});
export type MarkerDetectionReport = z.infer<typeof markerDetectionReportSchema>;

/**
 * A 0–100 score from the measured report (calibrated against detection, unlike the ORB feature score `score`): half
 * from the distances it is detected at (15 cm to 2 m, so only a large print scores the whole half), the rest from tilt,
 * rotation and degradations at the reference distance; 0 when it is detected nowhere. On the marker test set (150 mm
 * prints): busy 76, symmetric 65, low texture and repetitive 0, while the ORB score gives them 95, 92, 14 and 98.
 */
export function markerDetectionScore(report: MarkerDetectionReport): number {
  const mean = (rows: { rate: number }[]) =>
    rows.length === 0 ? 0 : rows.reduce((s, r) => s + r.rate, 0) / rows.length;
  if (report.range.maxCm === null) return 0;
  return Math.round(
    100 *
      (0.5 * mean(report.distance) +
        0.2 * mean(report.tilt) +
        0.15 * mean(report.rotation) +
        0.15 * mean(report.degradation)),
  );
}
