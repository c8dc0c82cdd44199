// Runs MindAR's detection on rendered camera views exactly as the web viewer's Controller does on a video frame:
// CropDetector.detectMoving (the first frame's crop is the centre one) → Matcher.matchDetection on the target's
// matching keyframes as importData gives them → Estimator.estimate with the Controller's projection (45° vertical
// field of view). A view counts as detected only when that pose puts the marker's corners where they really are.
import type { CropDetector } from 'mind-ar/src/image-target/detector/crop-detector.js';
import type { FeaturePoint } from 'mind-ar/src/image-target/detector/detector.js';
import type { Estimator } from 'mind-ar/src/image-target/estimation/estimator.js';
import type { Matcher } from 'mind-ar/src/image-target/matching/matcher.js';
import { MarkerError } from '../marker-error.ts';
import type { CameraModel, RenderedView } from './camera.ts';
import { loadMindArDetect, type MindArDetect } from './mind-ar-detect.ts';

/**
 * A detection's pose must put every marker corner within this share of the marker's projected diagonal (and at
 * least MIN_CORNER_ERROR_PX) of the true corner; a looser pose is a wrong match, not a detection.
 */
export const CORNER_TOLERANCE = 0.05;
export const MIN_CORNER_ERROR_PX = 4;

export interface MindTarget {
  width: number;
  height: number;
  keyframes: { maximaPoints: Point[]; minimaPoints: Point[]; width: number; height: number; scale: number }[];
}
interface Point {
  x: number;
  y: number;
}

/** The target as the viewer's Controller loads it (CompilerBase.importData on the .mind bytes). */
export async function importMindTarget(mind: Uint8Array): Promise<MindTarget> {
  const { CompilerBase } = await loadMindArDetect();
  let list: unknown[];
  try {
    list = new CompilerBase().importData(mind);
  } catch (cause) {
    throw new MarkerError('COMPILE_FAILED', 'The compiled AR marker could not be loaded.', { cause });
  }
  const first = list[0] as
    { targetImage: { width: number; height: number }; matchingData: MindTarget['keyframes'] } | undefined;
  if (list.length !== 1 || !first) throw new MarkerError('COMPILE_FAILED', 'The compiled AR marker holds no target.');
  return { width: first.targetImage.width, height: first.targetImage.height, keyframes: first.matchingData };
}

export interface ViewDetector {
  /** True when MindAR finds the marker in the view with a pose that matches the truth. */
  detect(view: RenderedView): boolean;
  dispose(): void;
}

export async function viewDetector(camera: CameraModel, target: MindTarget): Promise<ViewDetector> {
  const mindAr = await loadMindArDetect();
  const { widthPx: W, heightPx: H } = camera;
  // Controller's constructor: f from a 45° vertical field of view, whatever the real camera's.
  const f = H / 2 / Math.tan((45 * Math.PI) / 360);
  const projection = [
    [f, 0, W / 2],
    [0, f, H / 2],
    [0, 0, 1],
  ];
  const crop: CropDetector = new mindAr.CropDetector(W, H);
  const matcher: Matcher = new mindAr.Matcher(W, H);
  const estimator: Estimator = new mindAr.Estimator(projection);
  return {
    detect(view) {
      const pose = detectPose(mindAr, crop, matcher, estimator, view.frame, W, H, target);
      if (!pose) return false;
      const mvp = mindAr.buildModelViewProjectionTransform(projection, pose);
      const corners: [number, number][] = [
        [0, 0],
        [target.width, 0],
        [target.width, target.height],
        [0, target.height],
      ];
      const truth = corners.map(([x, y]) => view.project(x, y, target.width, target.height));
      const diagonal = Math.max(
        Math.hypot(truth[2]!.x - truth[0]!.x, truth[2]!.y - truth[0]!.y),
        Math.hypot(truth[3]!.x - truth[1]!.x, truth[3]!.y - truth[1]!.y),
      );
      const tolerance = Math.max(MIN_CORNER_ERROR_PX, CORNER_TOLERANCE * diagonal);
      return corners.every(([x, y], i) => {
        const seen = mindAr.computeScreenCoordiate(mvp, x, y, 0);
        return Math.hypot(seen.x - truth[i]!.x, seen.y - truth[i]!.y) <= tolerance;
      });
    },
    dispose() {
      for (const cache of Object.values(crop.detector.tensorCaches)) {
        for (const tensor of Object.values(cache)) tensor.dispose();
      }
    },
  };
}

function detectPose(
  { tf }: MindArDetect,
  crop: CropDetector,
  matcher: Matcher,
  estimator: Estimator,
  frame: Uint8Array,
  W: number,
  H: number,
  target: MindTarget,
): number[][] | null {
  // The viewer's first detection frame: detectMoving starts with its centre crop (lastRandomIndex 4).
  crop.lastRandomIndex = 4;
  let featurePoints: FeaturePoint[] = [];
  tf.tidy(() => {
    featurePoints = crop.detectMoving(tf.tensor(frame, [H, W], 'float32')).featurePoints;
  });
  const { keyframeIndex, screenCoords, worldCoords } = matcher.matchDetection(target.keyframes, featurePoints);
  if (keyframeIndex === -1 || !screenCoords || !worldCoords) return null;
  return estimator.estimate({ screenCoords, worldCoords });
}
