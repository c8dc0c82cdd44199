// Processing through faults that pass (issue 23, scenarios 6 and 7), with MEDIA_JOB_MAX_ATTEMPTS=1 so that without the
// transient rule the first failure would fail the video:
//  - S3 unreachable (the worker's storage goes through a TCP proxy the test cuts): the step fails with "storage is
//    unavailable", stays `retrying` (the job gets another attempt, not FAILED), and once S3 is back the video is READY;
//  - S3 away for a few seconds: the step runs again within the job's first attempt (runStep's short waits), not in a
//    second one after graphile-worker's growing backoff;
//  - the worker's scratch disk full (MEDIA_SCRATCH_DIR on a small tmpfs, filled up): the step fails with "the
//    worker's scratch disk is full", is retried, nothing of it stays on the disk, and once there is room the video is
//    READY; the same when not even the job's scratch directory can be made (out of inodes, as a full ext4 refuses a
//    directory too).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStorage } from '@arvlite/storage';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../src/fault-proxy.ts';
import { setUpMediaJobTest, type MediaJobTest } from '../src/media-job-test.ts';

let t: MediaJobTest;
let s3: FaultProxy;
let scratch: string;

beforeAll(async () => {
  // A 20 MiB tmpfs as the worker's scratch disk (the tests run as root here).
  scratch = await mkdtemp(join(tmpdir(), 'arvlite-scratch-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', scratch]);
  t = await setUpMediaJobTest({
    MEDIA_JOB_MAX_ATTEMPTS: '1',
    MEDIA_JOB_TRANSIENT_ATTEMPTS: '6',
    MEDIA_SCRATCH_DIR: scratch,
    // No originals kept between jobs (the worker's originals cache lives on the scratch disk too): what is left on the
    // disk after a step is then the step's own doing, which is what these tests check.
    MEDIA_ORIGINAL_CACHE_BYTES: '0',
    COMPANY_MAX_PER_USER: '20',
  });
  const endpoint = new URL(t.deps.config.s3.endpoint);
  s3 = await startFaultProxy({ host: endpoint.hostname, port: Number(endpoint.port) });
  // The worker's storage goes through the proxy; the API's (uploads, checks) does not.
  const storage = new ObjectStorage({ ...t.deps.config.s3, endpoint: `http://127.0.0.1:${s3.port}` });
  await t.startWorker({ storage }, { concurrency: 2 });
}, 60_000);

afterAll(async () => {
  await t?.stopWorker();
  if (scratch) {
    execFileSync('umount', [scratch]);
    await rmdir(scratch);
  }
});

const upload = () => t.upload('Faults');
const video = (id: string) => t.video(id);
/** Waits until a step of the video is retrying with `words` in its error (or the video FAILED); returns the video. */
const untilRetrying = (videoId: string, words: string) =>
  waitUntil(
    `a step retrying because ${words}`,
    () => video(videoId),
    (v) => v.status === 'FAILED' || v.steps.some((s) => s.status === 'retrying' && s.error?.message.includes(words)),
    { timeout: 120_000 },
  );

/** Every file under a directory, recursively (directories themselves are not counted). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}

describe('S3 down, then back', () => {
  it('retries the step instead of failing the video, and finishes once S3 answers', { timeout: 240_000 }, async () => {
    s3.down();
    let videoId: string;
    try {
      videoId = await upload();
      const during = await untilRetrying(videoId, 'storage is unavailable');
      expect(during.status).not.toBe('FAILED');
    } finally {
      s3.up();
    }
    const after = await t.settled(videoId);
    expect(after.status).toBe('READY');
  });
});

describe('S3 down for a few seconds', () => {
  it(
    'runs the step again within the same attempt: no attempt of the job goes to the fault',
    { timeout: 240_000 },
    async () => {
      s3.down();
      let videoId: string;
      try {
        videoId = await upload();
        await untilRetrying(videoId, 'storage is unavailable');
      } finally {
        s3.up();
      }
      const after = await t.settled(videoId);
      expect(after.status).toBe('READY');
      // graphile-worker's retry would be a second attempt, after e^1 s, and e^n s for the n-th: a step cut by one short
      // fault after another waited minutes (chaos scenario 10). The step ran again within its first attempt instead.
      const steps = await t.deps.orm
        .fork()
        .execute<{ name: string; attempts: number }[]>(
          'select name, attempts from video_step where video_id = ? order by position',
          [videoId],
        );
      expect(steps.filter((s) => s.attempts !== 1)).toEqual([]);
    },
  );
});

describe("the worker's scratch disk full", () => {
  it(
    'fails the step with the reason, cleans the scratch, and retries once there is room',
    { timeout: 240_000 },
    async () => {
      // All but 16 KiB of the tmpfs taken: the original (tens of KiB) cannot be downloaded.
      const filler = join(scratch, 'filler');
      const free = () => Number(execFileSync('df', ['-B1', '--output=avail', scratch]).toString().split('\n')[1]);
      await writeFile(filler, Buffer.alloc(free() - 16 * 1024));
      let videoId: string;
      try {
        videoId = await upload();
        const during = await untilRetrying(videoId, 'scratch disk is full');
        expect(during.status, JSON.stringify(during.steps)).not.toBe('FAILED');
        // The failed attempt left nothing behind: the filler is the only file.
        expect(await filesUnder(scratch)).toEqual([filler]);
      } finally {
        await rm(filler, { force: true });
      }
      const after = await t.settled(videoId);
      expect(after.status).toBe('READY');
      expect(await filesUnder(scratch)).toEqual([]);
    },
  );

  it(
    'out of inodes (no scratch directory can be made): the step fails with the reason and is retried, not stuck',
    { timeout: 240_000 },
    async () => {
      // A disk full as ext4 is full: not even a directory can be made (here: the tmpfs's one inode is its root). The
      // job's scratch directory is made before any ffmpeg runs; its failure must still be the step's, with the reason.
      // The video before this one is READY while its last jobs may still be removing their directories, and a tmpfs
      // refuses fewer inodes than it holds ("mount point not mounted or bad option" in a CI run): wait until it is empty.
      await waitUntil(
        'the scratch disk empty',
        () => readdir(scratch),
        (entries) => entries.length === 0,
        {
          timeout: 30_000,
        },
      );
      execFileSync('mount', ['-o', 'remount,nr_inodes=1', scratch]);
      let videoId: string;
      try {
        videoId = await upload();
        const during = await untilRetrying(videoId, 'scratch disk is full');
        expect(during.status).not.toBe('FAILED');
      } finally {
        execFileSync('mount', ['-o', 'remount,nr_inodes=0', scratch]);
      }
      const after = await t.settled(videoId);
      expect(after.status).toBe('READY');
      expect(await filesUnder(scratch)).toEqual([]);
    },
  );
});
