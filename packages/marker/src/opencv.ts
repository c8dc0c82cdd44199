// Loads OpenCV.js (WebAssembly) once per process, lazily, so importing this package stays cheap.
import { createRequire } from 'node:module';

/** The slice of OpenCV.js this package uses; the package's own typings are browser-oriented and very large. */
export interface OpenCv {
  CV_8UC1: number;
  Mat: new () => CvMat;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat;
  ORB: new (nfeatures?: number) => CvFeature2D;
  KeyPointVector: new () => CvKeyPointVector;
}
export interface CvMat {
  delete(): void;
}
export interface CvFeature2D {
  detect(image: CvMat, keypoints: CvKeyPointVector, mask: CvMat): void;
  delete(): void;
}
export interface CvKeyPoint {
  pt: { x: number; y: number };
  response: number;
  size: number;
}
export interface CvKeyPointVector {
  size(): number;
  get(index: number): CvKeyPoint;
  delete(): void;
}

const INIT_TIMEOUT_MS = 30_000;

// Held in a wrapper on purpose: the Emscripten module has a `then` method, so resolving a promise with
// it (or awaiting it) waits on a callback that never comes.
let loading: Promise<{ cv: OpenCv }> | undefined;

export function loadOpenCv(): Promise<{ cv: OpenCv }> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<{ cv: OpenCv }> {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const unhandled = new Set(process.listeners('unhandledRejection'));
  // Loaded with require, not import(): a module namespace holding a `then` export is itself awaited forever.
  const imported = createRequire(import.meta.url)('@techstark/opencv-js') as { default?: unknown };
  // The Node build installs process-wide handlers that rethrow every uncaught exception and abort the
  // WebAssembly runtime on any unhandled rejection anywhere in the process; the host owns those events.
  for (const listener of process.listeners('uncaughtException')) {
    if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!unhandled.has(listener)) process.removeListener('unhandledRejection', listener);
  }
  const module = (imported.default ?? imported) as OpenCv & { onRuntimeInitialized?: () => void };
  if (typeof module.Mat !== 'function') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('OpenCV.js did not initialise')), INIT_TIMEOUT_MS);
      module.onRuntimeInitialized = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  return { cv: module };
}
