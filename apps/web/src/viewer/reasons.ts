// What a visitor reads when there is nothing to show: one headline, why, and what to do, for each answer of the API.
// The texts are `reasons.<key>.{headline,detail,action}` in the viewer catalogs (src/i18n/viewer/).
import type { ManifestReason } from './api.ts';
import { errorCode } from './api.ts';

export type ExplanationKey = ManifestReason | 'TOO_MANY_REQUESTS' | 'LOAD_FAILED';

export interface Explanation {
  key: ExplanationKey;
  /** Worth trying again by itself (the answer is expected to change soon), after this long. */
  retryAfterMs?: number;
  /** A button to try again now. */
  canRetry: boolean;
}

export const REASONS: Record<ManifestReason, Explanation> = {
  NOT_FOUND: { key: 'NOT_FOUND', canRetry: false },
  COMPANY_SUSPENDED: { key: 'COMPANY_SUSPENDED', canRetry: true },
  EXPIRED: { key: 'EXPIRED', canRetry: false },
  MARKER_PROCESSING: { key: 'MARKER_PROCESSING', retryAfterMs: 15_000, canRetry: true },
  NO_PLAYABLE_VIDEO: { key: 'NO_PLAYABLE_VIDEO', canRetry: true },
};

const TOO_MANY: Explanation = { key: 'TOO_MANY_REQUESTS', retryAfterMs: 60_000, canRetry: true };
const LOAD_FAILED: Explanation = { key: 'LOAD_FAILED', canRetry: true };

/** The explanation for a manifest that could not be loaded at all. */
export function loadFailure(err: unknown): Explanation {
  switch (errorCode(err)) {
    // A malformed id is refused before any lookup; to a visitor it is the same as an unknown one.
    case 'BAD_REQUEST':
    case 'NOT_FOUND':
      return REASONS.NOT_FOUND;
    case 'TOO_MANY_REQUESTS':
      return TOO_MANY;
    default:
      return LOAD_FAILED;
  }
}
