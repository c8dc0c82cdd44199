// Marker feature points over the marker image. The scorer (packages/marker/src/score.ts) returns them as fractions
// (0–1) of the upright, normalized image's width and height, so they scale to any displayed size of that image.

export interface Keypoint {
  x: number;
  y: number;
}

export interface PlacedKeypoint {
  cx: number;
  cy: number;
}

/** Points in the pixel space of an image `width`×`height` (an SVG viewBox over it); malformed points are dropped. */
export function placeKeypoints(
  keypoints: readonly Keypoint[] | null | undefined,
  width: number,
  height: number,
): PlacedKeypoint[] {
  if (!keypoints || !(width > 0) || !(height > 0)) return [];
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return keypoints
    .filter((k) => Number.isFinite(k?.x) && Number.isFinite(k?.y))
    .map((k) => ({ cx: round2(clamp(k.x) * width), cy: round2(clamp(k.y) * height) }));
}

/** A dot radius that reads the same at any resolution: about 0.6% of the image's longer side, at least 1.5 px. */
export function keypointRadius(width: number, height: number): number {
  return Math.max(1.5, round2(Math.max(width, height) * 0.006));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
