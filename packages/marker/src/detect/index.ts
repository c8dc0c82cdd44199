// @arvlite/marker/detect: the marker detection harness and report. Heavy (TensorFlow.js, mind-ar): load it only in
// the jobs that measure detection.
export {
  PHONE_CAMERA,
  markerPyramid,
  renderView,
  projectedWidthPx,
  type CameraModel,
  type ViewSpec,
} from './camera.ts';
export { CORNER_TOLERANCE, MIN_CORNER_ERROR_PX, importMindTarget, viewDetector, type MindTarget } from './run.ts';
export {
  checkGate,
  measureDetection,
  featureHeatmap,
  rangeOf,
  detectionScore,
  DETECTION_THRESHOLD,
  DEFAULT_SAMPLES,
  GATE_DISTANCE_CM,
  DISTANCES_CM,
  TILTS_DEG,
  ROTATIONS_DEG,
  type DetectionInput,
} from './report.ts';
export { testSetImage, TEST_SET_KINDS, type TestSetKind } from './test-set.ts';
export {
  compareWorkingResolutions,
  resolutionTable,
  type ResolutionRow,
  type CompareResolutionsInput,
} from './resolution.ts';
