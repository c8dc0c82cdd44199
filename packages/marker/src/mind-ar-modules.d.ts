// Types for the parts of mind-ar 1.2.5's JavaScript source (no typings of its own) that compile.ts uses.
declare module 'mind-ar/src/image-target/compiler-base.js' {
  export class CompilerBase {
    data: unknown[] | null;
    exportData(): Uint8Array;
    importData(buffer: ArrayBuffer | Uint8Array): unknown[];
  }
}
declare module 'mind-ar/src/image-target/image-list.js' {
  export interface MindImage {
    data: Uint8Array;
    width: number;
    height: number;
    scale: number;
  }
  export function buildImageList(image: { data: Uint8Array; width: number; height: number }): MindImage[];
  export function buildTrackingImageList(image: { data: Uint8Array; width: number; height: number }): MindImage[];
}
declare module 'mind-ar/src/image-target/detector/detector.js' {
  export interface FeaturePoint {
    maxima: boolean;
    x: number;
    y: number;
    scale: number;
    angle: number;
    descriptors: number[];
  }
  export class Detector {
    constructor(width: number, height: number, debugMode?: boolean);
    /** Tensors kept across detect() calls; never disposed by mind-ar itself. */
    tensorCaches: Record<string, Record<string, { dispose(): void }>>;
    detect(input: unknown): { featurePoints: FeaturePoint[] };
  }
}
declare module 'mind-ar/src/image-target/matching/hierarchical-clustering.js' {
  export function build(options: { points: unknown[] }): { rootNode: unknown };
}
declare module 'mind-ar/src/image-target/tracker/extract-utils.js' {
  import type { MindImage } from 'mind-ar/src/image-target/image-list.js';
  export function extractTrackingFeatures(
    imageList: MindImage[],
    doneCallback: (index: number) => void,
  ): (MindImage & { points: { x: number; y: number }[] })[];
}
declare module 'mind-ar/src/image-target/detector/kernels/cpu/index.js';
declare module 'mind-ar/src/image-target/matching/matcher.js' {
  export class Matcher {
    constructor(queryWidth: number, queryHeight: number, debugMode?: boolean);
    matchDetection(
      keyframes: unknown[],
      featurePoints: unknown[],
    ): {
      keyframeIndex: number;
      screenCoords?: { x: number; y: number }[];
      worldCoords?: { x: number; y: number; z: number }[];
    };
  }
}
declare module 'mind-ar/src/image-target/utils/randomizer.js' {
  export function createRandomizer(): unknown;
}
