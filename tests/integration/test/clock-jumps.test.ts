// Clock jumps and the workers' heartbeats (issue 23, scenario 8). A worker is judged dead when its heartbeat is older
// than WORKER_DEAD_AFTER_MS, and a dead worker's jobs are released to run again: if the heartbeats were stamped and
// judged by each process's own clock, a clock jumping forward in one worker would make it release every other
// worker's running jobs (run twice in effect), and a worker whose clock jumped back would look dead to the others.
// Heartbeats are stamped and judged by the database's now(); here the test process's Date jumps (vitest's fake Date,
// timers untouched) while a real worker runs in it.
// Recurring jobs: graphile-worker runs a cron item only at a timestamp later than the last one recorded for it, as
// stamped by the clock of the worker that ran it; a stamp from a clock that was hours ahead would stop that job on
// every worker for hours. Live workers pull such stamps back to the database's now().
import { WorkerHeartbeat } from '@arvlite/db';
import { reapDeadWorkers } from '@arvlite/jobs/runtime';
import { createTestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let worker: Awaited<ReturnType<typeof startWorker>>;
const HOUR = 3600_000;

beforeAll(async () => {
  deps = await createTestDeps({ WORKER_HEARTBEAT_INTERVAL_MS: '1000', WORKER_DEAD_AFTER_MS: '30000' });
  worker = await startWorker(deps, { concurrency: 1, tasks: ['system:reap-workers'] });
});

afterAll(async () => {
  vi.useRealTimers();
  await worker?.stop();
});

afterEach(() => vi.useRealTimers());

const live = () => deps.orm.fork().getRepository(WorkerHeartbeat).findLive(deps.config.worker.deadAfterMs);

/** Waits (real time) for the worker's next few beats. */
const beats = () => new Promise((r) => setTimeout(r, 2500));

describe('a clock jumping forward', () => {
  it('does not make the live worker look dead, nor release its jobs', async () => {
    expect((await live()).map((w) => w.id)).toContain(worker.id);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * HOUR });
    const reaped = await reapDeadWorkers(deps.orm.fork(), deps.config.worker.deadAfterMs);
    expect(reaped.workers).not.toContain(worker.id);
    expect((await live()).map((w) => w.id)).toContain(worker.id);
  });
});

describe("a worker's clock jumping back", () => {
  it('still beats in the present: the others see it live and reap nothing of it', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 2 * HOUR });
    await beats();
    // Its beats (every second, the last of them in the jumped-back time by now) are stamped in the database's present.
    const [row] = await deps.orm
      .fork()
      .execute<{ fresh: boolean }[]>(
        "select now() - last_seen_at < interval '10 seconds' as fresh from worker_heartbeat where id = ?",
        [worker.id],
      );
    expect(row?.fresh).toBe(true);
    vi.useRealTimers();
    const reaped = await reapDeadWorkers(deps.orm.fork(), deps.config.worker.deadAfterMs);
    expect(reaped.workers).not.toContain(worker.id);
    expect((await live()).map((w) => w.id)).toContain(worker.id);
  });
});

describe('a recurring job stamped by a clock that was ahead', () => {
  it("is pulled back to the database's now by a live worker, so its next run is not refused for hours", async () => {
    const sql = <T>(q: string) => deps.orm.fork().execute<T[]>(q);
    await sql(`insert into graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
               values ('upload:expire', now(), now() + interval '2 hours')
               on conflict (identifier) do update set last_execution = excluded.last_execution`);
    await beats();
    const [row] = await sql<{ ahead: boolean }>(
      `select last_execution > now() + interval '5 minutes' as ahead
         from graphile_worker._private_known_crontabs where identifier = 'upload:expire'`,
    );
    expect(row?.ahead).toBe(false);
  });
});
