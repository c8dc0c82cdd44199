// A media job whose worker is killed under it on every attempt (issue 23, found by chaos scenario 1's full run). No
// code of the job runs when its worker dies, so graphile-worker keeps a job killed on its last attempt as spent with
// no error, and nothing would ever fail its video: it would stay PROCESSING for good. The reaper, releasing a dead
// worker's jobs, says why on each (`WORKER_STOPPED…`), and gives a job stopped on its last attempt another, as for a
// transient fault, up to MEDIA_JOB_TRANSIENT_ATTEMPTS; past that, one more in which the step fails the video with that
// reason instead of running again.
// Here the dead worker is a heartbeat row whose graphile-worker id holds the job's lock, as a SIGKILLed worker leaves
// them; a real worker in this process reaps it.
import { WorkerHeartbeat } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProject, signUp, uploadClip } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let worker: Awaited<ReturnType<typeof startWorker>> | undefined;

beforeAll(async () => {
  deps = await createTestDeps({
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_JOB_MAX_ATTEMPTS: '3',
    // A worker stopping under a job counts as a passing fault up to this many attempts; then the job fails.
    MEDIA_JOB_TRANSIENT_ATTEMPTS: '4',
    WORKER_POLL_INTERVAL_MS: '200',
    WORKER_HEARTBEAT_INTERVAL_MS: '1000',
    WORKER_DEAD_AFTER_MS: '3000',
  });
  owner = await signUp(deps);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
});

interface JobRow {
  id: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
}
const jobOf = async (videoId: string) =>
  (
    await deps.orm.fork().execute<JobRow[]>(
      `select id::text as id, attempts, max_attempts, last_error, locked_by from graphile_worker.jobs
          where task_identifier = 'video:process' and key = ?`,
      [`video:process:${videoId}`],
    )
  )[0];

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Uploads a 1 s clip and completes it (no worker runs yet): its video:process job waits in the queue. */
async function upload(): Promise<string> {
  return uploadClip(owner, (await newProject(owner, 'Stops')).projectId);
}

/** What a SIGKILLed worker leaves: the job locked by its graphile-worker id, a heartbeat gone silent, the step running. */
async function killedUnder(videoId: string, ghost: string, attempts: number) {
  const job = await until(
    'the video:process job',
    () => jobOf(videoId),
    (j) => j !== undefined,
  );
  const em = deps.orm.fork();
  await em.execute(
    `update graphile_worker._private_jobs
        set locked_by = ?, locked_at = now(), attempts = ?, max_attempts = greatest(max_attempts, ?) where id = ?`,
    [`${ghost}-graphile`, attempts, attempts, job!.id],
  );
  await em.execute(
    `insert into video_step (id, video_id, name, status, progress, attempts)
     values (gen_random_uuid(), ?, 'probe', 'running', 0, ?)
     on conflict (video_id, name) do update set status = 'running', attempts = excluded.attempts`,
    [videoId, attempts],
  );
  em.create(WorkerHeartbeat, { id: ghost, hostname: 'gone', pid: 999_999, graphileWorkerIds: [`${ghost}-graphile`] });
  await em.flush();
  await em.nativeUpdate(WorkerHeartbeat, { id: ghost }, { lastSeenAt: new Date(Date.now() - 60_000) });
}

describe('a worker killed under a media job', () => {
  it('on its last attempt: the video ends FAILED with the reason, once, instead of PROCESSING for good', async () => {
    const spent = await upload();
    const midway = await upload();
    await killedUnder(spent, 'ghost-last', 4); // its 4th attempt: MEDIA_JOB_TRANSIENT_ATTEMPTS reached
    await killedUnder(midway, 'ghost-midway', 3); // its 3rd of 3, but a stop counts as passing up to 4
    worker = await startWorker(deps, { concurrency: 2 });

    const failed = await until(
      'the spent job’s video to fail',
      () => owner.caller.video.byId({ id: spent }),
      (v) => v.status !== 'PROCESSING' && v.status !== 'UPLOADED',
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.failure?.code).toBe('INVALID_MEDIA'); // the probe step's code
    expect(failed.failure?.message).toMatch(/stopped the worker processing it on each of its 4 attempts/);
    expect(failed.steps.find((s) => s.name === 'probe')?.status).toBe('failed');
    const events = await deps.orm
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from outbox_event where type = 'video.failed' and payload->>'videoId' = ?`,
        [spent],
      );
    expect(events[0]!.n).toBe(1);
    // Its job ends spent after the granted 5th attempt, which only recorded the failure; it does not run again.
    const job = await until(
      'the job to end',
      () => jobOf(spent),
      (j) => j?.locked_by === null && j.attempts >= 5,
    );
    expect(job).toMatchObject({ attempts: 5, max_attempts: 5 });
    expect(job!.last_error).toMatch(/stopped the worker processing it/);

    // A job killed on its 3rd of 3 attempts runs again (the stop is counted as passing, and the reaper said why on it),
    // and its video is READY.
    const ready = await until(
      'the other video to be READY',
      () => owner.caller.video.byId({ id: midway }),
      (v) => v.status === 'READY' || v.status === 'FAILED',
      120_000,
    );
    expect(ready.status).toBe('READY');
  });
});
