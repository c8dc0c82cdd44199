// Public media keys (security review, finding 8): with MEDIA_PUBLIC_BASE_URL set, what viewers load lives under
// pub/<random id>/, a prefix that holds outputs only, so no playback URL or viewer manifest names a company, project,
// video or item, and no original or upload is reachable by editing a public URL. The signed /media mode carries only
// the opaque id too. Real worker: the video is processed and the marker compiled.
import { waitUntil } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyImage, registerUser, startTestPlatform, tinyMp4, type TestUser } from '../../src/index.ts';

const PUBLIC_BASE = 'https://cdn.arvlite.invalid/media';
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let companyId: string;
let projectId: string;
let videoId: string;
let contentId: string;
let publicId: string;

const poll = { timeout: 240_000 };

/** Every id a published URL must not carry. */
const privateIds = () => [companyId, projectId, videoId, contentId, owner.userId];

function expectNoIds(what: string, value: unknown) {
  const text = JSON.stringify(value);
  for (const id of privateIds()) expect(text, `${what} names ${id}`).not.toContain(id);
}

const manifest = () => platform.client(undefined, '172.31.8.1').viewer.manifest.query({ publicId });

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: {
      MEDIA_PUBLIC_BASE_URL: PUBLIC_BASE,
      MEDIA_X264_PRESET: 'ultrafast',
      MEDIA_ENCODE_CONCURRENCY: '1',
      LOG_LEVEL: 'error',
    },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Public Keys Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Published' })).id;

  const bytes = tinyMp4();
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
    title: 'Clip',
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  videoId = created.videoId;
  expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
  await owner.client.video.completeUpload.mutate({ videoId });

  const content = await owner.client.arContent.create.mutate({ projectId, title: 'Card' });
  contentId = content.id;
  publicId = content.publicId;
  const image = await busyImage(640, 480);
  const upload = await owner.client.arContent.createMarkerUpload.mutate({
    id: contentId,
    contentType: 'image/png',
    size: image.length,
  });
  expect((await fetch(upload.url, { method: 'PUT', body: new Uint8Array(image), headers: upload.headers })).ok).toBe(
    true,
  );
  await owner.client.arContent.completeMarkerUpload.mutate({ id: contentId });

  const video = await waitUntil(
    'video',
    () => owner.client.video.byId.query({ id: videoId }),
    (v) => v.status === 'READY' || v.status === 'FAILED',
    poll,
  );
  expect(video.status).toBe('READY');
  const marker = await waitUntil(
    'marker',
    () => owner.client.arContent.byId.query({ id: contentId }),
    (c) => c.status !== 'MARKER_PROCESSING',
    poll,
  );
  expect(marker.status).toBe('READY');
  await owner.client.playlist.set.mutate({ id: contentId, videoIds: [videoId], defaultVideoId: videoId });
}, 300_000);

describe('MEDIA_PUBLIC_BASE_URL', () => {
  it('playback URLs and the viewer manifest name no company, project, video or item', async () => {
    const { playback } = await owner.client.video.byId.query({ id: videoId });
    expect(playback?.hlsUrl).toMatch(new RegExp(`^${PUBLIC_BASE}/pub/[0-9a-f]{32}/master\\.m3u8$`));
    expect(playback?.expiresAt).toBeNull();
    expectNoIds('playback', playback);

    const m = await manifest();
    if (!m.ok) throw new Error(`manifest: ${m.reason}`);
    for (const url of [m.marker.imageUrl, m.marker.mindUrl, m.video.hlsUrl, m.video.mp4Url, m.video.posterUrl])
      expect(url).toMatch(new RegExp(`^${PUBLIC_BASE}/pub/[0-9a-f]{32}/`));
    expectNoIds('manifest', m);
  });

  it('the public prefix holds outputs only: no original, no upload, no tenant id', async () => {
    const published = await platform.deps.storage.listKeys('pub/');
    expect(published.length).toBeGreaterThan(5);
    for (const key of published) {
      expect(key).toMatch(/^pub\/[0-9a-f]{32}\//);
      expect(key).not.toMatch(/original|uploads\//);
      for (const id of privateIds()) expect(key).not.toContain(id);
    }
    // The originals are where they were, under the private tenant prefix.
    const privateKeys = await platform.deps.storage.listKeys(`${companyId}/`);
    expect(privateKeys).toEqual(
      expect.arrayContaining([
        `${companyId}/${projectId}/videos/${videoId}/original`,
        expect.stringMatching(/original$/),
      ]),
    );
    expect(privateKeys.filter((k) => k.includes('/videos/') && !k.endsWith('/original'))).toEqual([]);
  });

  it('in the signed mode too, URLs carry the opaque id only, and the /media playlist plays', async () => {
    const media = platform.deps.config.media;
    const saved = media.publicBaseUrl;
    media.publicBaseUrl = undefined;
    try {
      const { playback } = await owner.client.video.byId.query({ id: videoId });
      expect(playback?.hlsUrl).toMatch(new RegExp(`^${platform.baseUrl}/media/[0-9a-f]{32}/master\\.m3u8\\?`));
      expectNoIds('signed playback', playback);
      const m = await manifest();
      if (!m.ok) throw new Error(`manifest: ${m.reason}`);
      expectNoIds('signed manifest', m);
      const master = await fetch(playback!.hlsUrl!);
      expect(master.status).toBe(200);
      const body = await master.text();
      expectNoIds('master playlist', body);
      const variant = body.split('\n').find((l) => l.startsWith('http'))!;
      const res = await fetch(variant);
      expect(res.status).toBe(200);
      expectNoIds('variant playlist', await res.text());
    } finally {
      media.publicBaseUrl = saved;
    }
  });

  it('deleting the video and the item clears their public prefixes too', async () => {
    const before = await platform.deps.storage.listKeys('pub/');
    expect(before.length).toBeGreaterThan(0);
    await owner.client.arContent.delete.mutate({ id: contentId });
    await owner.client.video.delete.mutate({ id: videoId });
    const left = await waitUntil(
      'deletion',
      async () => [
        ...(await platform.deps.storage.listKeys('pub/')),
        ...(await platform.deps.storage.listKeys(`${companyId}/`)),
      ],
      (keys) => keys.length === 0,
      poll,
    );
    expect(left).toEqual([]);
  });
});
