import { beforeEach, describe, expect, it } from 'vitest';
import { answerError, offlineError } from '../../test/support/trpc-errors.ts';
import { memoryStore } from '../lib/key-value-store.ts';
import { SessionQueue, type SessionSender } from './session-queue.ts';
import type { EndSessionInput, StartSessionInput } from './viewer-api.ts';

const device = { platform: 'ios' as const, model: 'iPhone', os: 'ios 18', appVersion: '0.1.0' };
const stats = (watchedMs: number, trackingLostCount = 0, completed = false) => ({
  watchedMs,
  trackingLostCount,
  completed,
});

/** viewer.startSession / endSession as seen from the phone: reachable or not, accepting or refusing. */
function server() {
  const calls: Array<['start', StartSessionInput] | ['end', EndSessionInput]> = [];
  let mode: 'up' | 'down' | 'refuse' = 'up';
  let n = 0;
  const sender: SessionSender = {
    start: async (input) => {
      if (mode === 'down') throw offlineError();
      if (mode === 'refuse') throw answerError('BAD_REQUEST', 400);
      calls.push(['start', input]);
      await new Promise((r) => setTimeout(r, 5));
      return `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    },
    end: async (input) => {
      if (mode === 'down') throw offlineError();
      if (mode === 'refuse') throw answerError('BAD_REQUEST', 400);
      calls.push(['end', input]);
    },
  };
  return { sender, calls, set: (m: typeof mode) => (mode = m) };
}

let now: number;
let store: ReturnType<typeof memoryStore>;
let srv: ReturnType<typeof server>;
const queue = (runId = 'run-1') =>
  new SessionQueue({ store, sender: srv.sender, now: () => now, runId, baseBackoffMs: 1_000, maxBackoffMs: 60_000 });

beforeEach(() => {
  now = 1_000_000;
  store = memoryStore();
  srv = server();
});

describe('SessionQueue', () => {
  it('keeps sessions viewed offline across an app restart and sends them when the network is back', async () => {
    srv.set('down');
    const q = queue();
    const a = await q.begin('code-aaaaaaaaaaaa', device);
    now += 4_200;
    await q.finish(a, stats(4_200, 2, true));
    expect(await q.flush()).toMatchObject({ sent: 0, pending: 1 });
    expect(srv.calls).toEqual([]);

    srv.set('up');
    const restarted = queue('run-2');
    now += 60_000;
    expect(await restarted.flush()).toEqual({ sent: 1, pending: 0, failed: 0, nextAttemptAt: null });
    // Dated by ages, so the server places the session when it happened, whatever the phone's clock says.
    expect(srv.calls).toEqual([
      ['start', { publicId: 'code-aaaaaaaaaaaa', device, startedAgoMs: 64_200 }],
      [
        'end',
        {
          sessionId: '00000000-0000-4000-8000-000000000001',
          watchedMs: 4_200,
          trackingLostCount: 2,
          completed: true,
          endedAgoMs: 60_000,
        },
      ],
    ]);
  });

  it('backs off after a failure, doubling, and retries at once when told the network is back', async () => {
    srv.set('down');
    const q = queue();
    await q.finish(await q.begin('code-aaaaaaaaaaaa', device), stats(1_000));
    expect((await q.flush()).nextAttemptAt).toBe(now + 1_000);
    now += 1_000;
    expect((await q.flush()).nextAttemptAt).toBe(now + 2_000);
    srv.set('up');
    now += 1_999;
    expect(await q.flush()).toMatchObject({ sent: 0, pending: 1 }); // not due yet
    await q.retryNow();
    expect(await q.flush()).toMatchObject({ sent: 1, pending: 0 });
    expect((await q.pending()).length).toBe(0);
  });

  it('sends the start while the session runs and the end once it is over, without starting twice', async () => {
    const q = queue();
    const a = await q.begin('code-aaaaaaaaaaaa', device);
    await q.flush();
    expect(srv.calls.map((c) => c[0])).toEqual(['start']);
    srv.set('down');
    await q.finish(a, stats(9_000, 1));
    await q.flush();
    srv.set('up');
    now += 10_000;
    await q.flush();
    expect(srv.calls.map((c) => c[0])).toEqual(['start', 'end']);
    expect(srv.calls[0]![1]).toMatchObject({ startedAgoMs: 0 });
    expect(srv.calls[1]![1]).toMatchObject({
      sessionId: '00000000-0000-4000-8000-000000000001',
      watchedMs: 9_000,
      endedAgoMs: 10_000,
    });
  });

  it('closes a session an earlier run left open (app killed) with the last saved numbers', async () => {
    srv.set('down');
    const killed = queue('run-1');
    const a = await killed.begin('code-aaaaaaaaaaaa', device);
    now += 7_000;
    await killed.progress(a, stats(7_000, 1));
    srv.set('up');
    const next = queue('run-2');
    now += 13_000;
    expect(await next.flush()).toMatchObject({ sent: 1, pending: 0 });
    // It ended, as far as anyone knows, when its numbers were last saved.
    expect(srv.calls.at(-1)).toEqual([
      'end',
      { sessionId: expect.any(String), watchedMs: 7_000, trackingLostCount: 1, completed: false, endedAgoMs: 13_000 },
    ]);
  });

  it('does not close a session of the current run that is still playing, nor ask to be flushed again until it ends', async () => {
    const q = queue();
    const a = await q.begin('code-aaaaaaaaaaaa', device);
    expect(await q.flush()).toEqual({ sent: 0, pending: 1, failed: 0, nextAttemptAt: null });
    now += 60_000;
    await q.flush();
    expect(srv.calls.map((c) => c[0])).toEqual(['start']);
    await q.finish(a, stats(5_000));
    expect((await q.pending())[0]!.nextAttemptAt).toBe(now);
    expect(await q.flush()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('keeps sessions the server refuses aside, with the reason, instead of retrying or dropping them', async () => {
    srv.set('refuse');
    const q = queue();
    await q.finish(await q.begin('code-aaaaaaaaaaaa', device), stats(1));
    expect(await q.flush()).toMatchObject({ sent: 0, pending: 0, failed: 1 });
    const [failed] = await q.failed();
    expect(failed).toMatchObject({ publicId: 'code-aaaaaaaaaaaa', lastError: 'BAD_REQUEST answer', failedAt: now });
    srv.set('up');
    now += 3_600_000;
    await q.flush();
    expect(srv.calls).toEqual([]);
  });

  it('joins concurrent flushes and never loses a session recorded meanwhile', async () => {
    const q = queue();
    const ids = await Promise.all(
      ['code-aaaaaaaaaaaa', 'code-bbbbbbbbbbbb', 'code-cccccccccccc'].map((c) => q.begin(c, device)),
    );
    await Promise.all(ids.map((id, i) => q.finish(id, stats(i * 1000))));
    const [r1, r2] = await Promise.all([q.flush(), q.flush()]);
    expect(r1).toBe(r2);
    expect(srv.calls.filter((c) => c[0] === 'start')).toHaveLength(3);
    expect(srv.calls.filter((c) => c[0] === 'end')).toHaveLength(3);
    expect(await q.pending()).toEqual([]);
  });

  it('a session begun at the screen opening starts as such and carries its stages with the end; others carry none', async () => {
    const q = queue();
    const stages = [
      { stage: 'camera' as const, atMs: 300 },
      { stage: 'detected' as const, atMs: 1_200 },
      { stage: 'playing' as const, atMs: 1_500 },
    ];
    const open = await q.begin('code-aaaaaaaaaaaa', device, { fromOpen: true });
    const plain = await q.begin('code-bbbbbbbbbbbb', device);
    await q.finish(open, { ...stats(4_000), stages });
    await q.finish(plain, { ...stats(2_000), stages });
    await q.flush();
    const [startOpen, endOpen, startPlain, endPlain] = srv.calls.map((c) => c[1]);
    expect(startOpen).toMatchObject({ from: 'open' });
    expect(endOpen).toMatchObject({ watchedMs: 4_000, stages });
    expect(startPlain).not.toHaveProperty('from');
    expect(endPlain).not.toHaveProperty('stages');
  });
});
