// ffmpeg and ffprobe on user files (security review, finding 6): a playlist-shaped original (HLS naming an http URL, or a
// local media file such as another job's output) never reaches the network or another file; the video ends FAILED with
// a reason. The stored original is replaced after it was checked, as finding 1's reusable upload URLs allowed, and its
// recorded ETag follows, so the worker's If-Match read does not stop it first: only the ffmpeg layer stands in the way.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Video } from '@arvlite/db';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, tinyMp4, type TestUser } from '../../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;
let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ worker: true, env: { MEDIA_ANALYZERS: 'silence-black' } });
  owner = await registerUser(platform.client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Playlists' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'video/mp2t' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const settled = (id: string) =>
  waitUntil(
    `video ${id} READY or FAILED`,
    () => platform.deps.orm.fork().findOneOrFail(Video, { id }, { refresh: true }),
    (v) => v.status === 'READY' || v.status === 'FAILED',
    { timeout: 60_000 },
  );

/** A READY video whose stored original is then replaced by `text` (its recorded ETag updated), and reprocessed. */
async function replacedAndReprocessed(text: string) {
  const bytes = tinyMp4(1);
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
  await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
  expect((await settled(created.videoId)).status).toBe('READY');

  const em = platform.deps.orm.fork();
  const video = await em.findOneOrFail(Video, { id: created.videoId });
  await platform.deps.storage.put(video.originalKey, text, 'video/mp4');
  const head = await platform.deps.storage.head(video.originalKey);
  await em.nativeUpdate(Video, { id: video.id }, { originalEtag: head?.etag ?? null });
  await owner.client.video.reprocess.mutate({ id: video.id });
  // The job may not have started yet: wait for it to leave READY first.
  const until = Date.now() + 20_000;
  while ((await em.fork().findOneOrFail(Video, { id: video.id })).status === 'READY' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return settled(video.id);
}

describe('playlist-shaped originals', () => {
  it('an HLS playlist naming an http URL ends FAILED with a reason, and the URL gets no request', async () => {
    requests.length = 0;
    const v = await replacedAndReprocessed(
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${base}/internal/admin.ts\n#EXT-X-ENDLIST\n`,
    );
    expect(v.status).toBe('FAILED');
    expect(v.failureCode).toBe('INVALID_MEDIA');
    expect(v.failureMessage).not.toContain('127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    expect(requests).toEqual([]);
  }, 90_000);

  it("an HLS playlist naming a local media file (another job's output) ends FAILED instead of publishing it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arvlite-other-tenant-'));
    const secret = join(dir, 'other-tenant.ts');
    // prettier-ignore
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=10', '-t', '1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mpegts', secret]);
    const v = await replacedAndReprocessed(
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.000,\n${secret}\n#EXT-X-ENDLIST\n`,
    );
    expect(v.status).toBe('FAILED');
    expect(v.failureCode).toBe('INVALID_MEDIA');
    expect(v.failureMessage).not.toContain(dir);
  }, 90_000);
});
