// Reading a failed call, the same way in every app: an answer the server meant (a 4xx: sending the same thing again
// fails again) apart from a failure to get one (offline, timeouts, 5xx, rate limits: worth retrying later).
import { TRPCClientError } from '@trpc/client';

/** The tRPC error code the server answered with; undefined when there was no answer (offline, aborted). */
export function errorCode(err: unknown): string | undefined {
  if (!(err instanceof TRPCClientError)) return undefined;
  const data = err.data as { code?: unknown } | undefined;
  return typeof data?.code === 'string' ? data.code : undefined;
}

function httpStatus(err: unknown): number | undefined {
  if (!(err instanceof TRPCClientError)) return undefined;
  const data = err.data as { httpStatus?: unknown } | undefined;
  return typeof data?.httpStatus === 'number' ? data.httpStatus : undefined;
}

const RETRYABLE_CODES = new Set([
  'TOO_MANY_REQUESTS',
  'TIMEOUT',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
  'BAD_GATEWAY',
  'GATEWAY_TIMEOUT',
  'CLIENT_CLOSED_REQUEST',
]);

/** True when the server refused this request on its merits; sending it again unchanged would fail again. */
export function isPermanentError(err: unknown): boolean {
  const code = errorCode(err);
  if (code === undefined) return false;
  if (RETRYABLE_CODES.has(code)) return false;
  const status = httpStatus(err);
  return status === undefined || (status >= 400 && status < 500);
}

/** No answer from the server, or one that says "later": keep the work and try again. */
export function isTransientError(err: unknown): boolean {
  return !isPermanentError(err) && !isAbort(err);
}

export function isAbort(err: unknown): boolean {
  const e = err instanceof TRPCClientError ? (err.cause ?? err) : err;
  return e instanceof Error && e.name === 'AbortError';
}
