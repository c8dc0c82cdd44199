import { TRPCClientError } from '@arvlite/client';
import { describe, expect, it } from 'vitest';
import { viewerCatalogs } from '../i18n/viewer.ts';
import { loadFailure, REASONS } from './reasons.ts';

/** A client error as the tRPC client builds it from an error answer. */
function answered(code: string) {
  return new TRPCClientError(code, {
    result: { error: { code: -32000, message: code, data: { code, httpStatus: 400 } } },
  } as never);
}

describe('reasons', () => {
  it('has a headline, an explanation and something to do for every reason in both languages; retries only where the answer can change', () => {
    for (const catalog of Object.values(viewerCatalogs)) {
      for (const r of Object.values(catalog.reasons)) {
        expect(r.headline.length).toBeGreaterThan(5);
        expect(r.detail.length).toBeGreaterThan(20);
        expect(r.action.length).toBeGreaterThan(10);
      }
      for (const r of Object.values(REASONS)) expect(catalog.reasons[r.key]).toBeDefined();
    }
    expect(REASONS.NOT_FOUND.canRetry).toBe(false);
    expect(REASONS.EXPIRED.canRetry).toBe(false);
    expect(REASONS.MARKER_PROCESSING).toMatchObject({ canRetry: true, retryAfterMs: 15_000 });
    expect(REASONS.NO_PLAYABLE_VIDEO).toMatchObject({ canRetry: true });
    expect(REASONS.NO_PLAYABLE_VIDEO.retryAfterMs).toBeUndefined();
  });

  it('explains failed loads: a malformed id as unknown, rate limits with a wait, anything else as a connection problem', () => {
    expect(loadFailure(answered('BAD_REQUEST'))).toBe(REASONS.NOT_FOUND);
    expect(loadFailure(answered('NOT_FOUND'))).toBe(REASONS.NOT_FOUND);
    expect(loadFailure(answered('TOO_MANY_REQUESTS'))).toMatchObject({
      key: 'TOO_MANY_REQUESTS',
      retryAfterMs: 60_000,
      canRetry: true,
    });
    expect(loadFailure(answered('INTERNAL_SERVER_ERROR'))).toMatchObject({ key: 'LOAD_FAILED', canRetry: true });
    expect(loadFailure(new TypeError('Failed to fetch'))).toMatchObject({ key: 'LOAD_FAILED', canRetry: true });
  });
});
