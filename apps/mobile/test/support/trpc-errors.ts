// Client errors as the tRPC client produces them: a request that got no answer, and an answer with an error code.
import { TRPCClientError } from '@arvlite/client';

export function offlineError(): TRPCClientError<never> {
  return TRPCClientError.from(new TypeError('fetch failed')) as TRPCClientError<never>;
}

export function answerError(
  code: string,
  httpStatus: number,
  extra: Record<string, unknown> = {},
): TRPCClientError<never> {
  return TRPCClientError.from({
    error: { code: -32000, message: `${code} answer`, data: { code, httpStatus, ...extra } },
  }) as TRPCClientError<never>;
}
