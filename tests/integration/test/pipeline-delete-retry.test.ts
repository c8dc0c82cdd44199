// Deleting and retrying videos against pipeline steps, driven one job at a time: the queued jobs are run with
// a graphile-worker runner of the named tasks over the real tasks (real ffmpeg, Postgres, s3rver), and "while a step runs" is a hook on
// the worker's storage that fires when the step writes its first output. No sleeps: each step runs to its end.
//  - a video deleted while a step runs, the step then succeeding: nothing of it stays in storage, its bytes leave the
//    quota, the row stays deleted (never READY, no video.ready), whether video:delete ran before the step ended or after;
//  - video.retry on a video that is not FAILED is CONFLICT and changes nothing;
//  - retry after a failed rendition or analysis step redoes only that step (and finalize), and finishes the steps
//    whose jobs found the video already FAILED.
// Those run the per-rung path (one job per rung, as clips longer than MEDIA_LADDER_ONE_PASS_MAX_S get); the last block
// runs the one-pass ladder (video:ladder: the rungs, poster and storyboard in one job), which short clips get.
import { ObjectStorage } from '@arvlite/storage';
import { createTaskList } from '@arvlite/jobs/runtime';
import { createTestDeps } from '@arvlite/test-utils';
import { Logger, run, type TaskList } from 'graphile-worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject, signUp, uploadClip } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let tasks: TaskList;
/** The same tasks with the one-pass ladder on (the default for short clips). */
let onePassTasks: TaskList;
/** The same tasks on another worker: it has no copy of an original that video:process read on the first one. */
let elsewhere: TaskList;
/** Called (once, then cleared) before the worker writes an object whose key matches. */
let hook: { match: RegExp; run: () => Promise<void>; fired?: boolean } | null = null;
/** Every key the worker downloaded whole (storage.download). */
const downloaded: string[] = [];

const silent = new Logger(() => () => {});

beforeAll(async () => {
  deps = await createTestDeps({
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_JOB_MAX_ATTEMPTS: '1',
    // One job per rung (what long clips get); the one-pass block below turns the one-pass ladder on.
    MEDIA_LADDER_ONE_PASS_MAX_S: '0',
    // A company per test.
    COMPANY_MAX_PER_USER: '20',
    LOG_LEVEL: 'silent',
  });
  // The worker's own storage client, with a hook in front of its writes (the API keeps the plain one).
  const storage = new ObjectStorage({ ...deps.config.s3 });
  const before = async (key: string) => {
    if (hook && !hook.fired && hook.match.test(key)) {
      hook.fired = true;
      await hook.run();
    }
  };
  const putFile = storage.putFile.bind(storage);
  const put = storage.put.bind(storage);
  storage.putFile = async (key, ...rest) => (await before(key), putFile(key, ...rest));
  storage.put = async (key, ...rest) => (await before(key), put(key, ...rest));
  const download = storage.download.bind(storage);
  storage.download = async (key, ...rest) => (downloaded.push(key), download(key, ...rest));
  tasks = createTaskList({ ...deps, storage });
  elsewhere = createTaskList({ ...deps, storage });
  const media = { ...deps.config.media, ladderOnePassMaxS: 600 };
  onePassTasks = createTaskList({ ...deps, storage, config: { ...deps.config, media } });
  owner = await signUp(deps);
});

/**
 * Runs every queued job of these tasks that is due, one at a time, until none is left: a runner of these tasks only,
 * stopped once no job of theirs is running or due (graphile-worker's runOnce can return before its last completion
 * is written, leaving that job and its queue locked). stop() flushes the completions.
 */
async function drain(...names: string[]) {
  return drainFrom(tasks, names);
}

async function drainFrom(from: TaskList, names: string[]) {
  const list = Object.fromEntries(names.map((n) => [n, from[n]!]));
  // Jobs another runner holds (a drain started from inside a running job) are not this one's to wait for.
  const busy = (
    await sql<{ id: string }>('select id::text as id from graphile_worker._private_jobs where locked_at is not null')
  ).map((r) => r.id);
  const runner = await run({
    connectionString: deps.config.database.url,
    concurrency: 1,
    pollInterval: 50,
    noHandleSignals: true,
    logger: silent,
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: list,
  });
  try {
    for (;;) {
      const [{ n }] = (await sql<{ n: number }>(
        `select count(*)::int as n from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier in (select jsonb_array_elements_text(?::jsonb))
            and j.id::text not in (select jsonb_array_elements_text(?::jsonb))
            and (j.locked_at is not null or (j.attempts < j.max_attempts and j.run_at <= now()))`,
        [JSON.stringify(names), JSON.stringify(busy)],
      )) as [{ n: number }];
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await runner.stop();
  }
}

/** Uploads a 1 s 480×270 clip (remuxed to be playable, one 270p rendition) and completes it: video:process is queued. */
const upload = (projectId: string) => uploadClip(owner, projectId);

const sql = <T>(query: string, params: unknown[] = []) => deps.orm.fork().execute<T[]>(query, params);

async function row(videoId: string) {
  const [v] = await sql<{
    status: string;
    deleted_at: string | null;
    ready_at: string | null;
    output_id: string | null;
    outputs: { renditions?: Record<string, unknown> } | null;
    stored_bytes: string;
  }>('select status, deleted_at, ready_at, output_id, outputs, stored_bytes from video where id = ?', [videoId]);
  return v ?? null;
}

async function companyBytes(companyId: string) {
  const [c] = await sql<{ used: string; reserved: string }>(
    'select storage_used_bytes as used, storage_reserved_bytes as reserved from company where id = ?',
    [companyId],
  );
  return { used: Number(c!.used), reserved: Number(c!.reserved) };
}

async function keysOf(companyId: string, outputId: string | null) {
  return [
    ...(await deps.storage.listKeys(`${companyId}/`)),
    ...(outputId ? await deps.storage.listKeys(`pub/${outputId}/`) : []),
  ];
}

/** Every job row of a task for this video: waiting, to be retried, or failed for good (kept by graphile-worker). */
async function jobsFor(videoId: string, task: string) {
  return sql<{ attempts: number; max_attempts: number; last_error: string | null }>(
    `select j.attempts, j.max_attempts, j.last_error from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = ? and j.payload->>'videoId' = ?`,
    [task, videoId],
  );
}

/** Jobs of a task for this video that will still run. */
async function toRun(videoId: string, task: string) {
  return (await jobsFor(videoId, task)).filter((j) => j.attempts < j.max_attempts);
}

async function eventsFor(videoId: string) {
  const rows = await sql<{ type: string }>(`select type from outbox_event where payload->>'videoId' = ? order by id`, [
    videoId,
  ]);
  return rows.map((r) => r.type);
}

async function stepsOf(videoId: string) {
  const d = await owner.caller.video.byId({ id: videoId });
  return Object.fromEntries(d.steps.map((s) => [s.name, s]));
}

describe('a video deleted while a step runs, the step then succeeding', () => {
  it('deleted and swept (video:delete done) while its rendition encodes: nothing comes back, nothing stays', async () => {
    const { companyId, projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drain('video:process');
    const { output_id: outputId } = (await row(videoId))!;
    expect((await stepsOf(videoId))['rendition:270p']?.status).toBe('pending');

    hook = {
      match: /\/270p[._]/,
      run: async () => {
        await owner.caller.video.delete({ id: videoId });
        await drain('video:delete');
        expect(await row(videoId)).toBeNull();
      },
    };
    await drain('video:rendition');
    expect(hook.fired).toBe(true);

    expect(await row(videoId)).toBeNull();
    expect(await keysOf(companyId, outputId)).toEqual([]);
    expect(await companyBytes(companyId)).toEqual({ used: 0, reserved: 0 });
    // The job succeeded: nothing left to retry, no failure recorded.
    expect(await jobsFor(videoId, 'video:rendition')).toEqual([]);
    expect(await eventsFor(videoId)).not.toContain('video.ready');
    await expect(owner.caller.video.byId({ id: videoId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 120_000);

  it('deleted (not yet swept) while its rendition encodes: the rendition is not recorded on the deleted row', async () => {
    const { companyId, projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drain('video:process');
    const before = (await row(videoId))!;
    const bytesBefore = await companyBytes(companyId);

    hook = { match: /\/270p[._]/, run: () => owner.caller.video.delete({ id: videoId }).then(() => undefined) };
    await drain('video:rendition');
    expect(hook.fired).toBe(true);

    const after = (await row(videoId))!;
    expect(after.deleted_at).not.toBeNull();
    expect(after.status).toBe('PROCESSING');
    expect(Object.keys(after.outputs?.renditions ?? {})).toEqual(Object.keys(before.outputs?.renditions ?? {}));
    expect(after.stored_bytes).toBe(before.stored_bytes);
    // Its files went again, and their bytes with them.
    expect((await keysOf(companyId, before.output_id)).filter((k) => k.includes('270p'))).toEqual([]);
    expect(await companyBytes(companyId)).toEqual(bytesBefore);
    expect(await jobsFor(videoId, 'video:rendition')).toEqual([]);

    // The sweep then leaves nothing at all.
    await drain('video:delete');
    expect(await row(videoId)).toBeNull();
    expect(await keysOf(companyId, before.output_id)).toEqual([]);
    expect(await companyBytes(companyId)).toEqual({ used: 0, reserved: 0 });
  }, 120_000);

  it('deleted while finalize writes the master playlist: never READY, no video.ready, then swept clean', async () => {
    const { companyId, projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drain('video:process');
    await drain('video:rendition', 'video:images', 'video:analyze');
    expect((await toRun(videoId, 'video:finalize')).length).toBe(1);

    hook = { match: /\/master\.m3u8$/, run: () => owner.caller.video.delete({ id: videoId }).then(() => undefined) };
    await drain('video:finalize');
    expect(hook.fired).toBe(true);

    const after = (await row(videoId))!;
    expect(after.deleted_at).not.toBeNull();
    expect(after.status).toBe('PROCESSING');
    expect(after.ready_at).toBeNull();
    expect(await eventsFor(videoId)).not.toContain('video.ready');
    expect(await jobsFor(videoId, 'video:finalize')).toEqual([]);
    await expect(owner.caller.video.byId({ id: videoId })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await drain('video:delete');
    expect(await row(videoId)).toBeNull();
    expect(await keysOf(companyId, after.output_id)).toEqual([]);
    expect(await companyBytes(companyId)).toEqual({ used: 0, reserved: 0 });
  }, 120_000);
});

/** A stored object taken away (to break a step for real) and put back as it was, same bytes and so the same ETag. */
async function takeAway(key: string) {
  const bytes = await deps.storage.getBytes(key);
  await deps.storage.delete(key);
  return () => deps.storage.put(key, bytes);
}

async function outputKey(videoId: string, file: string) {
  const v = (await row(videoId))!;
  return `pub/${v.output_id}/${file}`;
}

function finishedAt(steps: Awaited<ReturnType<typeof stepsOf>>, names: string[]) {
  return Object.fromEntries(names.map((n) => [n, steps[n]?.finishedAt?.getTime() ?? null]));
}

async function auditActions(videoId: string) {
  const rows = await sql<{ action: string }>(`select action from audit_log where target_id = ? order by created_at`, [
    videoId,
  ]);
  return rows.map((r) => r.action);
}

describe('video.retry', () => {
  it('is CONFLICT for a video that is not FAILED, in every other state, and changes nothing', async () => {
    const { projectId } = await newProject(owner, 'Pipeline');
    const snapshot = async (videoId: string) => ({
      status: (await row(videoId))!.status,
      jobs: (
        await sql<{ n: number }>(
          `select count(*)::int as n from graphile_worker._private_jobs where payload->>'videoId' = ?`,
          [videoId],
        )
      )[0]!.n,
      audit: await auditActions(videoId),
    });
    const refused = async (videoId: string, status: string) => {
      const before = await snapshot(videoId);
      expect(before.status).toBe(status);
      await expect(owner.caller.video.retry({ id: videoId })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: 'Only a video that failed processing can be retried',
        cause: { details: { status } },
      });
      expect(await snapshot(videoId)).toEqual(before);
    };

    const awaiting = await owner.caller.video.createUpload({
      projectId,
      fileName: 'never.mp4',
      contentType: 'video/mp4',
      size: 1000,
    });
    await refused(awaiting.videoId, 'AWAITING_UPLOAD');
    const videoId = await upload(projectId);
    await refused(videoId, 'UPLOADED');
    await drain('video:process');
    await refused(videoId, 'PROCESSING');
    await drain('video:rendition', 'video:images', 'video:analyze');
    await drain('video:finalize');
    await refused(videoId, 'READY');
  }, 120_000);

  it('after a failed rendition: redoes that rendition (and finalize) only', async () => {
    const { projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drain('video:process');
    await drain('video:images', 'video:analyze');
    // The rendition reads the original: on a worker without a copy of its own, without it the step fails for good.
    const original = `${(await sql<{ original_key: string }>('select original_key from video where id = ?', [videoId]))[0]!.original_key}`;
    const putBack = await takeAway(original);
    await drainFrom(elsewhere, ['video:rendition']);
    const failed = await owner.caller.video.byId({ id: videoId });
    expect(failed.status).toBe('FAILED');
    expect(failed.failure?.code).toBe('ORIGINAL_MISSING');
    const steps = await stepsOf(videoId);
    expect(steps['rendition:270p']?.status).toBe('failed');
    const kept = ['probe', 'playable', 'images', 'analysis'];
    for (const n of kept) expect(steps[n]?.status, n).toBe('done');
    const keptAt = finishedAt(steps, kept);

    await putBack();
    expect(await owner.caller.video.retry({ id: videoId })).toEqual({ ok: true, resumedFrom: ['rendition:270p'] });
    expect((await toRun(videoId, 'video:rendition')).length).toBe(1);
    expect(await toRun(videoId, 'video:images')).toEqual([]);
    expect(await toRun(videoId, 'video:analyze')).toEqual([]);
    expect(await toRun(videoId, 'video:process')).toEqual([]);
    await drain('video:rendition');
    await drain('video:finalize');
    const ready = await owner.caller.video.byId({ id: videoId });
    expect(ready.status).toBe('READY');
    expect(ready.renditions.map((r) => r.name)).toEqual(['270p']);
    expect(finishedAt(await stepsOf(videoId), kept)).toEqual(keptAt);
  }, 120_000);

  it('after a failed analysis: redoes the analysis (and finalize) only', async () => {
    const { projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drain('video:process');
    await drain('video:rendition', 'video:images');
    // The analyzers read the playable rendition: without it the step fails (one attempt in this file).
    const putBack = await takeAway(await outputKey(videoId, 'source.mp4'));
    await drain('video:analyze');
    const failed = await owner.caller.video.byId({ id: videoId });
    expect(failed.status).toBe('FAILED');
    expect(failed.failure?.code).toBe('ANALYSIS_FAILED');
    const kept = ['probe', 'playable', 'rendition:270p', 'images'];
    const steps = await stepsOf(videoId);
    for (const n of kept) expect(steps[n]?.status, n).toBe('done');
    const keptAt = finishedAt(steps, kept);

    await putBack();
    expect(await owner.caller.video.retry({ id: videoId })).toEqual({ ok: true, resumedFrom: ['analysis'] });
    expect((await toRun(videoId, 'video:analyze')).length).toBe(1);
    expect(await toRun(videoId, 'video:rendition')).toEqual([]);
    expect(await toRun(videoId, 'video:images')).toEqual([]);
    await drain('video:analyze');
    await drain('video:finalize');
    const ready = await owner.caller.video.byId({ id: videoId });
    expect(ready.status).toBe('READY');
    expect(Object.keys(ready.analysis ?? {}).length).toBeGreaterThan(0);
    expect(finishedAt(await stepsOf(videoId), kept)).toEqual(keptAt);
  }, 120_000);

  it('after a rendition failed before the other steps ran: retry finishes them too', async () => {
    const { projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drain('video:process');
    const original = (await sql<{ original_key: string }>('select original_key from video where id = ?', [videoId]))[0]!
      .original_key;
    const putBack = await takeAway(original);
    await drainFrom(elsewhere, ['video:rendition']);
    expect((await row(videoId))!.status).toBe('FAILED');
    // Their jobs run now, find the video FAILED, and leave their steps as they were.
    await drain('video:images', 'video:analyze');
    const steps = await stepsOf(videoId);
    expect([steps.images?.status, steps.analysis?.status]).toEqual(['pending', 'pending']);

    await putBack();
    const res = await owner.caller.video.retry({ id: videoId });
    expect(res.resumedFrom).toEqual(expect.arrayContaining(['rendition:270p']));
    await drain('video:rendition', 'video:images', 'video:analyze');
    await drain('video:finalize');
    const ready = await owner.caller.video.byId({ id: videoId });
    const seen = JSON.stringify({
      steps: ready.steps.map((s) => [s.name, s.status, s.error]),
      jobs: await sql(
        `select t.identifier, j.attempts, j.max_attempts, j.last_error, j.run_at > now() as later from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id where j.payload->>'videoId' = ?`,
        [videoId],
      ),
    });
    expect(ready.status, seen).toBe('READY');
    expect(ready.steps.every((s) => s.status === 'done')).toBe(true);
    expect(ready.steps.map((s) => s.name).sort()).toEqual([
      'analysis',
      'finalize',
      'images',
      'playable',
      'probe',
      'rendition:270p',
    ]);
  }, 120_000);
});

describe('the one-pass ladder (video:ladder)', () => {
  const drainOnePass = (...names: string[]) => drainFrom(onePassTasks, names);

  it('a short clip gets one ladder job for its rungs, poster and storyboard, and ends READY with all of them', async () => {
    const { companyId, projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drainOnePass('video:process');
    expect((await toRun(videoId, 'video:ladder')).length).toBe(1);
    expect(await toRun(videoId, 'video:rendition')).toEqual([]);
    expect(await toRun(videoId, 'video:images')).toEqual([]);
    // The built-in analyzers run in the same pass: no job of their own.
    expect(await toRun(videoId, 'video:analyze')).toEqual([]);
    // The remux read the original in place, and the worker kept what it read: the pass does not download it again.
    downloaded.length = 0;
    await drainOnePass('video:ladder');
    expect(downloaded).toEqual([]);
    await drainOnePass('video:finalize');
    const ready = await owner.caller.video.byId({ id: videoId });
    expect(ready.status).toBe('READY');
    expect(ready.renditions.map((r) => r.name)).toEqual(['270p']);
    expect(ready.steps.every((s) => s.status === 'done')).toBe(true);
    const v = (await row(videoId))!;
    const outputs = v.outputs as { poster?: { jpeg: string }; storyboard?: { sprite: string; vtt: string } };
    const keys = await keysOf(companyId, v.output_id);
    for (const f of ['270p.mp4', '270p.m3u8', '270p_00000.ts', 'poster.jpg', 'poster.webp', 'storyboard.jpg'])
      expect(keys, f).toContain(`pub/${v.output_id}/${f}`);
    expect(outputs.poster?.jpeg).toBe('poster.jpg');
    expect(outputs.storyboard?.vtt).toBe('storyboard.vtt');
    expect(ready.analysis).toMatchObject({
      scenes: { ok: true },
      loudness: { ok: true, result: { hasAudio: true } },
      'silence-black': { ok: true },
    });
  }, 120_000);

  it('deleted and swept while the pass publishes: nothing comes back, nothing stays', async () => {
    const { companyId, projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drainOnePass('video:process');
    const { output_id: outputId } = (await row(videoId))!;
    hook = {
      match: /\/270p[._]/,
      run: async () => {
        await owner.caller.video.delete({ id: videoId });
        await drainOnePass('video:delete');
        expect(await row(videoId)).toBeNull();
      },
    };
    await drainOnePass('video:ladder');
    expect(hook.fired).toBe(true);
    expect(await row(videoId)).toBeNull();
    expect(await keysOf(companyId, outputId)).toEqual([]);
    expect(await companyBytes(companyId)).toEqual({ used: 0, reserved: 0 });
    expect(await jobsFor(videoId, 'video:ladder')).toEqual([]);
    expect(await eventsFor(videoId)).not.toContain('video.ready');
  }, 120_000);

  it('storage failing mid-publish: the pass runs again and the company is charged for its outputs once', async () => {
    const { companyId, projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drainOnePass('video:process');
    // The renditions are stored (and charged); then the poster's upload meets storage away for a moment: the step runs
    // again in this attempt and stores them all again.
    hook = {
      match: /\/poster\.(jpg|webp)$/,
      run: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })),
    };
    await drainOnePass('video:ladder');
    expect(hook.fired).toBe(true);
    await drainOnePass('video:finalize');
    const v = (await row(videoId))!;
    expect(v.status).toBe('READY');
    // Charged: the original and each output once, which is what the row records (no other video in this company).
    expect(await companyBytes(companyId)).toEqual({ used: Number(v.stored_bytes), reserved: 0 });
    const stored = await sql<{ sum: string }>('select sum(stored_bytes) as sum from video where company_id = ?', [
      companyId,
    ]);
    expect(Number(stored[0]!.sum)).toBe(Number(v.stored_bytes));
  }, 120_000);

  it('a failed pass fails all its steps at once; retry redoes each of them and keeps the rest', async () => {
    const { projectId } = await newProject(owner, 'Pipeline');
    const videoId = await upload(projectId);
    await drainOnePass('video:process');
    // No room left for the pass's outputs: the job fails for good (the original itself is in the worker's cache).
    const { companyId } = (
      await sql<{ companyId: string }>('select company_id as "companyId" from video where id = ?', [videoId])
    )[0]!;
    const { quota } = (
      await sql<{ quota: string }>('select storage_quota_bytes as quota from company where id = ?', [companyId])
    )[0]!;
    await sql('update company set storage_quota_bytes = storage_used_bytes + storage_reserved_bytes where id = ?', [
      companyId,
    ]);
    await drainOnePass('video:ladder');
    const failed = await owner.caller.video.byId({ id: videoId });
    expect(failed.status).toBe('FAILED');
    expect(failed.failure?.code).toBe('QUOTA_EXCEEDED');
    const steps = await stepsOf(videoId);
    expect([steps['rendition:270p']?.status, steps.images?.status, steps.analysis?.status]).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
    expect(steps['rendition:270p']?.error?.message).toMatch(/storage quota/);
    const kept = ['probe', 'playable'];
    for (const n of kept) expect(steps[n]?.status, n).toBe('done');
    const keptAt = finishedAt(steps, kept);
    expect((await eventsFor(videoId)).filter((e) => e === 'video.failed')).toHaveLength(1);

    await sql('update company set storage_quota_bytes = ? where id = ?', [quota, companyId]);
    const res = await owner.caller.video.retry({ id: videoId });
    expect([...res.resumedFrom].sort()).toEqual(['analysis', 'images', 'rendition:270p']);
    await drainOnePass('video:rendition', 'video:images', 'video:analyze');
    await drainOnePass('video:finalize');
    const ready = await owner.caller.video.byId({ id: videoId });
    // ci54 once saw FAILED here (not reproduced): say which step failed, and why.
    expect(ready.status, JSON.stringify(ready.steps.map((s) => [s.name, s.status, s.error]))).toBe('READY');
    expect(ready.renditions.map((r) => r.name)).toEqual(['270p']);
    expect(ready.steps.every((s) => s.status === 'done')).toBe(true);
    expect(finishedAt(await stepsOf(videoId), kept)).toEqual(keptAt);
  }, 120_000);
});
