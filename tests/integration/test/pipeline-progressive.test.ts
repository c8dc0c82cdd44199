// A phone clip (1080p H.264/AAC, moov at the end, location and device metadata) through the real pipeline: it is made
// playable by the remux while reading (the original is read in place, segments published as they land), every
// playlist a player is given while it processes is a valid growing or finished one, the result plays, and nothing a
// viewer can fetch carries the location or other personal metadata.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { metadataTags as tags, PERSONAL, PHONE_LOCATION } from '@arvlite/test-utils/media';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';
import { phoneClip } from '../src/media-fixtures.ts';

const run = promisify(execFile);

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: { MEDIA_X264_PRESET: 'ultrafast', MEDIA_ENCODE_CONCURRENCY: '1' },
  });
  owner = await registerUser(platform.client);
  const companyId = (await owner.client.company.create.mutate({ name: 'Phone Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Holidays' })).id;
}, 120_000);

/** The URIs an HLS playlist lists. */
const uris = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

/** A variant playlist as a player gets it: a growing one (EVENT, from the start) or the finished one (VOD, ended). */
async function checkVariant(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text.startsWith('#EXTM3U')).toBe(true);
  if (text.includes('#EXT-X-ENDLIST')) expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
  else {
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).toContain('#EXT-X-START:TIME-OFFSET=0');
    // Players reload it: never from their cache.
    expect(res.headers.get('cache-control')).toBe('no-cache');
  }
  const segments = uris(text);
  expect(segments.length).toBeGreaterThan(0);
  // Listed means stored: each one answers.
  for (const u of segments) expect((await fetch(u)).status, u).toBe(200);
  return segments;
}

describe('pipeline: a phone clip made playable while it is read', () => {
  it('plays while processing and when READY, and no file a viewer receives carries personal metadata', async () => {
    const file = phoneClip(12);
    expect((await tags(file)).filter((t) => PERSONAL.test(t)).length).toBeGreaterThan(3); // the fixture has them
    const bytes = new Uint8Array(readFileSync(file));
    expect(Buffer.from(bytes).indexOf('moov')).toBeGreaterThan(Buffer.from(bytes).indexOf('mdat')); // moov at the end

    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'IMG_0042.MOV',
      contentType: 'video/quicktime',
      size: bytes.length,
    });
    if (created.kind !== 'single') throw new Error('expected a single upload');
    expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });

    // Whatever a player is handed while the video processes must play: the master and its variant, each listed segment.
    let playableWhileProcessing = 0;
    const until = Date.now() + 240_000;
    let v = await owner.client.video.byId.query({ id: created.videoId });
    while (v.status !== 'READY' && v.status !== 'FAILED') {
      if (Date.now() > until) throw new Error(`timed out: ${JSON.stringify(v.steps)}`);
      if (v.playback?.hlsUrl) {
        const master = await (await fetch(v.playback.hlsUrl)).text();
        const [variant] = uris(master);
        expect(master).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
        await checkVariant(variant!);
        playableWhileProcessing++;
      }
      await new Promise((r) => setTimeout(r, 150));
      v = await owner.client.video.byId.query({ id: created.videoId });
    }
    expect(v.status).toBe('READY');
    expect(v.steps.find((s) => s.name === 'playable')?.status).toBe('done');
    console.log(`playable while processing: seen ${playableWhileProcessing} times`);

    // The finished video: the whole clip plays from the master playlist (every variant), and from the MP4.
    const master = await (await fetch(v.playback!.hlsUrl)).text();
    for (const variant of uris(master)) {
      expect(await (await fetch(variant)).text()).toContain('#EXT-X-ENDLIST');
      await checkVariant(variant);
    }
    const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', v.playback!.hlsUrl, '-f', 'null', '-']);
    expect(stderr.trim()).toBe('');
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-of',
      'csv=p=0',
      '-show_entries',
      'format=duration',
      v.playback!.mp4Url!,
    ]);
    expect(Math.abs(Number(stdout) - 12)).toBeLessThan(0.2);

    // Everything stored for viewers (playlists, segments, MP4s, poster, storyboard): no location, device or date.
    const [row] = await platform.deps.orm
      .fork()
      .execute<{ output_id: string }[]>('select output_id from video where id = ?', [created.videoId]);
    const keys = await platform.deps.storage.listKeys(`pub/${row!.output_id}/`);
    expect(keys.some((k) => k.endsWith('source_00000.ts'))).toBe(true);
    expect(keys.some((k) => k.endsWith('source.mp4'))).toBe(true);
    const lat = PHONE_LOCATION.slice(0, 8);
    for (const key of keys) {
      const body = Buffer.from(await platform.deps.storage.getBytes(key));
      expect(body.includes(lat), key).toBe(false);
      expect(body.includes('iPhone'), key).toBe(false);
      if (/\.(mp4|ts)$/.test(key)) {
        const url = await platform.deps.storage.presignGet(key, 300);
        expect(await tags(url), key).not.toContainEqual(expect.stringMatching(PERSONAL));
      }
    }
  }, 300_000);
});
