// When a failed delivery is tried again: exponential backoff over about 24 hours, then the endpoint is disabled.

/**
 * Seconds to wait after the first, second, … failed attempt. 10 attempts in all: the last comes 23 h 42 min after
 * the first; when it fails too, the delivery has failed for good.
 */
export const RETRY_SCHEDULE_S = [30, 120, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 8 * 3600] as const;

/** Bytes of a receiver's answer kept in the delivery log (the rest is not read). */
export const RESPONSE_EXCERPT_BYTES = 4096;

/** The wait before the next attempt after `attemptsMade` attempts failed, or null when none is left. */
export function nextAttemptDelayS(attemptsMade: number): number | null {
  return RETRY_SCHEDULE_S[attemptsMade - 1] ?? null;
}
