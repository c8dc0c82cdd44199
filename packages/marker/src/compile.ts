// Compiles a MindAR image target (.mind) on the server: mind-ar 1.2.5's own compiler modules, fed with sharp pixels.
//
// MindAR (npm package mind-ar) is © HiuKim Yuen, MIT licence. Its OfflineCompiler needs node-canvas and its
// browser Compiler a Web Worker, so extractMatchingFeatures and the tracking step below repeat the few lines of
// compiler-base.js / offline-compiler.js that drive the imported modules; detection, clustering, tracking
// extraction and the msgpack encoding (exportData) are mind-ar's unchanged code.
import sharp, { type OutputInfo } from 'sharp';
import type { Detector, FeaturePoint } from 'mind-ar/src/image-target/detector/detector.js';
import type { MindImage } from 'mind-ar/src/image-target/image-list.js';
import { greyStandardDeviation } from './grey-stats.ts';
import { MarkerError } from './marker-error.ts';
import { loadMindAr, type MindAr } from './mind-ar.ts';
import { loadMindFile } from './mind-file.ts';
import { MAX_LONG_SIDE_PX, meanGrey, type GreyImage } from './normalize.ts';

export interface CompiledMindTarget {
  /** The .mind file, already loaded back and validated. */
  mind: Buffer;
  matchingPoints: number;
  trackingPoints: number;
  width: number;
  height: number;
  durationMs: number;
}

export interface CompileOptions {
  /** 0–100. */
  onProgress?: (percent: number) => void;
}

/** A grey-level standard deviation below this is a flat colour, rejected before spending seconds compiling it. */
const FLAT_STDEV = 1;

const NO_FEATURES_MESSAGE =
  'This image has no detail an AR camera can recognise. Choose a photo with texture, edges and detail across the whole image.';

/**
 * Compiles one image target from the normalized marker (see normalizeMarker): its grey pixels (`grey`, at the
 * compiler's working resolution), or an upright image file of at most 1024 px.
 */
export async function compileMindTarget(
  image: Buffer | GreyImage,
  options: CompileOptions = {},
): Promise<CompiledMindTarget> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const target = Buffer.isBuffer(image) ? await greyTarget(image) : checkedGrey(image);
  if (greyStandardDeviation(target.data) < FLAT_STDEV) throw new MarkerError('NO_FEATURES', NO_FEATURES_MESSAGE);

  const mindAr = await loadMindAr();
  let mind: Uint8Array;
  try {
    const matchingData = await extractMatchingFeatures(mindAr, mindAr.buildImageList(target), (share) =>
      progress(share * 90),
    );
    const trackingData = mindAr.extractTrackingFeatures(mindAr.buildTrackingImageList(target), () => {});
    const compiler = new mindAr.CompilerBase();
    compiler.data = [{ targetImage: target, matchingData, trackingData }];
    mind = compiler.exportData();
  } catch (cause) {
    throw new MarkerError(
      'COMPILE_FAILED',
      'The image could not be compiled for AR. Try again, or upload a different photo.',
      {
        cause,
      },
    );
  }

  const { targets } = await loadMindFile(mind);
  const [summary] = targets;
  if (targets.length !== 1 || !summary)
    throw new MarkerError('COMPILE_FAILED', 'The compiled AR marker holds no target.');
  if (summary.matchingPoints === 0 || summary.trackingPoints === 0)
    throw new MarkerError('NO_FEATURES', NO_FEATURES_MESSAGE);
  progress(100);
  return {
    mind: Buffer.from(mind.buffer, mind.byteOffset, mind.byteLength),
    matchingPoints: summary.matchingPoints,
    trackingPoints: summary.trackingPoints,
    width: summary.width,
    height: summary.height,
    durationMs: Math.round(performance.now() - started),
  };
}

function checkedGrey(image: GreyImage): GreyImage {
  const { data, width, height } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    data.length !== width * height
  )
    throw new MarkerError('COMPILE_FAILED', `Grey pixels do not match their ${width}×${height} size.`);
  if (Math.max(width, height) > MAX_LONG_SIDE_PX) {
    throw new MarkerError(
      'COMPILE_FAILED',
      `The marker must be normalized to at most ${MAX_LONG_SIDE_PX} px before compiling.`,
    );
  }
  return { data, width, height };
}

async function greyTarget(image: Buffer): Promise<GreyImage> {
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(image)
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new MarkerError(
      'UNSUPPORTED_IMAGE',
      'This file is not an image we can read. Upload a JPEG, PNG or WebP photo.',
      {
        cause,
      },
    );
  }
  const { width, height } = raw.info;
  if (Math.max(width, height) > MAX_LONG_SIDE_PX) {
    throw new MarkerError(
      'COMPILE_FAILED',
      `The marker must be normalized to at most ${MAX_LONG_SIDE_PX} px before compiling.`,
    );
  }
  // Same grey conversion as mind-ar's compiler, so features match what the browser compiler would produce.
  return meanGrey(raw.data, raw.info);
}

/** compiler-base.js `_extractMatchingFeatures`, plus releasing the tensors each Detector keeps. */
async function extractMatchingFeatures(mindAr: MindAr, imageList: MindImage[], onLevel: (share: number) => void) {
  const { tf, Detector, hierarchicalClusteringBuild } = mindAr;
  const keyframes = [];
  for (const [index, image] of imageList.entries()) {
    const detector = new Detector(image.width, image.height);
    try {
      // Yields between pyramid levels so one compile does not hold the event loop for its whole duration.
      await tf.nextFrame();
      let points: FeaturePoint[] = [];
      tf.tidy(() => {
        const input = tf.tensor(image.data, [image.data.length], 'float32').reshape([image.height, image.width]);
        points = detector.detect(input).featurePoints;
      });
      const maximaPoints = points.filter((point) => point.maxima);
      const minimaPoints = points.filter((point) => !point.maxima);
      keyframes.push({
        maximaPoints,
        minimaPoints,
        maximaPointsCluster: hierarchicalClusteringBuild({ points: maximaPoints }),
        minimaPointsCluster: hierarchicalClusteringBuild({ points: minimaPoints }),
        width: image.width,
        height: image.height,
        scale: image.scale,
      });
    } finally {
      disposeDetector(detector);
    }
    onLevel((index + 1) / imageList.length);
  }
  return keyframes;
}

function disposeDetector(detector: Detector): void {
  for (const cache of Object.values(detector.tensorCaches)) {
    for (const tensor of Object.values(cache)) tensor.dispose();
  }
}
