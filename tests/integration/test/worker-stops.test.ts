// A media job whose worker is killed under it on every attempt (issue 23, found by chaos scenario 1's full run). No
// code of the job runs when its worker dies, so graphile-worker keeps a job killed on its last attempt as spent with
// no error, and nothing would ever fail its video: it would stay PROCESSING for good. The reaper, releasing a dead
// worker's jobs, says why on each (`WORKER_STOPPED…`), and gives a job stopped on its last attempt another, as for a
// transient fault, up to MEDIA_JOB_TRANSIENT_ATTEMPTS; past that, one more in which the step fails the video with that
// reason instead of running again.
// Here the dead worker is a heartbeat row whose graphile-worker id holds the job's lock, as a SIGKILLed worker leaves
// them; a real worker in this process reaps it.
import { WorkerHeartbeat } from '@arvlite/db';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpMediaJobTest, type MediaJobTest } from '../src/media-job-test.ts';

let t: MediaJobTest;

beforeAll(async () => {
  t = await setUpMediaJobTest({
    MEDIA_JOB_MAX_ATTEMPTS: '3',
    // A worker stopping under a job counts as a passing fault up to this many attempts; then the job fails.
    MEDIA_JOB_TRANSIENT_ATTEMPTS: '4',
    WORKER_HEARTBEAT_INTERVAL_MS: '1000',
    WORKER_DEAD_AFTER_MS: '3000',
  });
}, 60_000);

afterAll(async () => {
  await t?.stopWorker();
});

/** Uploads a 1 s clip and completes it (no worker runs yet): its video:process job waits in the queue. */
const upload = () => t.upload('Stops');

/** What a SIGKILLed worker leaves: the job locked by its graphile-worker id, a heartbeat gone silent, the step running. */
async function killedUnder(videoId: string, ghost: string, attempts: number) {
  const job = await waitUntil(
    'the video:process job',
    () => t.jobOf(videoId),
    (j) => j !== undefined,
    { timeout: 60_000 },
  );
  const em = t.deps.orm.fork();
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
    await t.startWorker({}, { concurrency: 2 });

    const failed = await waitUntil(
      'the spent job’s video to fail',
      () => t.video(spent),
      (v) => v.status !== 'PROCESSING' && v.status !== 'UPLOADED',
      { timeout: 60_000 },
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.failure?.code).toBe('INVALID_MEDIA'); // the probe step's code
    expect(failed.failure?.message).toMatch(/stopped the worker processing it on each of its 4 attempts/);
    expect(failed.steps.find((s) => s.name === 'probe')?.status).toBe('failed');
    const events = await t.deps.orm
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from outbox_event where type = 'video.failed' and payload->>'videoId' = ?`,
        [spent],
      );
    expect(events[0]!.n).toBe(1);
    // Its job ends spent after the granted 5th attempt, which only recorded the failure; it does not run again.
    const job = await waitUntil(
      'the job to end',
      () => t.jobOf(spent),
      (j) => j?.locked_by === null && j.attempts >= 5,
      { timeout: 60_000 },
    );
    expect(job).toMatchObject({ attempts: 5, max_attempts: 5 });
    expect(job!.last_error).toMatch(/stopped the worker processing it/);

    // A job killed on its 3rd of 3 attempts runs again (the stop is counted as passing, and the reaper said why on it),
    // and its video is READY.
    const ready = await t.settled(midway);
    expect(ready.status).toBe('READY');
  });
});
