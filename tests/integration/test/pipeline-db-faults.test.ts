// A media task whose first database read fails on the job's last attempt (issue 23). video:process loads and locks its
// video before any step begins, so a database outage there is not a step's failure: with no transient rule for it,
// graphile-worker kept the job spent after its last attempt and the video stayed UPLOADED for good. The worker's
// database connections (not graphile-worker's) go through a TCP proxy the test cuts; MEDIA_JOB_MAX_ATTEMPTS=1, so the
// first failure is on the last attempt. The job gets another attempt, and once the database answers the video is READY.
import { initOrm, type Orm } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, viaProxy, type FaultProxy } from '../src/fault-proxy.ts';
import { newProject, signUp, uploadClip } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let proxy: FaultProxy;
let workerOrm: Orm;
let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  deps = await createTestDeps({
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_JOB_MAX_ATTEMPTS: '1',
    MEDIA_JOB_TRANSIENT_ATTEMPTS: '6',
    WORKER_POLL_INTERVAL_MS: '200',
  });
  owner = await signUp(deps);
  const direct = new URL(deps.config.database.url);
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port) });
  workerOrm = await initOrm({ url: viaProxy(deps.config.database.url, proxy), poolMax: 3, acquireTimeoutMs: 1000 });
  // The media tasks only: a recurring job started meanwhile (a backup, a sweep) would keep stop() waiting.
  worker = await startWorker(
    { ...deps, orm: workerOrm },
    { concurrency: 1, tasks: ['video:process', 'video:rendition', 'video:images', 'video:analyze', 'video:finalize'] },
  );
}, 60_000);

afterAll(async () => {
  proxy?.up();
  await worker?.stop();
  await workerOrm?.close();
});

interface JobRow {
  attempts: number;
  max_attempts: number;
  last_error: string | null;
}
const jobOf = async (videoId: string) =>
  (
    await deps.orm
      .fork()
      .execute<JobRow[]>(
        `select attempts, max_attempts, last_error from graphile_worker.jobs where task_identifier = 'video:process' and key = ?`,
        [`video:process:${videoId}`],
      )
  )[0];

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it(
  'the database away before the first step, on the last attempt: another attempt, then READY',
  { timeout: 240_000 },
  async () => {
    const projectId = (await newProject(owner, 'Db faults')).projectId;
    proxy.down();
    let videoId: string;
    try {
      // The API's connections are direct: the upload completes and queues video:process, which the worker takes
      // (graphile-worker's connections are direct too) and fails on loading the video.
      videoId = await uploadClip(owner, projectId);
      const failed = await until(
        'the first attempt to fail',
        () => jobOf(videoId),
        (j) => j !== undefined && j.attempts >= 1 && j.last_error !== null,
      );
      expect(failed!.max_attempts, 'attempts left after a failure on the database').toBeGreaterThan(failed!.attempts);
    } finally {
      proxy.up();
    }
    const after = await until(
      'READY',
      () => owner.caller.video.byId({ id: videoId }),
      (v) => v.status === 'READY' || v.status === 'FAILED',
    );
    expect(after.status).toBe('READY');
  },
);
