import { WorkerHeartbeat } from '@arvlite/db';
import { enqueue } from '@arvlite/jobs';
import { createTestDeps, waitFor } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerProcess } from '../src/worker.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let worker: WorkerProcess;

beforeAll(async () => {
  deps = await createTestDeps({
    WORKER_POLL_INTERVAL_MS: '200',
    WORKER_DEAD_AFTER_MS: '3000',
    WORKER_HEARTBEAT_INTERVAL_MS: '1000',
  });
  worker = await startWorker(deps, { concurrency: 2 });
});
afterAll(async () => {
  await worker?.stop();
  // A test must not leave a worker running.
  const row = await deps.orm.fork().findOneOrFail(WorkerHeartbeat, { id: worker.id });
  expect(row.stoppedAt).not.toBeNull();
});

const poll = { timeout: 15_000, retry: false };

type JobRow = {
  id: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
};
const jobRow = (id: string) =>
  deps.orm
    .fork()
    .execute<JobRow[]>(
      'select id, attempts, max_attempts, last_error, locked_by from graphile_worker.jobs where id = ?',
      [id],
    )
    .then((r) => r[0]);

describe('worker', () => {
  it('registers a heartbeat row that the API can read', async () => {
    const row = await deps.orm.fork().findOneOrFail(WorkerHeartbeat, { id: worker.id });
    expect(row.pid).toBe(process.pid);
    expect(row.stoppedAt).toBeNull();
    // The reaper needs graphile-worker's own ids to release this process's locks after a crash.
    await waitFor(
      "graphile-worker's ids in the heartbeat",
      async () =>
        (await deps.orm.fork().findOneOrFail(WorkerHeartbeat, { id: worker.id })).graphileWorkerIds.length > 0,
      poll,
    );
  });

  it('runs a job end to end', async () => {
    const { id } = await enqueue(deps.orm.fork(), 'system:noop', { label: 'e2e' });
    // A finished job is deleted from the queue.
    await waitFor('the job deleted', async () => (await jobRow(id)) === undefined, poll);
    await waitFor(
      'a completed job in the heartbeat',
      async () => {
        const row = await deps.orm.fork().findOneOrFail(WorkerHeartbeat, { id: worker.id });
        return row.jobsCompleted >= 1;
      },
      poll,
    );
  });

  it('fails a malformed payload permanently with a clear error', async () => {
    const [row0] = await deps.orm
      .fork()
      .execute<{ id: string }[]>(
        `select (graphile_worker.add_job('system:noop', '{"label": 42, "bogus": true}'::json)).id::text as id`,
      );
    const id = row0!.id;
    const row = await waitFor(
      'the error on the job',
      async () => {
        const r = await jobRow(id);
        return r?.last_error ? r : undefined;
      },
      poll,
    );
    expect(row.last_error).toMatch(/Invalid payload for system:noop: .*label/);
    expect(row.attempts).toBe(row.max_attempts);
  });

  it('releases the jobs of a worker whose heartbeat stopped', async () => {
    // A job locked by a worker that crashed: graphile-worker alone would wait 4 hours.
    const em = deps.orm.fork();
    const { id } = await enqueue(em, 'system:noop', { label: 'orphan' }, { delayS: 60 });
    await em.execute(
      `update graphile_worker._private_jobs set locked_by = 'ghost-graphile-id', locked_at = now(), run_at = now() where id = ?`,
      [id],
    );
    em.create(WorkerHeartbeat, {
      id: 'ghost',
      hostname: 'gone',
      pid: 999999,
      graphileWorkerIds: ['ghost-graphile-id'],
    });
    await em.flush();
    await em.nativeUpdate(WorkerHeartbeat, { id: 'ghost' }, { lastSeenAt: new Date(Date.now() - 60_000) });
    await waitFor("the ghost's job released and run", async () => (await jobRow(id)) === undefined, poll);
    const ghost = await deps.orm.fork().findOneOrFail(WorkerHeartbeat, { id: 'ghost' });
    expect(ghost.stoppedAt).not.toBeNull();
  });
});
