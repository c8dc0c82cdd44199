// Types for the parts of mind-ar 1.2.5's JavaScript source the detection harness runs (the viewer's detection path).
declare module 'mind-ar/src/image-target/detector/crop-detector.js' {
  import type { Detector, FeaturePoint } from 'mind-ar/src/image-target/detector/detector.js';
  export class CropDetector {
    constructor(width: number, height: number, debugMode?: boolean);
    cropSize: number;
    detector: Detector;
    lastRandomIndex: number;
    detect(input: unknown): { featurePoints: FeaturePoint[] };
    detectMoving(input: unknown): { featurePoints: FeaturePoint[] };
  }
}
declare module 'mind-ar/src/image-target/estimation/estimator.js' {
  export type Matrix34 = number[][];
  export class Estimator {
    constructor(projectionTransform: number[][]);
    estimate(input: {
      screenCoords: { x: number; y: number }[];
      worldCoords: { x: number; y: number; z: number }[];
    }): Matrix34 | null;
  }
}
declare module 'mind-ar/src/image-target/estimation/utils.js' {
  export function buildModelViewProjectionTransform(projection: number[][], modelView: number[][]): number[][];
  export function computeScreenCoordiate(
    modelViewProjection: number[][],
    x: number,
    y: number,
    z: number,
  ): { x: number; y: number };
}
