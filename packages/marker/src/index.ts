export { MarkerError, isMarkerError, type MarkerErrorCode } from './marker-error.ts';
export {
  normalizeMarker,
  inspectMarkerUpload,
  MIN_SHORT_SIDE_PX,
  MAX_LONG_SIDE_PX,
  THUMBNAIL_LONG_SIDE_PX,
  COMPILE_LONG_SIDE_PX,
  MAX_INPUT_PIXELS,
  MAX_ASPECT_RATIO,
  type GreyImage,
  type NormalizedMarker,
} from './normalize.ts';
export { scoreMarker, ADVICE, type MarkerScore, type MarkerRating } from './score.ts';
export { compileMindTarget, type CompiledMindTarget, type CompileOptions } from './compile.ts';
export { compileMindTargetInThread } from './compile-thread.ts';
export { loadMindFile, MIND_FORMAT_VERSION, type MindFileSummary, type MindTargetSummary } from './mind-file.ts';
export { qrPng, qrSvg, viewerLinks, type QrOptions } from './qr.ts';
