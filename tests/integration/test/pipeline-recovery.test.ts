// Failure and recovery: a worker SIGKILLed mid-encode, and a failed step resumed by video.retry.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { processEnv } from '@arvlite/config';
import { Video, VideoStep } from '@arvlite/db';
import { waitFor } from '@arvlite/test-utils';
import { enqueue, jobKey } from '@arvlite/jobs';
import { startWorker } from '@arvlite/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clips, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let companyId: string;
let projectId: string;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: false,
    env: {
      WORKER_HEARTBEAT_INTERVAL_MS: '1000',
      WORKER_DEAD_AFTER_MS: '3000',
      MEDIA_X264_PRESET: 'ultrafast',
      MEDIA_JOB_MAX_ATTEMPTS: '2',
    },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Recovery Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
});
afterAll(async () => {
  for (const stop of stops) await stop();
});

async function upload(path: string, contentType: 'video/mp4' | 'video/webm') {
  const bytes = new Uint8Array(readFileSync(path));
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: path.split('/').pop()!,
    contentType,
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected single');
  await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
  await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
  return created.videoId;
}

const poll = { timeout: 120_000, interval: 200, retry: false };

const ffmpegsFor = (videoId: string) =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /ffmpeg|ffprobe/.test(l) && l.includes(videoId));

/** Where the video's outputs are stored: under pub/<outputId>/ (rows made before output ids: the tenant's out/). */
async function outputPrefix(videoId: string): Promise<string> {
  const v = await platform.deps.orm.fork().findOneOrFail(Video, { id: videoId }, { populate: ['project'] });
  return v.outputId ? `pub/${v.outputId}/` : `${v.company.id}/${v.project.id}/videos/${v.id}/out/`;
}

/** Every object under the video's outputs prefix is one that its outputs list: nothing partial, nothing twice. */
async function expectExactOutputs(videoId: string) {
  const prefix = await outputPrefix(videoId);
  const v = await platform.deps.orm.fork().findOneOrFail(Video, { id: videoId });
  const outputs = v.outputs as {
    master: string;
    renditions: Record<string, { files: string[] }>;
    poster: { jpeg: string; webp: string };
    storyboard: { sprite: string; vtt: string };
  };
  const expected = new Set([
    outputs.master,
    ...Object.values(outputs.renditions).flatMap((r) => r.files),
    outputs.poster.jpeg,
    outputs.poster.webp,
    outputs.storyboard.sprite,
    outputs.storyboard.vtt,
  ]);
  const listed = (await platform.deps.storage.listKeys(prefix)).map((k) => k.slice(prefix.length));
  expect(listed.sort()).toEqual([...expected].sort());
}

describe('pipeline recovery', () => {
  it('a worker SIGKILLed mid-encode does not leave the video stuck: a new worker finishes it', async () => {
    const config = platform.deps.config;
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../../apps/worker/src/main.ts')], {
      env: {
        ...processEnv(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: config.database.url,
        S3_ENDPOINT: config.s3.endpoint,
        S3_BUCKET: config.s3.bucket,
        WORKER_HEARTBEAT_INTERVAL_MS: '1000',
        WORKER_DEAD_AFTER_MS: '3000',
        WORKER_POLL_INTERVAL_MS: '200',
        // A slow preset keeps the encode running long enough to kill it in the middle.
        MEDIA_X264_PRESET: 'slow',
        MEDIA_JOB_MAX_ATTEMPTS: '3',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const videoId = await upload(clips.longEncode(), 'video/webm');
    // Wait until an encode is under way in the child worker.
    await waitFor(
      'an encode in progress',
      async () => {
        const steps = await platform.deps.orm.fork().find(VideoStep, { video: videoId, status: 'running' });
        return (
          steps.some((s) => (s.name === 'playable' || s.name.startsWith('rendition:')) && s.progress > 0) &&
          ffmpegsFor(videoId).length > 0
        );
      },
      poll,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Its ffmpeg dies with it: no orphan keeps burning CPU.
    await waitFor('ffmpeg to exit', async () => ffmpegsFor(videoId).length === 0, { ...poll, timeout: 10_000 });
    // Resumed within the wait's limit below: WORKER_DEAD_AFTER_MS (3 s) + a heartbeat (1 s) until the job runs again,
    // plus the work itself (no separate assertion on the clock).

    const worker = await startWorker(platform.deps, { concurrency: 3 });
    stops.push(() => worker.stop());
    await waitFor(
      'READY',
      async () => (await platform.deps.orm.fork().findOne(Video, { id: videoId }))?.status === 'READY',
      { ...poll, timeout: 150_000 },
    ).catch(async (e) => {
      const em = platform.deps.orm.fork();
      const jobs = await em.execute(
        `select j.id, t.identifier, j.attempts, j.max_attempts, j.locked_by, j.locked_at, j.run_at, j.last_error from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id`,
      );
      const steps = await em.find(VideoStep, { video: videoId });
      const hb = await em.execute('select * from worker_heartbeat');
      throw new Error(
        `${(e as Error).message}\n${JSON.stringify({ jobs, steps: steps.map((s) => [s.name, s.status, s.progress, s.errorMessage]), hb }, null, 1)}`,
      );
    });
    await expectExactOutputs(videoId);
    await worker.stop();
  }, 200_000);

  it('video.retry resumes from the failed step, keeping what was done', async () => {
    // One job per rung and one for the images (the path of clips longer than MEDIA_LADDER_ONE_PASS_MAX_S): worker 1
    // runs everything but images, so the images job waits in the queue.
    const media = { ...platform.deps.config.media, ladderOnePassMaxS: 0 };
    const perRung = { ...platform.deps, config: { ...platform.deps.config, media } };
    const w1 = await startWorker(perRung, {
      concurrency: 3,
      tasks: ['video:process', 'video:rendition', 'video:analyze', 'video:finalize', 'system:reap-workers'],
    });
    const videoId = await upload(clips.oneSecond(), 'video/mp4');
    await waitFor(
      'renditions and analysis done',
      async () => {
        const steps = await platform.deps.orm.fork().find(VideoStep, { video: videoId });
        return (
          steps.length > 3 &&
          steps.filter((s) => s.name !== 'images' && s.name !== 'finalize').every((s) => s.status === 'done')
        );
      },
      poll,
    );
    await w1.stop();
    // Break the images step for real: the rendition it reads from disappears from storage.
    const key = `${await outputPrefix(videoId)}source.mp4`;
    const saved = await platform.deps.storage.getBytes(key);
    await platform.deps.storage.delete(key);
    const w2 = await startWorker(perRung, { concurrency: 3 });
    stops.push(() => w2.stop());
    const failed = await waitFor(
      'FAILED',
      async () => {
        const d = await owner.client.video.byId.query({ id: videoId });
        return d.status === 'FAILED' ? d : null;
      },
      { ...poll, timeout: 60_000 },
    );
    expect(failed.failure?.code).toBe('IMAGES_FAILED');
    expect(failed.failure?.message).toMatch(/poster and storyboard/);
    expect(failed.steps.find((s) => s.name === 'images')).toMatchObject({ status: 'failed', attempts: 2 });
    const doneBefore = failed.steps.filter((s) => s.status === 'done').map((s) => s.name);
    const finishedBefore = failed.steps.filter((s) => s.status === 'done').map((s) => s.finishedAt!.getTime());

    await platform.deps.storage.put(key, saved, 'video/mp4');
    const res = await owner.client.video.retry.mutate({ id: videoId });
    expect(res.resumedFrom).toEqual(['images']);
    const ready = await waitFor(
      'READY',
      async () => {
        const d = await owner.client.video.byId.query({ id: videoId });
        return d.status === 'READY' ? d : null;
      },
      { ...poll, timeout: 60_000 },
    );
    // The steps that were done were not run again.
    expect(ready.steps.filter((s) => doneBefore.includes(s.name)).map((s) => s.finishedAt!.getTime())).toEqual(
      finishedBefore,
    );
    expect(ready.playback?.posterUrl).toBeTruthy();
  }, 150_000);

  it('a late retry of video:process (its worker killed after it fanned out) restarts nothing: video.ready once', async () => {
    const worker = await startWorker(platform.deps, { concurrency: 3 });
    stops.push(() => worker.stop());
    const db = () => platform.deps.orm.fork();
    let id = '';
    const readyEvents = async () =>
      (
        await db().execute<{ n: number }[]>(
          `select count(*)::int as n from outbox_event where type = 'video.ready' and payload->>'videoId' = ?`,
          [id],
        )
      )[0]!.n;
    const readyRow = () =>
      waitFor(
        'READY',
        async () => {
          const v = await db().findOne(Video, { id });
          return v?.status === 'READY' ? v : null;
        },
        { ...poll, timeout: 60_000 },
      );
    /** Runs a video:process job with this payload (as graphile-worker runs a job again once its lock is released). */
    const runProcessJob = async (payload: { videoId: string; restart?: string }) => {
      await db().transactional((tem) => enqueue(tem, 'video:process', payload));
      await waitFor(
        'the job to have run',
        async () =>
          (
            await db().execute(`select 1 from graphile_worker._private_jobs where key = ?`, [
              jobKey('video:process', payload),
            ])
          ).length === 0,
        poll,
      );
    };

    id = await upload(clips.oneSecond(), 'video/mp4');
    const first = await readyRow();
    expect(await readyEvents()).toBe(1);
    // The upload's job once more, after the rest of the pipeline finished: the video stays as it is, announced once.
    await runProcessJob({ videoId: id });
    const after = await db().findOneOrFail(Video, { id });
    expect([after.status, after.readyAt?.getTime()]).toEqual(['READY', first.readyAt!.getTime()]);
    expect(await readyEvents()).toBe(1);

    // A reprocess asked for restarts it (its job carries the row's token) and announces it again, once; that job run
    // once more afterwards restarts nothing either.
    await worker.stop();
    await owner.client.video.reprocess.mutate({ id });
    const [job] = await db().execute<{ payload: { videoId: string; restart?: string } }[]>(
      `select payload from graphile_worker._private_jobs where key = ?`,
      [jobKey('video:process', { videoId: id })],
    );
    expect(job!.payload.restart).toMatch(/^[0-9a-f]{32}$/);
    expect((await db().findOneOrFail(Video, { id })).restartToken).toBe(job!.payload.restart);
    const again = await startWorker(platform.deps, { concurrency: 3 });
    stops.push(() => again.stop());
    await waitFor('restarted and READY again', async () => (await readyEvents()) === 2, { ...poll, timeout: 60_000 });
    const second = await readyRow();
    expect(second.readyAt!.getTime()).toBeGreaterThan(first.readyAt!.getTime());
    expect(second.restartToken).toBeNull();
    await runProcessJob(job!.payload);
    const last = await db().findOneOrFail(Video, { id });
    expect([last.status, last.readyAt?.getTime()]).toEqual(['READY', second.readyAt!.getTime()]);
    expect(await readyEvents()).toBe(2);
  }, 150_000);
});
