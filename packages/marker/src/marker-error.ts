// The one error the marker pipeline throws; `message` is written for the customer who uploaded the image.
export type MarkerErrorCode =
  | 'UNSUPPORTED_IMAGE'
  | 'IMAGE_TOO_SMALL'
  | 'IMAGE_TOO_LARGE'
  | 'EXTREME_ASPECT_RATIO'
  | 'ANIMATED_IMAGE'
  | 'NO_FEATURES'
  | 'COMPILE_FAILED';

export class MarkerError extends Error {
  readonly code: MarkerErrorCode;
  constructor(code: MarkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MarkerError';
    this.code = code;
  }
}

export function isMarkerError(error: unknown): error is MarkerError {
  return error instanceof MarkerError;
}
