// Finding 1: presigned upload URLs are single-purpose and bounded. Against the embedded S3, which verifies SigV4
// (signed Content-Length, expiry), so S3 itself refuses: a URL signs its size (per part too) and lives minutes; clients
// write to a per-attempt key the worker never reads; completion copies it to the original and records its ETag; the
// worker and the marker compile read with If-Match; objects written to dead attempt keys are swept.
import { randomBytes } from 'node:crypto';
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { Company, Membership, User } from '@arvlite/db';
import { startWorker } from '@arvlite/worker';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { busyImage, paddedMp4, registerUser, startTestPlatform, tinyMp4, type TestUser } from '../../src/index.ts';

const MiB = 1024 * 1024;
/** The contract's marker limit (this package does not depend on the contract). */
const MARKER_MAX_BYTES = 20 * MiB;
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
      LOG_LEVEL: 'error',
      // No processing here: the test that needs the probe starts its own worker for it.
      WORKER_TASKS: 'system:reap-workers,upload:expire,video:delete',
    },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Upload URLs Inc' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
});

afterEach(() => {
  vi.useRealTimers();
});

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected failure');
}
const reason = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details?.reason;
const sql = <T>(query: string, params: unknown[] = []) => platform.deps.orm.fork().execute<T[]>(query, params);
const videoPrefix = (videoId: string) => `${companyId}/${projectId}/videos/${videoId}/`;
const originalOf = (videoId: string) => `${videoPrefix(videoId)}original`;

/** Same size, other bytes: the signed Content-Length does not stop it, only where the URL writes does. */
function tampered(bytes: Uint8Array): Uint8Array {
  const other = new Uint8Array(bytes);
  other.fill(0x41, 0, Math.min(64, other.length));
  return other;
}

async function createSingle(client = owner.client, bytes = tinyMp4()) {
  const created = await client.video.createUpload.mutate({
    projectId,
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  return { created, bytes };
}

async function putSingle(url: string, headers: Record<string, string>, body: Uint8Array) {
  return fetch(url, { method: 'PUT', body, headers });
}

async function s3Code(res: Response) {
  return /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];
}

/** Runs the upload cleanup cron once and waits until the worker has finished it. */
async function runUploadCron() {
  const [job] = await sql<{ id: string }>(`select (graphile_worker.add_job('upload:expire', '{}'::json)).id`);
  for (let i = 0; i < 100; i++) {
    const left = await sql<{ n: number }>(`select count(*)::int as n from graphile_worker._private_jobs where id = ?`, [
      job!.id,
    ]);
    if (left[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('upload:expire did not run');
}

/** The upload URLs of every attempt ended so far have expired (an hour and more ago, past the sweep's grace). */
async function expireAllUploadUrls() {
  await sql(`update upload_attempt set urls_expire_at = now() - interval '2 hours'`);
}

describe('presigned upload URLs (finding 1)', () => {
  it('a re-PUT of a single-upload URL after completion does not change the original the worker reads', async () => {
    const { created, bytes } = await createSingle();
    expect((await putSingle(created.url, created.headers, bytes)).status).toBe(200);
    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });

    const again = await putSingle(created.url, created.headers, tampered(bytes));
    // Stores that honour If-None-Match refuse it (412); s3rver ignores the condition, so the bytes land on a dead key.
    expect([200, 412]).toContain(again.status);
    expect(Buffer.from(await platform.deps.storage.getBytes(originalOf(created.videoId)))).toEqual(Buffer.from(bytes));
    const [row] = await sql<{ etag: string | null }>(`select original_etag as etag from video where id = ?`, [
      created.videoId,
    ]);
    expect((await platform.deps.storage.head(originalOf(created.videoId)))?.etag).toBe(row?.etag);
    expect(row?.etag).toBeTruthy();
  });

  it('a re-PUT after abort writes nothing the worker reads, and the sweep removes it once its URL expired', async () => {
    const { created, bytes } = await createSingle();
    await owner.client.video.abortUpload.mutate({ videoId: created.videoId });
    expect([200, 412]).toContain((await putSingle(created.url, created.headers, bytes)).status);
    expect(await platform.deps.storage.head(originalOf(created.videoId))).toBeNull();
    const reprocess = await failure(owner.client.video.reprocess.mutate({ id: created.videoId }));
    expect(reprocess.data?.code).toBe('CONFLICT');

    await expireAllUploadUrls();
    await runUploadCron();
    expect(await platform.deps.storage.listKeys(videoPrefix(created.videoId))).toEqual([]);
  });

  it('a re-PUT after deletion is swept, and objects under a deleted item are not left behind', async () => {
    const { created, bytes } = await createSingle();
    await owner.client.video.delete.mutate({ id: created.videoId });
    for (let i = 0; i < 100; i++) {
      const [v] = await sql<{ n: number }>(`select count(*)::int as n from video where id = ?`, [created.videoId]);
      if (v!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([200, 412]).toContain((await putSingle(created.url, created.headers, bytes)).status);
    await expireAllUploadUrls();
    await runUploadCron();
    expect(await platform.deps.storage.listKeys(videoPrefix(created.videoId))).toEqual([]);
  });

  it("a removed member's old URL cannot change the original", async () => {
    const editor = await registerUser(platform.client);
    const em = platform.deps.orm.fork();
    em.create(Membership, {
      company: em.getReference(Company, companyId),
      user: em.getReference(User, editor.userId),
      role: 'editor',
    });
    await em.flush();
    const { created, bytes } = await createSingle(editor.client);
    expect((await putSingle(created.url, created.headers, bytes)).status).toBe(200);
    await editor.client.video.completeUpload.mutate({ videoId: created.videoId });
    const { members } = await owner.client.member.list.query({ companyId });
    const membershipId = members.find((m) => m.userId === editor.userId)!.membershipId;
    await owner.client.member.remove.mutate({ companyId, membershipId });

    expect([200, 412]).toContain((await putSingle(created.url, created.headers, tampered(bytes))).status);
    expect(Buffer.from(await platform.deps.storage.getBytes(originalOf(created.videoId)))).toEqual(Buffer.from(bytes));
  });

  it('removing a member aborts their uploads in progress in that company, and only theirs', async () => {
    const editor = await registerUser(platform.client);
    const em = platform.deps.orm.fork();
    em.create(Membership, {
      company: em.getReference(Company, companyId),
      user: em.getReference(User, editor.userId),
      role: 'editor',
    });
    await em.flush();
    const single = await createSingle(editor.client);
    expect((await putSingle(single.created.url, single.created.headers, single.bytes)).status).toBe(200);
    const multipart = await editor.client.video.createUpload.mutate({
      projectId,
      fileName: 'big.mp4',
      contentType: 'video/mp4',
      size: 6 * MiB,
    });
    if (multipart.kind !== 'multipart') throw new Error('expected multipart');
    const { parts } = await editor.client.video.signUploadParts.mutate({
      videoId: multipart.videoId,
      partNumbers: [1],
    });
    const ownersUpload = await createSingle();
    const reserved = async () =>
      (await platform.deps.orm.fork().findOneOrFail(Company, { id: companyId }, { refresh: true }))
        .storageReservedBytes;
    const before = await reserved();

    const { members } = await owner.client.member.list.query({ companyId });
    const membershipId = members.find((m) => m.userId === editor.userId)!.membershipId;
    await owner.client.member.remove.mutate({ companyId, membershipId });

    const sessions = await sql<{ video_id: string; aborted: boolean; status: string; failure_code: string }>(
      `select s.video_id, s.aborted_at is not null as aborted, v.status, v.failure_code
         from upload_session s join video v on v.id = s.video_id where s.video_id in (?, ?, ?)`,
      [single.created.videoId, multipart.videoId, ownersUpload.created.videoId],
    );
    const of = (id: string) => sessions.find((r) => r.video_id === id)!;
    for (const id of [single.created.videoId, multipart.videoId])
      expect(of(id)).toMatchObject({ aborted: true, status: 'FAILED', failure_code: 'UPLOAD_ABORTED' });
    expect(of(ownersUpload.created.videoId)).toMatchObject({ aborted: false, status: 'AWAITING_UPLOAD' });
    // Their reservations are released, and the bytes already PUT are gone.
    expect(await reserved()).toBe(before - single.bytes.length - 6 * MiB);
    expect(await platform.deps.storage.listKeys(videoPrefix(single.created.videoId))).toEqual([]);
    // The multipart upload is aborted in S3: a part URL signed before the removal writes nothing.
    expect((await fetch(parts[0]!.url, { method: 'PUT', body: new Uint8Array(5 * MiB) })).status).not.toBe(200);
    await owner.client.video.abortUpload.mutate({ videoId: ownersUpload.created.videoId });
  });

  it('S3 refuses a single PUT of another size than declared, for videos and markers', async () => {
    const { created, bytes } = await createSingle();
    expect(new URL(created.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    const res = await putSingle(created.url, created.headers, longer);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe('SignatureDoesNotMatch');
    expect((await putSingle(created.url, created.headers, bytes.subarray(1))).status).toBe(403);
    expect((await putSingle(created.url, created.headers, bytes)).status).toBe(200);

    const item = await owner.client.arContent.create.mutate({ projectId, title: 'Sized marker' });
    const image = await busyImage(640, 480);
    const upload = await owner.client.arContent.createMarkerUpload.mutate({
      id: item.id,
      contentType: 'image/png',
      size: image.length,
    });
    const bigger = Buffer.concat([image, randomBytes(10 * MiB)]);
    const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(bigger), headers: upload.headers });
    expect(put.status).toBe(403);
    expect(await platform.deps.storage.listKeys(`${companyId}/${projectId}/ar/${item.id}/`)).toEqual([]);
  });

  it('S3 refuses a part larger (or smaller) than its part of the declared size', async () => {
    const bytes = paddedMp4(12 * MiB);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'parts.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const { parts } = await owner.client.video.signUploadParts.mutate({
      videoId: created.videoId,
      partNumbers: [1, 3],
    });
    const [first, last] = parts;
    for (const p of parts) expect(new URL(p.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    const part = (n: number) => bytes.subarray((n - 1) * created.partSize, n * created.partSize);
    const oversized = new Uint8Array(created.partSize + 1);
    expect((await fetch(first!.url, { method: 'PUT', body: oversized })).status).toBe(403);
    expect((await fetch(last!.url, { method: 'PUT', body: part(1) })).status).toBe(403);
    expect((await fetch(last!.url, { method: 'PUT', body: part(3) })).status).toBe(200);
    expect((await owner.client.video.listUploadedParts.query({ videoId: created.videoId })).parts).toHaveLength(1);
    await owner.client.video.abortUpload.mutate({ videoId: created.videoId });
  });

  it('upload URLs live minutes, not hours: S3 refuses one signed 16 minutes ago', async () => {
    const bytes = tinyMp4();
    const { created } = await createSingle(owner.client, bytes);
    expect(Number(new URL(created.url).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);

    const multipart = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'stale.mp4',
      contentType: 'video/mp4',
      size: 6 * MiB,
    });
    if (multipart.kind !== 'multipart') throw new Error('expected multipart');
    // The server signs in this process: move its clock back for the signing only (no request to S3 in between).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 16 * 60_000 });
    const stale = await createSingle(owner.client, bytes);
    const { parts } = await owner.client.video.signUploadParts.mutate({ videoId: multipart.videoId, partNumbers: [2] });
    vi.useRealTimers();

    const res = await putSingle(stale.created.url, stale.created.headers, bytes);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe('AccessDenied');
    expect((await fetch(parts[0]!.url, { method: 'PUT', body: new Uint8Array(1 * MiB) })).status).toBe(403);
    // Signing again on resume gives a URL that works.
    const fresh = await owner.client.video.signUploadParts.mutate({ videoId: multipart.videoId, partNumbers: [2] });
    expect((await fetch(fresh.parts[0]!.url, { method: 'PUT', body: new Uint8Array(1 * MiB) })).status).toBe(200);
    await owner.client.video.abortUpload.mutate({ videoId: multipart.videoId });
  });

  it('a completion whose ETag or size does not match what storage holds fails with a typed reason', async () => {
    const { created, bytes } = await createSingle();
    expect((await putSingle(created.url, created.headers, bytes)).status).toBe(200);
    const e = await failure(
      owner.client.video.completeUpload.mutate({
        videoId: created.videoId,
        etag: '"00000000000000000000000000000000"',
      }),
    );
    expect(e.data?.code).toBe('BAD_REQUEST');
    expect(reason(e)).toBe('UPLOAD_CHANGED');
    expect((await owner.client.video.byId.query({ id: created.videoId })).failure?.code).toBe('UPLOAD_CHANGED');
    expect(await platform.deps.storage.listKeys(videoPrefix(created.videoId))).toEqual([]);

    // A store that did not enforce the signed length: the attempt object has another size than declared.
    const sized = await createSingle();
    const [session] = await sql<{ key: string }>(`select upload_key as key from upload_session where video_id = ?`, [
      sized.created.videoId,
    ]);
    await platform.deps.storage.put(session!.key, tinyMp4().subarray(0, 1000), 'video/mp4');
    const e2 = await failure(owner.client.video.completeUpload.mutate({ videoId: sized.created.videoId }));
    expect(reason(e2)).toBe('UPLOAD_SIZE_MISMATCH');
    expect(await platform.deps.storage.listKeys(videoPrefix(sized.created.videoId))).toEqual([]);

    // The same check for a marker.
    const item = await owner.client.arContent.create.mutate({ projectId, title: 'ETag marker' });
    const image = await busyImage(640, 480);
    const upload = await owner.client.arContent.createMarkerUpload.mutate({
      id: item.id,
      contentType: 'image/png',
      size: image.length,
    });
    const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(image), headers: upload.headers });
    expect(put.status).toBe(200);
    const e3 = await failure(
      owner.client.arContent.completeMarkerUpload.mutate({ id: item.id, etag: '"00000000000000000000000000000000"' }),
    );
    expect(reason(e3)).toBe('UPLOAD_CHANGED');
  });

  it('the worker reads the original only with the ETag recorded at completion', async () => {
    const { created, bytes } = await createSingle();
    expect((await putSingle(created.url, created.headers, bytes)).status).toBe(200);
    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    // Whatever changed the original since (a store without create-only writes, an operator's mistake) is not processed.
    await platform.deps.storage.put(originalOf(created.videoId), tampered(bytes), 'video/mp4');
    const worker = await startWorker(platform.deps, { concurrency: 1, tasks: ['video:process'] });
    try {
      let video = await owner.client.video.byId.query({ id: created.videoId });
      for (let i = 0; i < 150 && video.status !== 'FAILED' && video.status !== 'READY'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        video = await owner.client.video.byId.query({ id: created.videoId });
      }
      expect(video.status).toBe('FAILED');
      expect(video.failure?.code).toBe('UPLOAD_CHANGED');
    } finally {
      await worker.stop();
    }
  });

  it('reads a marker original with a size bound: more than MARKER_MAX_BYTES is refused while streaming', async () => {
    const key = `${companyId}/bounded/original`;
    await platform.deps.storage.put(key, new Uint8Array(MARKER_MAX_BYTES + 1), 'image/jpeg');
    const head = await platform.deps.storage.head(key);
    await expect(
      platform.deps.storage.getBytesBounded(key, MARKER_MAX_BYTES, { ifMatch: head!.etag! }),
    ).rejects.toMatchObject({ name: 'ObjectTooLargeError' });
    await platform.deps.storage.put(key, new Uint8Array(10), 'image/jpeg');
    await expect(
      platform.deps.storage.getBytesBounded(key, MARKER_MAX_BYTES, { ifMatch: head!.etag! }),
    ).rejects.toMatchObject({ name: 'ObjectChangedError' });
    await platform.deps.storage.delete(key);
  });
});
