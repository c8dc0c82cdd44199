// The viewer's detection path from mind-ar 1.2.5, loaded in Node on the same TensorFlow.js backend as the compiler.
import type { CropDetector } from 'mind-ar/src/image-target/detector/crop-detector.js';
import type { Estimator } from 'mind-ar/src/image-target/estimation/estimator.js';
import type {
  buildModelViewProjectionTransform,
  computeScreenCoordiate,
} from 'mind-ar/src/image-target/estimation/utils.js';
import type { Matcher } from 'mind-ar/src/image-target/matching/matcher.js';
import { loadMindAr, type MindAr } from '../mind-ar.ts';

export interface MindArDetect extends MindAr {
  CropDetector: typeof CropDetector;
  Matcher: typeof Matcher;
  Estimator: typeof Estimator;
  buildModelViewProjectionTransform: typeof buildModelViewProjectionTransform;
  computeScreenCoordiate: typeof computeScreenCoordiate;
}

let loading: Promise<MindArDetect> | undefined;

export function loadMindArDetect(): Promise<MindArDetect> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<MindArDetect> {
  // loadMindAr sets up TensorFlow.js (CPU backend) and registers mind-ar's detector kernels for it.
  const [mindAr, crop, matcher, estimator, utils] = await Promise.all([
    loadMindAr(),
    import('mind-ar/src/image-target/detector/crop-detector.js'),
    import('mind-ar/src/image-target/matching/matcher.js'),
    import('mind-ar/src/image-target/estimation/estimator.js'),
    import('mind-ar/src/image-target/estimation/utils.js'),
  ]);
  return {
    ...mindAr,
    CropDetector: crop.CropDetector,
    Matcher: matcher.Matcher,
    Estimator: estimator.Estimator,
    buildModelViewProjectionTransform: utils.buildModelViewProjectionTransform,
    computeScreenCoordiate: utils.computeScreenCoordiate,
  };
}
