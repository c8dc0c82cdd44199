// Types for the part of mind-ar 1.2.5's browser build (no typings of its own) that the camera view uses.
declare module 'mind-ar/dist/mindar-image.prod.js' {
  export type MindArUpdate =
    { type: 'updateMatrix'; targetIndex: number; worldMatrix: number[] | null } | { type: 'processDone' };

  export class Controller {
    constructor(opts: {
      inputWidth: number;
      inputHeight: number;
      onUpdate?: (data: MindArUpdate) => void;
      maxTrack?: number;
      filterMinCF?: number | null;
      filterBeta?: number | null;
      warmupTolerance?: number | null;
      missTolerance?: number | null;
    });
    /** Parses a compiled .mind file; `dimensions` holds each target's [width, height] in image pixels. */
    addImageTargetsFromBuffer(buffer: ArrayBuffer): { dimensions: [number, number][] };
    /** Column-major OpenGL projection for the input size (vertical field of view 45°). */
    getProjectionMatrix(): number[];
    /**
     * Runs the detector and tracker once, so the WebGL kernels compile before the first real frame. Any drawable of the
     * input size will do (its width/height attributes are read): a blank canvas warms up before the camera is granted.
     */
    dummyRun(input: HTMLVideoElement | HTMLCanvasElement): void;
    /** Loops over frames of `input` (whose width/height attributes must be the input size) until stopped. */
    processVideo(input: HTMLVideoElement): void;
    stopProcessVideo(): void;
    /** Stops processing and closes the matching worker. */
    dispose(): void;
  }
}

// mind-ar 1.2.5's one-euro filter (src/libs/one-euro-filter.js): the steadiness test compares ours with it.
declare module 'mind-ar/src/libs/one-euro-filter.js' {
  export class OneEuroFilter {
    constructor(opts: { minCutOff: number; beta: number });
    reset(): void;
    /** `t` in milliseconds (MindAR passes Date.now()). */
    filter(t: number, x: number[]): number[];
  }
}
