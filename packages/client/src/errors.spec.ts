import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { errorCode, isAbort, isPermanentError, isTransientError } from './errors.ts';

/** A client error as the links build it from an error answer. */
const answered = (code: string, httpStatus: number) =>
  TRPCClientError.from({ error: { message: code, code: -32600, data: { code, httpStatus } } });

describe('reading a failed call', () => {
  it('tells an answer the server meant from none, or one that says "later"', () => {
    for (const [code, status] of [
      ['CONFLICT', 409],
      ['NOT_FOUND', 404],
      ['BAD_REQUEST', 400],
      ['FORBIDDEN', 403],
    ] as const) {
      const err = answered(code, status);
      expect([errorCode(err), isPermanentError(err), isTransientError(err)]).toEqual([code, true, false]);
    }
    for (const [code, status] of [
      ['TOO_MANY_REQUESTS', 429],
      ['INTERNAL_SERVER_ERROR', 500],
      ['SERVICE_UNAVAILABLE', 503],
    ] as const) {
      expect([isPermanentError(answered(code, status)), isTransientError(answered(code, status))]).toEqual([
        false,
        true,
      ]);
    }
    const offline = new TRPCClientError('fetch failed', { cause: new TypeError('fetch failed') });
    expect([errorCode(offline), isPermanentError(offline), isTransientError(offline)]).toEqual([
      undefined,
      false,
      true,
    ]);
    expect(errorCode(new Error('not a call'))).toBeUndefined();
  });

  it('knows an aborted call, which is neither to keep nor to retry', () => {
    const aborted = new TRPCClientError('aborted', { cause: new DOMException('aborted', 'AbortError') });
    expect([isAbort(aborted), isPermanentError(aborted), isTransientError(aborted)]).toEqual([true, false, false]);
  });
});
