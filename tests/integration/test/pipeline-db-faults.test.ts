// A media task whose first database read fails on the job's last attempt (issue 23). video:process loads and locks its
// video before any step begins, so a database outage there is not a step's failure: with no transient rule for it,
// graphile-worker kept the job spent after its last attempt and the video stayed UPLOADED for good. The worker's
// database connections (not graphile-worker's) go through a TCP proxy the test cuts; MEDIA_JOB_MAX_ATTEMPTS=1, so the
// first failure is on the last attempt. The job gets another attempt, and once the database answers the video is READY.
import { initOrm, type Orm } from '@arvlite/db';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, viaProxy, type FaultProxy } from '../src/fault-proxy.ts';
import { setUpMediaJobTest, type MediaJobTest } from '../src/media-job-test.ts';

let t: MediaJobTest;
let proxy: FaultProxy;
let workerOrm: Orm;

beforeAll(async () => {
  t = await setUpMediaJobTest({ MEDIA_JOB_MAX_ATTEMPTS: '1', MEDIA_JOB_TRANSIENT_ATTEMPTS: '6' });
  const direct = new URL(t.deps.config.database.url);
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port) });
  workerOrm = await initOrm({ url: viaProxy(t.deps.config.database.url, proxy), poolMax: 3, acquireTimeoutMs: 1000 });
  // The media tasks only: a recurring job started meanwhile (a backup, a sweep) would keep stop() waiting.
  await t.startWorker(
    { orm: workerOrm },
    {
      concurrency: 1,
      tasks: ['video:process', 'video:ladder', 'video:rendition', 'video:images', 'video:analyze', 'video:finalize'],
    },
  );
}, 60_000);

afterAll(async () => {
  proxy?.up();
  await t?.stopWorker();
  await workerOrm?.close();
});

it(
  'the database away before the first step, on the last attempt: another attempt, then READY',
  { timeout: 240_000 },
  async () => {
    proxy.down();
    let videoId: string;
    try {
      // The API's connections are direct: the upload completes and queues video:process, which the worker takes
      // (graphile-worker's connections are direct too) and fails on loading the video.
      videoId = await t.upload('Db faults');
      const failed = await waitUntil(
        'the first attempt to fail',
        () => t.jobOf(videoId),
        (j) => j !== undefined && j.attempts >= 1 && j.last_error !== null,
        { timeout: 120_000 },
      );
      expect(failed!.max_attempts, 'attempts left after a failure on the database').toBeGreaterThan(failed!.attempts);
    } finally {
      proxy.up();
    }
    const after = await t.settled(videoId);
    expect(after.status).toBe('READY');
  },
);
