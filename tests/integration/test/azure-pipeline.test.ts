// The platform on Azure Blob Storage (Azurite), server and worker alike: a video uploaded through @arvlite/client's
// azure transport (a Put Blob SAS) goes to READY with the real worker and plays (MP4 by SAS URL, HLS through /media
// with SAS segment URLs); a multipart upload through Put Block SAS URLs resumes after a cut from the uncommitted
// blocks; a file larger than declared (Azure SAS cannot bind a size) is refused at completion and removed.
import type { RouterOutputs } from '@arvlite/client';
import { uploadVideo, uploadVideoFile } from '@arvlite/client';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAzurite } from '../src/azurite.ts';
import { ffprobe, paddedMp4, registerUser, startTestPlatform, tinyMp4, type TestUser } from '../src/index.ts';

const MiB = 1024 * 1024;
type Detail = RouterOutputs['video']['byId'];

let azure: Awaited<ReturnType<typeof startTestAzurite>>;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;

const sourceOf = (bytes: Uint8Array) => ({ size: bytes.length, slice: (s: number, e: number) => bytes.subarray(s, e) });

beforeAll(async () => {
  azure = await startTestAzurite();
  platform = await startTestPlatform({
    worker: true,
    storage: azure.store,
    env: {
      MEDIA_X264_PRESET: 'ultrafast',
      MEDIA_ENCODE_CONCURRENCY: '1',
      WORKER_CONCURRENCY: '2',
      UPLOAD_MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
      UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
    },
  });
  owner = await registerUser(platform.client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Azure Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
}, 180_000);
afterAll(async () => {
  await azure?.close();
});

/** Polls until READY or FAILED (within the test's own limit). */
const settled = (id: string): Promise<Detail> =>
  waitUntil(
    `video ${id} READY or FAILED`,
    () => owner.client.video.byId.query({ id }),
    (v) => v.status === 'READY' || v.status === 'FAILED',
    { timeout: 240_000 },
  );

describe('the platform on Azure Blob Storage', () => {
  it('a video uploaded with a SAS URL goes to READY and plays', async () => {
    const bytes = tinyMp4(2);
    const done = await uploadVideo(
      owner.client,
      { projectId, fileName: 'clip.mp4', contentType: 'video/mp4' },
      sourceOf(bytes),
    );
    const v = await settled(done.id);
    expect(v.status, JSON.stringify(v.failure)).toBe('READY');
    // The original and the outputs are blobs in the container (the only video in it so far); the attempt's upload
    // blob is gone.
    const keys = await azure.store.listKeys('');
    expect(keys.some((k) => k.includes(done.id) && k.endsWith('/original'))).toBe(true);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.some((k) => k.includes('/uploads/'))).toBe(false);

    expect(v.playback?.mp4Url).toContain('sig=');
    const mp4 = await ffprobe(v.playback!.mp4Url!);
    expect(mp4.streams.some((s) => s.codec_type === 'video')).toBe(true);
    const ranged = await fetch(v.playback!.mp4Url!, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    const hls = await ffprobe(v.playback!.hlsUrl);
    expect(hls.durationS).toBeGreaterThan(1);
  }, 300_000);

  it('a multipart upload (Put Block) resumes from the uncommitted blocks after a cut', async () => {
    const bytes = paddedMp4(11 * MiB);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'big.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    expect(created.kind).toBe('multipart');
    expect(created.transport).toEqual({ kind: 'azure' });
    if (created.kind !== 'multipart') return;
    // The first part is sent, then the "page reloads".
    const { parts } = await owner.client.video.signUploadParts.mutate({ videoId: created.videoId, partNumbers: [1] });
    expect(parts[0]!.etag).toBeTruthy();
    const res = await fetch(parts[0]!.url, { method: 'PUT', body: bytes.subarray(0, created.partSize) });
    expect(res.status).toBe(201);
    const held = await owner.client.video.listUploadedParts.query({ videoId: created.videoId });
    expect(held.parts.map((p) => [p.partNumber, p.size])).toEqual([[1, created.partSize]]);

    const sent: number[] = [];
    const tracked: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT') sent.push(Number(new URL(String(input)).searchParams.get('blockid')?.slice(4)));
      return fetch(input, init);
    };
    await uploadVideoFile(owner.client, created.videoId, sourceOf(bytes), { fetch: tracked });
    expect(sent.sort()).toEqual([2, 3]); // part 1 was not sent again
    const head = await azure.store.head(
      (await azure.store.listKeys('')).find((k) => k.includes(created.videoId) && k.endsWith('/original'))!,
    );
    expect(head?.size).toBe(bytes.length);
  }, 120_000);

  it('a file larger than declared is refused at completion (the SAS cannot bind a size) and removed', async () => {
    const bytes = tinyMp4(1);
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'liar.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'single') throw new Error('expected a single upload');
    const bigger = new Uint8Array(bytes.length + 1000);
    bigger.set(bytes);
    const res = await fetch(created.url, { method: 'PUT', body: bigger, headers: created.headers });
    expect(res.status).toBe(201);
    await expect(owner.client.video.completeUpload.mutate({ videoId: created.videoId })).rejects.toMatchObject({
      data: { details: { reason: 'UPLOAD_SIZE_MISMATCH' } },
    });
    expect((await azure.store.listKeys('')).filter((k) => k.includes(created.videoId))).toEqual([]);
  });
});
