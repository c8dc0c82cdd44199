import { createHash } from 'node:crypto';
import { TRPCClientError, uploadVideo, uploadVideoFile, type AppRouter } from '@arvlite/client';
import * as nodeClient from '@arvlite/client/node';
import { AuditLog, Company, UploadSession, Video } from '@arvlite/db';
import { jobKey } from '@arvlite/jobs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { paddedMp4, registerUser, startTestPlatform, tinyMp4, tinyPng, type TestUser } from '../src/index.ts';

const MiB = 1024 * 1024;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let companyId: string;
let projectId: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: {
      UPLOAD_MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
      UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
      COMPANY_DEFAULT_QUOTA_BYTES: String(100 * MiB),
      LOG_LEVEL: 'error',
      // Uploads only: processing (which adds output bytes to the quota) is the pipeline tests' business.
      WORKER_TASKS: 'system:reap-workers,upload:expire,video:delete',
    },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Uploads Inc' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
});

const bytesSource = (bytes: Uint8Array) => ({
  size: bytes.length,
  slice: (s: number, e: number) => bytes.subarray(s, e),
});

async function fail(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected failure');
}
const reason = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details?.reason;

async function quota() {
  const c = await platform.deps.orm.fork().findOneOrFail(Company, { id: companyId });
  return { used: c.storageUsedBytes, reserved: c.storageReservedBytes };
}
async function jobsFor(videoId: string) {
  return platform.deps.orm
    .fork()
    .execute<{ key: string }[]>(`select key from graphile_worker._private_jobs where key = ?`, [
      jobKey('video:process', { videoId }),
    ]);
}

describe('video uploads straight to storage', () => {
  it('single upload: presigned PUT, verify, UPLOADED with one processing job, quota moved to usage', async () => {
    const bytes = tinyMp4();
    const before = await quota();
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'tiny.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    expect(created.kind).toBe('single');
    if (created.kind !== 'single') return;
    expect((await quota()).reserved).toBe(before.reserved + bytes.length);
    const put = await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
    expect(put.ok).toBe(true);
    const done = await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    expect(done).toMatchObject({ status: 'UPLOADED', container: 'mp4', sizeBytes: bytes.length });
    const again = await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    expect(again.status).toBe('UPLOADED');
    expect(await jobsFor(created.videoId)).toHaveLength(1);
    const after = await quota();
    expect(after).toEqual({ used: before.used + bytes.length, reserved: before.reserved });
    const stored = await platform.deps.orm.fork().findOneOrFail(Video, { id: created.videoId });
    expect(stored.originalKey).toBe(`${companyId}/${projectId}/videos/${created.videoId}/original`);
  });

  it('multipart with 3 parts in parallel through the shared client helper', async () => {
    const bytes = paddedMp4(12 * MiB);
    const progress: number[] = [];
    const video = await uploadVideo(
      owner.client,
      { projectId, fileName: 'big.mp4', contentType: 'video/mp4' },
      bytesSource(bytes),
      {
        onProgress: (p) => progress.push(p.uploadedBytes),
      },
    );
    expect(video.status).toBe('UPLOADED');
    expect(progress.at(-1)).toBe(bytes.length);
    const session = await platform.deps.orm.fork().findOneOrFail(UploadSession, { video: video.id });
    expect(session.partCount).toBe(3);
    const head = await platform.deps.storage.head(`${companyId}/${projectId}/videos/${video.id}/original`);
    expect(head?.size).toBe(bytes.length);
  });

  it('Node entry: parts PUT through node:http (Uint8Array and Blob bodies), all signed in one call', async () => {
    // A company of its own, so these uploads leave the other tests' quota alone.
    const ownCompany = (await owner.client.company.create.mutate({ name: 'Node uploads' })).id;
    const projectId = (await owner.client.project.create.mutate({ companyId: ownCompany, name: 'Node' })).id;
    const bytes = paddedMp4(12 * MiB + 12345);
    const partSize = 5 * MiB;
    // Completion leaves the original as one object (s3rver's ETag is then the MD5 of the whole): only the exact bytes match.
    const expectedEtag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    for (const [name, source] of [
      ['bytes.mp4', bytesSource(bytes)],
      ['blob.mp4', { size: bytes.length, slice: (s: number, e: number) => new Blob([bytes]).slice(s, e) }],
    ] as const) {
      let signCalls = 0;
      let puts = 0;
      const api = {
        start: (size: number) =>
          owner.client.video.createUpload.mutate({ projectId, fileName: name, contentType: 'video/mp4', size }),
        signParts: (videoId: string, partNumbers: number[]) => {
          signCalls++;
          return owner.client.video.signUploadParts.mutate({ videoId, partNumbers });
        },
        signUpload: (videoId: string) => owner.client.video.signUpload.mutate({ videoId }),
        listParts: (videoId: string) => owner.client.video.listUploadedParts.query({ videoId }),
        complete: (videoId: string) => owner.client.video.completeUpload.mutate({ videoId }),
      };
      const video = await nodeClient.uploadWith(api, source, {
        // 4 workers for 3 parts: each takes a part before the first signing call answers.
        concurrency: 4,
        put: async (...args) => {
          puts++;
          return nodeClient.nodePut(...args);
        },
      });
      expect(video.status).toBe('UPLOADED');
      expect(puts).toBe(3);
      expect(signCalls).toBe(1);
      const head = await platform.deps.storage.head(`${ownCompany}/${projectId}/videos/${video.id}/original`);
      expect(head?.size).toBe(bytes.length);
      expect(head?.etag).toBe(expectedEtag);
    }
    // The Node entry's uploadVideo sends with nodePut by itself; and a PUT storage refuses answers its status.
    const video = await nodeClient.uploadVideo(
      owner.client,
      { projectId, fileName: 'node.mp4', contentType: 'video/mp4' },
      bytesSource(bytes),
    );
    expect(video.status).toBe('UPLOADED');
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'tampered.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const { parts } = await owner.client.video.signUploadParts.mutate({ videoId: created.videoId, partNumbers: [1] });
    const tampered = new URL(parts[0]!.url);
    tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const refused = await nodeClient.nodePut(tampered.toString(), bytes.subarray(0, partSize), {});
    expect(refused).toEqual({ status: 403, etag: null });
  });

  it('resumes: sign all parts, upload 2, list what storage holds, upload the rest, complete', async () => {
    const bytes = paddedMp4(12 * MiB);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'resume.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const { parts } = await owner.client.video.signUploadParts.mutate({
      videoId: created.videoId,
      partNumbers: [1, 2, 3],
    });
    for (const p of parts.slice(0, 2)) {
      const start = (p.partNumber - 1) * created.partSize;
      expect((await fetch(p.url, { method: 'PUT', body: bytes.subarray(start, start + created.partSize) })).ok).toBe(
        true,
      );
    }
    const listed = await owner.client.video.listUploadedParts.query({ videoId: created.videoId });
    expect(listed.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    // Completing now lists exactly what is missing.
    const early = await fail(owner.client.video.completeUpload.mutate({ videoId: created.videoId }));
    expect(early.message).toMatch(/missing parts: 3/);
    // After a "reload", the helper picks up where storage left off.
    const uploadedBefore: number[] = [];
    const video = await uploadVideoFile(owner.client, created.videoId, bytesSource(bytes), {
      onProgress: (p) => uploadedBefore.push(p.uploadedBytes),
    });
    expect(uploadedBefore[0]).toBe(2 * created.partSize);
    expect(video.status).toBe('UPLOADED');
  });

  it('reports duplicate parts and wrong ETags instead of assembling a corrupt object', async () => {
    const bytes = paddedMp4(11 * MiB);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'etag.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const { parts } = await owner.client.video.signUploadParts.mutate({
      videoId: created.videoId,
      partNumbers: [1, 2, 3],
    });
    const etags: string[] = [];
    for (const p of parts) {
      const start = (p.partNumber - 1) * created.partSize;
      const res = await fetch(p.url, { method: 'PUT', body: bytes.subarray(start, start + created.partSize) });
      etags.push(res.headers.get('etag')!);
    }
    const dup = await fail(
      owner.client.video.completeUpload.mutate({
        videoId: created.videoId,
        parts: [
          { partNumber: 1, etag: etags[0]! },
          { partNumber: 1, etag: etags[0]! },
          { partNumber: 2, etag: etags[1]! },
          { partNumber: 3, etag: etags[2]! },
        ],
      }),
    );
    expect(dup.message).toMatch(/duplicate parts: 1/);
    const wrong = await fail(
      owner.client.video.completeUpload.mutate({
        videoId: created.videoId,
        parts: [
          { partNumber: 1, etag: etags[0]! },
          { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"' },
          { partNumber: 3, etag: etags[2]! },
        ],
      }),
    );
    expect(wrong.message).toMatch(/ETag does not match what storage holds: 2/);
    const ok = await owner.client.video.completeUpload.mutate({
      videoId: created.videoId,
      parts: parts.map((p, i) => ({ partNumber: p.partNumber, etag: etags[i]! })),
    });
    expect(ok.status).toBe('UPLOADED');
  });

  it('aborts: storage upload aborted, object deleted, quota released', async () => {
    const before = await quota();
    const bytes = paddedMp4(6 * MiB);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'abort.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const [part] = (await owner.client.video.signUploadParts.mutate({ videoId: created.videoId, partNumbers: [1] }))
      .parts;
    await fetch(part!.url, { method: 'PUT', body: bytes.subarray(0, created.partSize) });
    const aborted = await owner.client.video.abortUpload.mutate({ videoId: created.videoId });
    expect(aborted.failure?.code).toBe('UPLOAD_ABORTED');
    expect(await quota()).toEqual(before);
    await expect(
      platform.deps.storage.listParts(`${companyId}/${projectId}/videos/${created.videoId}/original`, created.uploadId),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('rejects a size mismatch: object deleted, FAILED with UPLOAD_SIZE_MISMATCH, quota released', async () => {
    const before = await quota();
    const bytes = tinyMp4();
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'liar.mp4',
      contentType: 'video/mp4',
      size: bytes.length - 100,
    });
    if (created.kind !== 'single') throw new Error('expected single');
    // The URL signs the declared length, so storage refuses the body; a store that did not would hold it here.
    expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).status).toBe(403);
    const [session] = await platform.deps.orm
      .fork()
      .execute<{ key: string }[]>(`select upload_key as key from upload_session where video_id = ?`, [created.videoId]);
    await platform.deps.storage.put(session!.key, bytes, 'video/mp4');
    const e = await fail(owner.client.video.completeUpload.mutate({ videoId: created.videoId }));
    expect(reason(e)).toBe('UPLOAD_SIZE_MISMATCH');
    const v = await owner.client.video.byId.query({ id: created.videoId });
    expect(v.status).toBe('FAILED');
    expect(v.failure?.code).toBe('UPLOAD_SIZE_MISMATCH');
    expect(await platform.deps.storage.listKeys(`${companyId}/${projectId}/videos/${created.videoId}/`)).toEqual([]);
    expect(await quota()).toEqual(before);
  });

  it('rejects a PNG named .mp4 and a text file at the sniff with UNSUPPORTED_MEDIA', async () => {
    for (const [name, body] of [
      ['photo.mp4', tinyPng()],
      ['notes.mp4', new TextEncoder().encode('just some text, not a video at all\n'.repeat(20))],
    ] as const) {
      const created = await owner.client.video.createUpload.mutate({
        projectId,
        fileName: name,
        contentType: 'video/mp4',
        size: body.length,
      });
      if (created.kind !== 'single') throw new Error('expected single');
      await fetch(created.url, { method: 'PUT', body, headers: created.headers });
      const e = await fail(owner.client.video.completeUpload.mutate({ videoId: created.videoId }));
      expect(reason(e), name).toBe('UNSUPPORTED_MEDIA');
      expect((await owner.client.video.byId.query({ id: created.videoId })).failure?.code).toBe('UNSUPPORTED_MEDIA');
    }
  });

  it('refuses uploads over quota with used, reserved and limit bytes', async () => {
    const e = await fail(
      owner.client.video.createUpload.mutate({
        projectId,
        fileName: 'huge.mp4',
        contentType: 'video/mp4',
        size: 500 * MiB,
      }),
    );
    expect(e.data?.code).toBe('PAYLOAD_TOO_LARGE');
    const d = (e.data as { details: Record<string, number> }).details;
    expect(d.limitBytes).toBe(100 * MiB);
    expect(typeof d.usedBytes).toBe('number');
    expect(typeof d.reservedBytes).toBe('number');
    expect(e.message).toMatch(/used.*reserved.*limit/);
  });

  it('refuses completing after expiry, and the cron task cleans expired uploads up', async () => {
    const before = await quota();
    const bytes = paddedMp4(6 * MiB);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'late.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const [part] = (await owner.client.video.signUploadParts.mutate({ videoId: created.videoId, partNumbers: [1] }))
      .parts;
    await fetch(part!.url, { method: 'PUT', body: bytes.subarray(0, created.partSize) });
    await platform.deps.orm
      .fork()
      .nativeUpdate(UploadSession, { video: created.videoId }, { expiresAt: new Date(Date.now() - 1000) });
    const e = await fail(owner.client.video.completeUpload.mutate({ videoId: created.videoId }));
    expect(reason(e)).toBe('UPLOAD_EXPIRED');
    await platform.deps.orm.fork().execute(`select graphile_worker.add_job('upload:expire', '{}'::json)`);
    for (let i = 0; i < 100; i++) {
      const v = await platform.deps.orm.fork().findOneOrFail(Video, { id: created.videoId });
      if (v.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const v = await owner.client.video.byId.query({ id: created.videoId });
    expect(v.failure?.code).toBe('UPLOAD_EXPIRED');
    expect(await quota()).toEqual(before);
    await expect(
      platform.deps.storage.listParts(`${companyId}/${projectId}/videos/${created.videoId}/original`, created.uploadId),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it("judges expiry by the database's clock: a worker whose clock runs 2 h ahead aborts no upload that has an hour left", async () => {
    const bytes = tinyMp4();
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'skewed.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'single') throw new Error('expected a single PUT');
    await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
    await platform.deps.orm
      .fork()
      .execute(`update upload_session set expires_at = now() + interval '1 hour' where video_id = ?`, [
        created.videoId,
      ]);
    // The worker runs in this process: its Date jumps 2 h ahead (timers untouched), and the sweep runs now.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3600_000 });
    try {
      const [job] = await platform.deps.orm
        .fork()
        .execute<{ id: string }[]>(`select (graphile_worker.add_job('upload:expire', '{}'::json)).id::text as id`);
      await expect
        .poll(
          async () =>
            (
              await platform.deps.orm
                .fork()
                .execute<{ n: number }[]>('select count(*)::int as n from graphile_worker.jobs where id = ?', [job!.id])
            )[0]!.n,
          { timeout: 20_000, interval: 100 },
        )
        .toBe(0);
    } finally {
      vi.useRealTimers();
    }
    const session = await platform.deps.orm.fork().findOneOrFail(UploadSession, { video: created.videoId });
    expect(session.abortedAt).toBeNull();
    const done = await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    expect(done.status).not.toBe('FAILED');
  });

  it('deletes a video and every object through a job, releasing quota and keeping an audit entry', async () => {
    const bytes = tinyMp4();
    const video = await uploadVideo(
      owner.client,
      { projectId, fileName: 'gone.mp4', contentType: 'video/mp4' },
      bytesSource(bytes),
    );
    const prefix = `${companyId}/${projectId}/videos/${video.id}/`;
    await platform.deps.storage.put(`${prefix}hls/master.m3u8`, '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    const before = await quota();
    await owner.client.video.delete.mutate({ id: video.id });
    expect((await fail(owner.client.video.byId.query({ id: video.id }))).data?.code).toBe('NOT_FOUND');
    for (let i = 0; i < 100 && (await platform.deps.orm.fork().count(Video, { id: video.id })) > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await platform.deps.orm.fork().count(Video, { id: video.id })).toBe(0);
    expect(await platform.deps.storage.head(`${prefix}original`)).toBeNull();
    expect(await platform.deps.storage.head(`${prefix}hls/master.m3u8`)).toBeNull();
    expect((await quota()).used).toBe(before.used - bytes.length);
    expect(await platform.deps.orm.fork().count(AuditLog, { action: 'video.delete', targetId: video.id })).toBe(1);
  });

  it('lists videos with cursor and status filter, and updates title/description', async () => {
    const page = await owner.client.video.list.query({ projectId, limit: 2 });
    expect(page.items).toHaveLength(2);
    // Pages of 2 walked to the end: none overlaps another, and together they are the whole list.
    const whole = await owner.client.video.list.query({ projectId, limit: 100 });
    expect(whole.nextCursor ?? null).toBeNull();
    expect(whole.items.length).toBeGreaterThan(2);
    const walked = [...page.items];
    for (let cursor = page.nextCursor; cursor;) {
      const next = await owner.client.video.list.query({ projectId, limit: 2, cursor });
      expect(next.items.length).toBeGreaterThan(0);
      walked.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(new Set(walked.map((v) => v.id)).size).toBe(walked.length);
    expect(walked.map((v) => v.id)).toEqual(whole.items.map((v) => v.id));
    const failed = await owner.client.video.list.query({ projectId, status: 'FAILED', limit: 100 });
    expect(failed.items.length).toBeGreaterThan(0); // earlier tests of this file left failed uploads
    expect(failed.items.map((v) => v.status)).toEqual(failed.items.map(() => 'FAILED'));
    expect(failed.items.length).toBeLessThan(whole.items.length);
    const updated = await owner.client.video.update.mutate({
      id: page.items[0]!.id,
      title: 'Renamed',
      description: 'A clip',
    });
    expect(updated).toMatchObject({ title: 'Renamed', description: 'A clip' });
  });

  it('answers a clear, retryable error when storage is down, leaving nothing reserved', async () => {
    const { createCaller, createContextInner } = await import('@arvlite/api');
    const { ObjectStorage } = await import('@arvlite/storage');
    const deadStorage = new ObjectStorage({
      ...platform.deps.config.s3,
      endpoint: 'http://127.0.0.1:9',
      publicEndpoint: 'http://127.0.0.1:9',
    });
    const caller = createCaller(
      createContextInner(
        { ...platform.deps, storage: deadStorage },
        { requestId: 'down', accessToken: owner.accessToken },
      ),
    );
    const before = await quota();
    const count = await platform.deps.orm.fork().count(Video, {});
    const e = await caller.video
      .createUpload({ projectId, fileName: 'down.mp4', contentType: 'video/mp4', size: 20 * MiB })
      .catch((x: unknown) => x);
    expect((e as { code?: string }).code).toBe('SERVICE_UNAVAILABLE');
    expect((e as Error).message).toMatch(/unavailable/);
    expect(await quota()).toEqual(before);
    expect(await platform.deps.orm.fork().count(Video, {})).toBe(count);
    deadStorage.destroy();
  });
});
