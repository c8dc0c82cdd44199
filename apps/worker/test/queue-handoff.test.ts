// A job queued behind another in the same named queue (a media lane) starts when the first one ends, not at the next
// poll: the poll here is a minute, longer than the test waits.
import { createTestDeps, waitFor } from '@arvlite/test-utils';
import type { Task } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerProcess } from '../src/worker.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let worker: WorkerProcess;
const ran: string[] = [];

// The first job queues the second in its own queue, which it holds until its completion is written.
const first: Task = async (payload, helpers) => {
  const { round } = payload as { round: number };
  ran.push(`first ${round}`);
  await helpers.addJob('test:second', { round }, { queueName: `lane-${round}` });
};
const second: Task = async (payload) => {
  ran.push(`second ${(payload as { round: number }).round}`);
};

beforeAll(async () => {
  deps = await createTestDeps({ WORKER_POLL_INTERVAL_MS: '60000' });
  worker = await startWorker(deps, {
    concurrency: 2,
    tasks: [],
    extraTasks: { 'test:first': first, 'test:second': second },
  });
});
afterAll(async () => {
  await worker?.stop();
});

describe('a job queued behind another in its queue', () => {
  it('starts once the first completes, without waiting for the poll', async () => {
    for (let round = 0; round < 3; round++) {
      await deps.orm
        .fork()
        .execute(`select graphile_worker.add_job('test:first', json_build_object('round', ?::int), queue_name => ?)`, [
          round,
          `lane-${round}`,
        ]);
      await waitFor(`the second job of round ${round}`, async () => ran.includes(`second ${round}`), {
        timeout: 15_000,
        retry: false,
      });
    }
    expect(ran).toEqual(['first 0', 'second 0', 'first 1', 'second 1', 'first 2', 'second 2']);
  }, 60_000);
});
