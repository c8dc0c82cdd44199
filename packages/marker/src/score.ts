// Quick trackability score of a marker image from ORB feature points: how many, how spread out, how contrasted.
import sharp from 'sharp';
import { greyStandardDeviation } from './grey-stats.ts';
import { loadOpenCv, type CvKeyPoint } from './opencv.ts';

/** The image is analysed at this size so scores do not depend on the upload's resolution. */
const ANALYSIS_LONG_SIDE_PX = 512;
const MAX_FEATURES = 1000;
/** Feature count at which texture stops adding to the score. */
const FULL_TEXTURE_FEATURES = 400;
const GRID = 8;
/** Points per grid cell for the cell to count as covered (one stray point does not make a region trackable). */
const MIN_POINTS_PER_CELL = 2;
/** Standard deviation of grey levels (0–255) at which contrast stops adding to the score. */
const FULL_CONTRAST_STDEV = 50;
const MAX_KEYPOINTS_RETURNED = 500;

export type MarkerRating = 'good' | 'fair' | 'poor' | 'unusable';

export interface MarkerScore {
  /** 0–100. */
  score: number;
  rating: MarkerRating;
  /** Human advice, most important first; empty for a good marker. */
  advice: string[];
  featureCount: number;
  /** Share of the GRID×GRID cells holding features, 0–1. */
  coverage: number;
  /** Standard deviation of grey levels, 0–255. */
  contrast: number;
  /** Strongest features, x and y in 0–1 of the image's width and height, to draw over the image. */
  keypoints: { x: number; y: number }[];
}

export const ADVICE = {
  noFeatures: 'No detail found: the image is a flat colour. Choose a photo with texture, edges and detail.',
  lowTexture: 'Low texture: choose a photo with more detail.',
  concentrated: 'Features are concentrated in one area: choose a photo with detail across the whole image.',
  lowContrast: 'Low contrast: choose a photo with stronger differences between light and dark areas.',
} as const;

export async function scoreMarker(image: Buffer): Promise<MarkerScore> {
  const { data, info } = await sharp(image)
    .autoOrient()
    .resize({ width: ANALYSIS_LONG_SIDE_PX, height: ANALYSIS_LONG_SIDE_PX, fit: 'inside' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const keypoints = await detectKeypoints(data, width, height);
  const contrast = greyStandardDeviation(data);

  const counts = new Uint16Array(GRID * GRID);
  for (const { pt } of keypoints) {
    const col = Math.min(GRID - 1, Math.floor((pt.x / width) * GRID));
    const row = Math.min(GRID - 1, Math.floor((pt.y / height) * GRID));
    counts[row * GRID + col]! += 1;
  }
  const coverage = counts.filter((count) => count >= MIN_POINTS_PER_CELL).length / counts.length;
  const featureCount = keypoints.length;

  const texture = Math.min(1, featureCount / FULL_TEXTURE_FEATURES);
  const contrastShare = Math.min(1, contrast / FULL_CONTRAST_STDEV);
  const score = featureCount === 0 ? 0 : Math.round(100 * (0.5 * texture + 0.35 * coverage + 0.15 * contrastShare));

  const advice: string[] = [];
  if (featureCount === 0) advice.push(ADVICE.noFeatures);
  else {
    if (texture < 0.5) advice.push(ADVICE.lowTexture);
    if (coverage < 0.5) advice.push(ADVICE.concentrated);
    if (contrastShare < 0.5) advice.push(ADVICE.lowContrast);
  }

  return {
    score,
    rating: featureCount === 0 ? 'unusable' : score >= 70 ? 'good' : score >= 40 ? 'fair' : 'poor',
    advice,
    featureCount,
    coverage,
    contrast: Math.round(contrast * 10) / 10,
    keypoints: keypoints
      .toSorted((a, b) => b.response - a.response)
      .slice(0, MAX_KEYPOINTS_RETURNED)
      .map(({ pt }) => ({ x: round4(pt.x / width), y: round4(pt.y / height) })),
  };
}

async function detectKeypoints(grey: Buffer, width: number, height: number): Promise<CvKeyPoint[]> {
  const { cv } = await loadOpenCv();
  // WebAssembly memory is not garbage-collected: every OpenCV object is deleted explicitly.
  const mat = cv.matFromArray(height, width, cv.CV_8UC1, grey);
  const mask = new cv.Mat();
  const orb = new cv.ORB(MAX_FEATURES);
  const found = new cv.KeyPointVector();
  try {
    orb.detect(mat, found, mask);
    const keypoints: CvKeyPoint[] = [];
    for (let i = 0; i < found.size(); i++) {
      const { pt, response, size } = found.get(i);
      keypoints.push({ pt: { x: pt.x, y: pt.y }, response, size });
    }
    return keypoints;
  } finally {
    found.delete();
    orb.delete();
    mask.delete();
    mat.delete();
  }
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
