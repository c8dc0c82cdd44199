import { describe, expect, it } from 'vitest';
import { waitFor, waitUntil, WaitTimeoutError } from './wait.ts';

/** The error a wait ended with (a wait that resolves fails the test). */
async function failure(wait: Promise<unknown>): Promise<Error> {
  try {
    await wait;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the wait resolved');
}

/** A read that answers 1, 2, 3… and counts its calls. */
function counter() {
  let n = 0;
  const read = async () => ({ n: ++n });
  return { read, calls: () => n };
}

describe('waitUntil', () => {
  it('returns the value done() accepted', async () => {
    const c = counter();
    await expect(waitUntil('the third read', c.read, (v) => v.n === 3, { interval: 1 })).resolves.toEqual({ n: 3 });
    expect(c.calls()).toBe(3);
  });

  it('names what it waited for, the limit and the last value read when it times out', async () => {
    const c = counter();
    const err = await failure(
      waitUntil('a count that never comes', c.read, (v) => v.n < 0, { timeout: 50, interval: 5 }),
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toBe(
      `timed out after 50 ms waiting for a count that never comes; last value: {"n":${c.calls()}}`,
    );
  });

  it('cuts a long last value to 500 characters', async () => {
    const long = { text: 'x'.repeat(2000) };
    const err = await failure(
      waitUntil(
        'nothing',
        () => long,
        () => false,
        { timeout: 10, interval: 5 },
      ),
    );
    expect(err.message).toBe(
      `timed out after 10 ms waiting for nothing; last value: ${JSON.stringify(long).slice(0, 500)}…`,
    );
  });

  it('says so when no read ever answered, and gives the last error', async () => {
    const err = await failure(
      waitUntil(
        'a read that always throws',
        () => {
          throw new Error('connection refused');
        },
        () => true,
        { timeout: 20, interval: 5, retry: true },
      ),
    );
    expect(err.message).toBe(
      'timed out after 20 ms waiting for a read that always throws; no value read; last error: connection refused',
    );
    expect((err.cause as Error).message).toBe('connection refused');
  });

  it('ends at once when the read throws, unless told to retry', async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('the video failed');
    };
    await expect(waitUntil('READY', failing, () => true, { timeout: 60_000, interval: 5 })).rejects.toThrow(
      /^the video failed$/,
    );
    expect(calls).toBe(1);

    let n = 0;
    const flaky = async () => {
      if (++n < 3) throw new Error('not yet');
      return n;
    };
    await expect(waitUntil('the third try', flaky, (v) => v === 3, { interval: 1, retry: true })).resolves.toBe(3);
  });
});

describe('waitFor', () => {
  it('waits past undefined, null and false; 0 is an answer', async () => {
    const answers = [undefined, null, false, 0, 7];
    let i = 0;
    await expect(waitFor('an answer', () => answers[i++], { interval: 1 })).resolves.toBe(0);
    expect(i).toBe(4);
  });

  it('retries a throw by default and reports the last value and the last error on timeout', async () => {
    let n = 0;
    const check = async () => {
      n++;
      if (n % 2 === 0) throw new Error(`read ${n} failed`);
      return false;
    };
    const err = await failure(waitFor('the flag', check, { timeout: 30, interval: 5 }));
    expect(err.message).toMatch(/^timed out after 30 ms waiting for the flag; last value: false/);
    // The last read either failed (its error is named) or answered false (no error): never a stale error.
    if (n % 2 === 0) expect(err.message).toContain(`; last error: read ${n} failed`);
    else expect(err.message).not.toContain('last error');
  });

  it('ends at once on a throw with retry: false', async () => {
    let calls = 0;
    await expect(
      waitFor(
        'the row',
        () => {
          calls++;
          throw new Error('relation does not exist');
        },
        { timeout: 60_000, retry: false },
      ),
    ).rejects.toThrow('relation does not exist');
    expect(calls).toBe(1);
  });
});
