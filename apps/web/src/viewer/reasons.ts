// What a visitor reads when there is nothing to show: one headline, why, and what to do, for each answer of the API.
import type { ManifestReason } from './api.ts';
import { errorCode } from './api.ts';

export interface Explanation {
  headline: string;
  detail: string;
  action: string;
  /** Worth trying again by itself (the answer is expected to change soon), after this long. */
  retryAfterMs?: number;
  /** A button to try again now. */
  canRetry: boolean;
}

export const REASONS: Record<ManifestReason, Explanation> = {
  NOT_FOUND: {
    headline: 'Nothing to see here',
    detail: 'This code or link does not lead to a video. It may be mistyped, not live yet, or taken down.',
    action: 'Scan the code again, or ask whoever gave you the print.',
    canRetry: false,
  },
  EXPIRED: {
    headline: 'This video has expired',
    detail: 'It could be watched for a limited time, and that time is over.',
    action: 'If you would like to see it again, contact whoever gave you the print.',
    canRetry: false,
  },
  MARKER_PROCESSING: {
    headline: 'Almost ready',
    detail: 'This photo is still being prepared for viewing. That usually takes less than a minute.',
    action: 'Keep this page open: it tries again by itself.',
    retryAfterMs: 15_000,
    canRetry: true,
  },
  NO_PLAYABLE_VIDEO: {
    headline: 'No video right now',
    detail: 'There is no video to show for this photo at the moment: it may still be processing, or none is scheduled.',
    action: 'Please try again later.',
    canRetry: true,
  },
};

/** The explanation for a manifest that could not be loaded at all. */
export function loadFailure(err: unknown): Explanation {
  switch (errorCode(err)) {
    // A malformed id is refused before any lookup; to a visitor it is the same as an unknown one.
    case 'BAD_REQUEST':
    case 'NOT_FOUND':
      return REASONS.NOT_FOUND;
    case 'TOO_MANY_REQUESTS':
      return {
        headline: 'Too many requests',
        detail: 'This connection has asked for videos very often in the last minute.',
        action: 'Wait a minute, then try again.',
        retryAfterMs: 60_000,
        canRetry: true,
      };
    default:
      return {
        headline: 'Could not load the video',
        detail: 'ARVlite could not be reached, or had a problem answering.',
        action: 'Check your connection and try again.',
        canRetry: true,
      };
  }
}
