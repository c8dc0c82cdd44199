// /media playlist URLs (security review, finding 14): a signature covers one file of one video for at most
// MEDIA_URL_TTL_S (capped at a day), and the route's errors answer a generic message, never storage's own, with no
// `sig=` in any log line.
import { Writable } from 'node:stream';
import { signMediaPath } from '@arvlite/api';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { loadConfig } from '@arvlite/config';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { insertReadyVideo } from '@arvlite/test-utils/seed';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../../src/index.ts';

const logLines: string[] = [];
let baseUrl: string;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let videoId: string;
let outPrefix: string;
let hlsUrl: string;
const storageFailure = new Error('connect ECONNREFUSED 10.9.8.7:9000 (bucket arvlite-private)');

beforeAll(async () => {
  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  deps = await createTestDeps({ PORT: String(port), PUBLIC_URL: baseUrl, LOG_LEVEL: 'info' });
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    }),
  );
  // Storage that fails like a store out of reach, for one key.
  const getText = deps.storage.getText.bind(deps.storage);
  deps.storage.getText = (key: string) =>
    key.endsWith('/broken.m3u8') ? Promise.reject(storageFailure) : getText(key);
  const app = await buildServer({ ...deps, log });
  await reserved.listen(app);
  afterAll(() => app.close());

  const owner = await registerUser((getAccessToken) =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken }),
  );
  const company = await owner.client.company.create.mutate({ name: 'Media Co' });
  const project = await owner.client.project.create.mutate({ companyId: company.id, name: 'Media' });
  const db = new pg.Client({ connectionString: deps.config.database.url });
  await db.connect();
  try {
    videoId = await insertReadyVideo(db, { userId: owner.userId, companyId: company.id, projectId: project.id });
  } finally {
    await db.end();
  }
  outPrefix = `${company.id}/${project.id}/videos/${videoId}/out/`;
  await deps.storage.put(
    `${outPrefix}master.m3u8`,
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720\n720p.m3u8\n',
  );
  await deps.storage.put(`${outPrefix}720p.m3u8`, '#EXTM3U\n#EXTINF:4.0,\n720p_00000.ts\n#EXT-X-ENDLIST\n');
  await deps.storage.put(
    `${outPrefix}storyboard.vtt`,
    'WEBVTT\n\n00:00.000 --> 00:04.000\nstoryboard.jpg#xywh=0,0,160,90\n',
  );
  const video = await owner.client.video.byId.query({ id: videoId });
  hlsUrl = video.playback!.hlsUrl!;
});

function withFile(url: string, file: string): string {
  const u = new URL(url);
  u.pathname = u.pathname.replace(/[^/]+$/, file);
  return u.toString();
}

describe('/media signatures', () => {
  it('play: the master playlist points at variants signed each for itself', async () => {
    const master = await fetch(hlsUrl);
    expect(master.status).toBe(200);
    const variantUrl = (await master.text()).split('\n').find((l) => l.includes('/720p.m3u8'))!;
    expect(new URL(variantUrl).searchParams.get('sig')).not.toBe(new URL(hlsUrl).searchParams.get('sig'));
    const variant = await fetch(variantUrl);
    expect(variant.status).toBe(200);
    expect(await variant.text()).toMatch(/720p_00000\.ts\?X-Amz-/);
  });

  it("one playlist's signature opens no other file of the video", async () => {
    for (const file of ['720p.m3u8', 'storyboard.vtt', 'master.m3u8x']) {
      const res = await fetch(withFile(hlsUrl, file));
      expect(res.status, file).toBe(404);
    }
  });

  it('lives at most MEDIA_URL_TTL_S, and that is at most a day', async () => {
    const now = Math.floor(Date.now() / 1000);
    const exp = Number(new URL(hlsUrl).searchParams.get('exp'));
    expect(exp).toBeLessThanOrEqual(now + deps.config.media.urlTtlS + 1);
    const key = deps.config.media.urlSigningKey;
    const signed = (e: number) =>
      `${baseUrl}/media/${videoId}/master.m3u8?exp=${e}&sig=${signMediaPath(key, videoId, 'master.m3u8', e)}`;
    expect((await fetch(signed(now + 60))).status).toBe(200);
    // Correctly signed, but beyond the lifetime this server issues.
    expect((await fetch(signed(now + 7 * 86_400))).status).toBe(404);
    expect((await fetch(signed(now - 1))).status).toBe(404);
    expect(() => loadConfig({ MEDIA_URL_TTL_S: String(2 * 86_400) })).toThrowError(/MEDIA_URL_TTL_S: expected at most/);
  });
});

describe('/media errors', () => {
  it("answer a generic message, never storage's, and no log line carries a signature", async () => {
    const now = Math.floor(Date.now() / 1000);
    const key = deps.config.media.urlSigningKey;
    const url = (file: string) =>
      `${baseUrl}/media/${videoId}/${file}?exp=${now + 60}&sig=${signMediaPath(key, videoId, file, now + 60)}`;

    const missing = await fetch(url('gone.m3u8'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found' });

    const broken = await fetch(url('broken.m3u8'));
    expect(broken.status).toBe(503);
    const body = await broken.text();
    expect(body).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|arvlite-private|NoSuchKey|specified key/);
    expect(JSON.parse(body)).toMatchObject({ error: 'unavailable' });

    await new Promise((r) => setTimeout(r, 100));
    expect(logLines.some((l) => l.includes('ECONNREFUSED'))).toBe(true); // the operator still sees the cause
    expect(logLines.filter((l) => /sig=|[?&]exp=/.test(l))).toEqual([]);
  });
});
