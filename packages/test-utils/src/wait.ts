// Waiting on a condition instead of sleeping: one polling loop, two shapes of call.

/** How long a wait polls, how often, and what a throw from its read does. */
export interface PollOptions {
  /** Give up after this many ms (default 30 000). */
  timeout?: number;
  /** Pause between reads, in ms. */
  interval?: number;
  /** `true`: a throw from the read is remembered and the read tried again; `false`: the throw ends the wait at once. */
  retry?: boolean;
}

/** A wait that ran out of time; `cause` is the last read's error, if it threw. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/** The last value, as JSON cut to `max` characters (or as String() when it has no JSON). */
function describe(value: unknown, max = 500): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // circular or a BigInt: String() below
  }
  text ??= String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Reads until `done(value)` holds and returns that value. Past `timeout` ms it throws a `WaitTimeoutError`: `timed
 * out after N ms waiting for <what>; last value: <JSON, cut to 500 characters>`, plus the last error when the last
 * read threw. A throw from `read` ends the wait at once unless `retry` is set. Defaults: 30 s, a read every 200 ms,
 * no retry.
 */
export function waitUntil<T, D extends T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => value is D,
  opts?: PollOptions,
): Promise<D>;
export function waitUntil<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  opts?: PollOptions,
): Promise<T>;
export async function waitUntil<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeout = 30_000, interval = 200, retry = false }: PollOptions = {},
): Promise<T> {
  const until = Date.now() + timeout;
  let haveValue = false;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    error = undefined;
    try {
      last = await read();
      haveValue = true;
      if (done(last)) return last;
    } catch (err) {
      if (!retry) throw err;
      error = err;
    }
    if (Date.now() > until) {
      const value = haveValue ? `last value: ${describe(last)}` : 'no value read';
      const cause =
        error === undefined ? '' : `; last error: ${error instanceof Error ? error.message : describe(error)}`;
      throw new WaitTimeoutError(`timed out after ${timeout} ms waiting for ${what}; ${value}${cause}`, {
        cause: error,
      });
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Anything but `undefined`, `null` and `false` (so 0 and '' count as an answer). */
function settled<T>(value: T): value is Exclude<T, undefined | null | false> {
  return value !== undefined && value !== null && value !== false;
}

/**
 * Polls `check` until it returns something other than `undefined`, `null` or `false`, and returns that. As
 * `waitUntil`, but a throw from `check` is retried by default (`retry: false` ends the wait at once) and the default
 * interval is 50 ms.
 */
export function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeout = 30_000, interval = 50, retry = true }: PollOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  return waitUntil(what, check, settled, { timeout, interval, retry });
}
