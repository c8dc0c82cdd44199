// The codes clients turn into words: why a video failed, why an upload cannot go on, why a code shows nothing.

/** Why a step failed, by step kind; anything else is PROCESSING_FAILED. */
const STEP_FAILURE_CODES = {
  probe: 'INVALID_MEDIA',
  playable: 'ENCODE_FAILED',
  rendition: 'ENCODE_FAILED',
  images: 'IMAGES_FAILED',
  analysis: 'ANALYSIS_FAILED',
  finalize: 'FINALIZE_FAILED',
} as const;

/** Every `failure.code` a video can carry. */
export const VIDEO_FAILURE_CODES = [
  'INVALID_MEDIA',
  'ENCODE_FAILED',
  'IMAGES_FAILED',
  'ANALYSIS_FAILED',
  'FINALIZE_FAILED',
  'PROCESSING_FAILED',
  'ORIGINAL_MISSING',
  'UNSUPPORTED_MEDIA',
  'UPLOAD_SIZE_MISMATCH',
  'UPLOAD_CHANGED',
  'UPLOAD_EXPIRED',
  'UPLOAD_ABORTED',
  'DELETED',
  /** The outputs would take the company past its storage quota; they were removed. */
  'QUOTA_EXCEEDED',
  /** An ffmpeg run passed MEDIA_FFMPEG_TIMEOUT_S and was stopped. */
  'PROCESSING_TIMEOUT',
  /** Longer than MEDIA_MAX_DURATION_S. */
  'VIDEO_TOO_LONG',
  /** More pixels per second (width × height × fps) than MEDIA_MAX_PIXEL_RATE. */
  'VIDEO_TOO_LARGE',
] as const;
export type VideoFailureCode = (typeof VIDEO_FAILURE_CODES)[number];

/** What a step of this name failing means to a person. */
export function stepFailureCode(step: string): VideoFailureCode {
  const kind = step.startsWith('rendition:') ? 'rendition' : step;
  return Object.hasOwn(STEP_FAILURE_CODES, kind)
    ? STEP_FAILURE_CODES[kind as keyof typeof STEP_FAILURE_CODES]
    : 'PROCESSING_FAILED';
}

/** Upload refusals that sending the same bytes again cannot fix. */
export const FINAL_UPLOAD_REASONS = [
  'UNSUPPORTED_MEDIA',
  'UPLOAD_SIZE_MISMATCH',
  'UPLOAD_CHANGED',
  'UPLOAD_EXPIRED',
] as const;
export function isFinalUploadReason(reason: unknown): boolean {
  return typeof reason === 'string' && (FINAL_UPLOAD_REASONS as readonly string[]).includes(reason);
}

/** Why a marker could not be made from an upload. */
export const MARKER_FAILURE_CODES = [
  'UNSUPPORTED_IMAGE',
  'IMAGE_TOO_SMALL',
  /** More pixels than MAX_INPUT_PIXELS (packages/marker): refused from the header, before decoding. */
  'IMAGE_TOO_LARGE',
  /** A panorama strip: the long side more than 4 times the short one. */
  'EXTREME_ASPECT_RATIO',
  /** An animated WebP or APNG: a marker is one printed picture. */
  'ANIMATED_IMAGE',
  'NO_FEATURES',
  'COMPILE_FAILED',
  'UPLOAD_MISSING',
  'UPLOAD_TOO_LARGE',
  'UPLOAD_SIZE_MISMATCH',
  'UPLOAD_CHANGED',
  'MARKER_FAILED',
] as const;
export type MarkerFailureCode = (typeof MARKER_FAILURE_CODES)[number];

/**
 * Why `viewer.manifest` shows nothing, in order of precedence: unknown, deleted, archived, draft or not yet active →
 * NOT_FOUND; its company suspended by the platform operator → COMPANY_SUSPENDED; past its end → EXPIRED; no compiled
 * marker yet → MARKER_PROCESSING; nothing can play now → NO_PLAYABLE_VIDEO.
 */
export const VIEWER_REASONS = [
  'NOT_FOUND',
  'COMPANY_SUSPENDED',
  'EXPIRED',
  'MARKER_PROCESSING',
  'NO_PLAYABLE_VIDEO',
] as const;
export type ViewerReason = (typeof VIEWER_REASONS)[number];
export function isViewerReason(value: unknown): value is ViewerReason {
  return typeof value === 'string' && (VIEWER_REASONS as readonly string[]).includes(value);
}
