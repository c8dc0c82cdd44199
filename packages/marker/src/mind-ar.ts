// Loads mind-ar 1.2.5's compiler modules and TensorFlow.js (CPU backend) once per process, lazily: they are heavy.
import { registerHooks } from 'node:module';
import type * as Tf from '@tensorflow/tfjs';
import type { CompilerBase } from 'mind-ar/src/image-target/compiler-base.js';
import type { Detector } from 'mind-ar/src/image-target/detector/detector.js';
import type { buildImageList, buildTrackingImageList } from 'mind-ar/src/image-target/image-list.js';
import type { extractTrackingFeatures } from 'mind-ar/src/image-target/tracker/extract-utils.js';

export interface MindAr {
  tf: typeof Tf;
  CompilerBase: typeof CompilerBase;
  Detector: typeof Detector;
  buildImageList: typeof buildImageList;
  buildTrackingImageList: typeof buildTrackingImageList;
  /** clustering.ts's build: mind-ar's hierarchical-clustering.js build, same answer, faster. */
  hierarchicalClusteringBuild: (options: { points: { descriptors: ArrayLike<number> }[] }) => { rootNode: unknown };
  extractTrackingFeatures: typeof extractTrackingFeatures;
  /** Which shader emulator mind-ar's CPU kernels run on: fast-shader.ts, or mind-ar's own when they were loaded first. */
  shader: 'fast' | 'mind-ar';
}

let loading: Promise<MindAr> | undefined;

export function loadMindAr(): Promise<MindAr> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

const FAKE_SHADER = '/mind-ar/src/image-target/detector/kernels/cpu/fakeShader.js';
const FAST_SHADER = new URL('./fast-shader.ts', import.meta.url).href;
let hooked = false;
let swapped = false;

/**
 * mind-ar's CPU kernels import their shader emulator from ./fakeShader.js; resolve that one module to fast-shader.ts
 * (same results, several times faster: see there). Per thread, before the kernels are first imported.
 */
function useFastShader(): void {
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!resolved.url.endsWith(FAKE_SHADER)) return resolved;
      swapped = true;
      return nextResolve(FAST_SHADER, context);
    },
  });
}

async function load(): Promise<MindAr> {
  useFastShader();
  const [tf, base, detector, imageList, clustering, tracking] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('mind-ar/src/image-target/compiler-base.js'),
    import('mind-ar/src/image-target/detector/detector.js'),
    import('mind-ar/src/image-target/image-list.js'),
    import('./clustering.ts'),
    import('mind-ar/src/image-target/tracker/extract-utils.js'),
  ]);
  // mind-ar's custom detector kernels for the CPU backend (its offline compiler registers the same ones).
  await import('mind-ar/src/image-target/detector/kernels/cpu/index.js');
  // Production mode skips per-op debug checks and the "install tfjs-node" banner; tfjs-node cannot install here.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  await tf.ready();
  return {
    tf,
    CompilerBase: base.CompilerBase,
    Detector: detector.Detector,
    buildImageList: imageList.buildImageList,
    buildTrackingImageList: imageList.buildTrackingImageList,
    hierarchicalClusteringBuild: clustering.build,
    extractTrackingFeatures: tracking.extractTrackingFeatures,
    shader: swapped ? 'fast' : 'mind-ar',
  };
}
