// The whole platform on local-disk storage (STORAGE_PROVIDER=local, createStorage): a video goes from upload (the
// shared client's uploadVideo, through the server's /storage routes) to READY with the real worker and ffmpeg; its
// outputs are files under LOCAL_STORAGE_DIR; playback URLs are the server's signed /storage URLs, the MP4 answers a
// Range with 206, and ffprobe reads it over HTTP as a player would.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { uploadVideo } from '@arvlite/client';
import { buildServer } from '@arvlite/server';
import { createStorage, LocalDiskStorage } from '@arvlite/storage';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clips, ffprobe, registerUser, type TestUser } from '../src/index.ts';

let dir: string;
let storage: LocalDiskStorage;
let owner: TestUser;
let projectId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arvlite-local-pipeline-'));
  const reserved = await reservePort();
  const baseUrl = `http://127.0.0.1:${reserved.port}`;
  const deps = await createTestDeps({
    STORAGE_PROVIDER: 'local',
    LOCAL_STORAGE_DIR: join(dir, 'objects'),
    PUBLIC_URL: baseUrl,
    PORT: String(reserved.port),
    TRUST_PROXY: '1',
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
  });
  const store = createStorage(deps.config);
  if (!(store instanceof LocalDiskStorage)) throw new Error('STORAGE_PROVIDER=local did not give local-disk storage');
  storage = store;
  const local = { ...deps, storage };
  const app = await buildServer(local);
  await reserved.listen(app);
  const worker = await startWorker(local, { concurrency: 2 });
  afterAll(async () => {
    await worker.stop();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const client = (getAccessToken?: () => string | null, ip?: string) =>
    createArvliteNodeClient({
      url: `${baseUrl}/trpc`,
      getAccessToken,
      fetch: ip
        ? (input, init) =>
            fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } })
        : undefined,
    });
  owner = await registerUser(client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Local Disk Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'On one machine' })).id;
});

function follow(videoId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for READY')), 180_000);
    const sub = owner.client.video.onStatus.subscribe(
      { id: videoId },
      {
        onData(s) {
          if (s.status === 'READY' || s.status === 'FAILED') {
            clearTimeout(timer);
            sub.unsubscribe();
            resolve(s.status);
          }
        },
        onError(e) {
          clearTimeout(timer);
          reject(e);
        },
      },
    );
  });
}

describe('the platform on local-disk storage', () => {
  it('takes a video from upload to READY and plays it from signed /storage URLs with Range', async () => {
    const bytes = new Uint8Array(readFileSync(clips.landscape720(2)));
    const video = await uploadVideo(
      owner.client,
      { projectId, fileName: 'landscape.mp4', contentType: 'video/mp4' },
      { size: bytes.length, slice: (start, end) => bytes.subarray(start, end) },
    );
    const status = video.status === 'READY' ? 'READY' : await follow(video.id);
    expect(status).toBe('READY');

    const v = await owner.client.video.byId.query({ id: video.id });
    // The original and the outputs are files on this machine's disk.
    const keys = await storage.listKeys('');
    expect(keys.some((k) => k.endsWith(`/videos/${video.id}/original`))).toBe(true);
    expect(keys.length).toBeGreaterThan(5);
    expect((await storage.head(keys.find((k) => k.endsWith(`/videos/${video.id}/original`))!))?.size).toBe(
      bytes.length,
    );

    const mp4Url = v.playback!.mp4Url!;
    expect(new URL(mp4Url).pathname).toMatch(/^\/storage\/o\//);
    const range = await fetch(mp4Url, { headers: { range: 'bytes=0-99' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toMatch(/^bytes 0-99\/[0-9]+$/);
    expect((await range.arrayBuffer()).byteLength).toBe(100);
    const probed = await ffprobe(mp4Url);
    expect(probed.streams.some((s) => s.codec_type === 'video')).toBe(true);

    // The HLS master playlist comes through /media with every URI inside signed for /storage or /media.
    const master = await (await fetch(v.playback!.hlsUrl)).text();
    expect(master).toContain('#EXTM3U');
    const poster = await fetch(v.playback!.posterUrl!);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
  }, 240_000);
});
