// AR content end to end over HTTP with a real worker: marker compiles (sharp, OpenCV, mind-ar), playlists, the public
// viewer manifest with every reason, ETag/304, view sessions, analytics numbers, crons, rate limits and deletion.
import { TRPCClientError, type AppRouter, type ArvliteClient, type RouterOutputs } from '@arvlite/client';
import { ArContent, Company, ViewSession } from '@arvlite/db';
import { jobKey } from '@arvlite/jobs';
import { loadMindFile } from '@arvlite/marker';
import { waitUntil } from '@arvlite/test-utils';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  busyImage,
  exifRotatedJpeg,
  flatImage,
  lowTextureImage,
  meanDifference,
  markEmailVerified,
  registerUser,
  startTestPlatform,
  tinyMp4,
  type TestUser,
} from '../src/index.ts';

type Content = RouterOutputs['arContent']['byId'];
type Manifest = RouterOutputs['viewer']['manifest'];

const RATE_LIMIT = 40;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let companyId: string;
let projectId: string;
let otherProjectVideoId: string;
let ipCounter = 0;

/** A viewer with an address of its own, so per-IP limits of one test do not touch another. */
function anonymous(): ArvliteClient {
  ipCounter++;
  return platform.client(undefined, `172.16.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`);
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected the call to fail');
}
const reason = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details?.reason;

const poll = { timeout: 240_000 };

async function uploadVideo(bytes: Uint8Array, title: string, project = projectId): Promise<string> {
  const created = await owner.client.video.createUpload.mutate({
    projectId: project,
    fileName: `${title}.mp4`,
    contentType: 'video/mp4',
    size: bytes.length,
    title,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
  await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
  return created.videoId;
}

async function putMarker(
  id: string,
  bytes: Buffer,
  contentType: 'image/jpeg' | 'image/png' | 'image/webp',
  widthMm?: number,
) {
  const upload = await owner.client.arContent.createMarkerUpload.mutate({ id, contentType, size: bytes.length });
  expect((await fetch(upload.url, { method: 'PUT', body: new Uint8Array(bytes), headers: upload.headers })).ok).toBe(
    true,
  );
  return owner.client.arContent.completeMarkerUpload.mutate({ id, ...(widthMm ? { widthMm } : {}) });
}

const markerSettled = (id: string) =>
  waitUntil(
    `marker of ${id}`,
    () => owner.client.arContent.byId.query({ id }),
    (c) => c.status !== 'MARKER_PROCESSING',
    poll,
  );

/** The objects under a prefix once a failed revision's cleanup has run: the job removes them just after its commit. */
const keysLeft = (prefix: string) =>
  waitUntil(
    `cleanup of ${prefix}`,
    () => platform.deps.storage.listKeys(prefix),
    (keys) => keys.length === 0,
    { timeout: 10_000 },
  ).catch(() => platform.deps.storage.listKeys(prefix));

/** Where an item's compiled marker files are published: pub/<its output id>/ (finding 8). */
async function publicPrefixOf(id: string) {
  const row = await platform.deps.orm.fork().findOneOrFail(ArContent, { id });
  return `pub/${row.outputId}/`;
}

async function runCron(task: string) {
  await platform.deps.orm.fork().execute(`select graphile_worker.add_job(?, '{}'::json)`, [task]);
}

function rawManifest(publicId: string, ip: string, headers: Record<string, string> = {}) {
  const input = encodeURIComponent(JSON.stringify({ json: { publicId } }));
  return fetch(`${platform.baseUrl}/trpc/viewer.manifest?input=${input}`, {
    headers: { 'x-forwarded-for': ip, ...headers },
  });
}

/** The sorted keys of an object, and of every object inside it, as `path.key` strings. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  return Object.entries(value)
    .flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)])
    .sort();
}

type Videos = { v1: string; v2: string; v3: string };

// Each describe makes its own objects with the factories below, so any describe can run alone (`-t "<describe>"`).

/** Two videos uploaded for processing (v1 one second, v2 two) and one created but never uploaded (v3). */
async function uploadVideos(): Promise<Videos> {
  const v1 = await uploadVideo(tinyMp4(1), 'First dance');
  const v2 = await uploadVideo(tinyMp4(2), 'Speeches');
  const v3 = (
    await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'later.mp4',
      contentType: 'video/mp4',
      size: 1000,
      title: 'Not uploaded yet',
    })
  ).videoId;
  return { v1, v2, v3 };
}

async function videosPlayable(videos: Videos) {
  for (const id of [videos.v1, videos.v2]) {
    const v = await waitUntil(
      `video ${id}`,
      () => owner.client.video.byId.query({ id }),
      (x) => x.status === 'READY' || x.status === 'FAILED',
      poll,
    );
    expect(v.status).toBe('READY');
  }
}

/** An item whose marker compiled and is published (READY), as the marker tests leave theirs. */
async function publishedItem(
  title: string,
  image: Buffer,
  contentType: 'image/jpeg' | 'image/png',
  widthMm?: number,
): Promise<Content> {
  const item = await owner.client.arContent.create.mutate({ projectId, title });
  await putMarker(item.id, image, contentType, widthMm);
  let done = await markerSettled(item.id);
  // A photo below the detection gate (the low-texture one) waits for an editor: published anyway.
  const awaiting = done.marker.awaitingConfirmation;
  if (awaiting)
    done = await owner.client.arContent.confirmMarker.mutate({ id: item.id, revisionId: awaiting.revision });
  expect(done).toMatchObject({ status: 'READY', marker: { published: true } });
  return done;
}

/** "Anna & Ben" as the item tests leave it: customer fields, muted, a good marker 127 mm wide. */
async function annaAndBen(): Promise<Content> {
  const created = await owner.client.arContent.create.mutate({
    projectId,
    title: 'Anna & Ben',
    description: 'Wedding photo, 13×18',
    customer: { name: 'Anna Berg', email: 'ANNA@Example.com', phone: '+49 30 1234567', orderRef: 'ORD-1001' },
  });
  await owner.client.arContent.update.mutate({ id: created.id, playback: { muted: true }, customer: { phone: null } });
  await putMarker(created.id, await exifRotatedJpeg(await busyImage(640, 480)), 'image/jpeg', 127);
  const done = await markerSettled(created.id);
  expect(done).toMatchObject({ status: 'READY', marker: { published: true, widthMm: 127 } });
  return done;
}

/** Anna & Ben (published) with the playlist the playlist tests leave: v1, v2, v3, v1 by default, no rules. */
async function playableItem(videos: Videos): Promise<Content> {
  const busy = await annaAndBen();
  await owner.client.playlist.set.mutate({
    id: busy.id,
    videoIds: [videos.v1, videos.v2, videos.v3],
    defaultVideoId: videos.v1,
  });
  return busy;
}

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: {
      MEDIA_X264_PRESET: 'ultrafast',
      MEDIA_ENCODE_CONCURRENCY: '1',
      WORKER_CONCURRENCY: '3',
      VIEWER_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      LOG_LEVEL: 'error',
    },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Prints & Moments', timezone: 'Europe/Berlin' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Wedding albums' })).id;
  const otherProject = (await owner.client.project.create.mutate({ companyId, name: 'Elsewhere' })).id;
  const other = await owner.client.video.createUpload.mutate({
    projectId: otherProject,
    fileName: 'x.mp4',
    contentType: 'video/mp4',
    size: 1000,
  });
  otherProjectVideoId = other.videoId;
});

describe('AR content items', () => {
  const contents = {} as Record<'busy' | 'low' | 'flat' | 'small' | 'corrupt', Content>;
  let busyUpright: Buffer;
  // A project of its own: the list below must hold exactly this describe's items, whatever ran before.
  let projectId: string;
  beforeAll(async () => {
    projectId = (await owner.client.project.create.mutate({ companyId, name: 'Item tests' })).id;
  });

  it('creates, lists, reads and updates an item with customer fields; viewers read but do not write', async () => {
    const created = await owner.client.arContent.create.mutate({
      projectId,
      title: 'Anna & Ben',
      description: 'Wedding photo, 13×18',
      customer: { name: 'Anna Berg', email: 'ANNA@Example.com', phone: '+49 30 1234567', orderRef: 'ORD-1001' },
      widthMm: 180,
    });
    expect(created).toMatchObject({
      status: 'DRAFT',
      customer: { name: 'Anna Berg', email: 'anna@example.com', phone: '+49 30 1234567', orderRef: 'ORD-1001' },
      playback: { autoplay: true, loop: true, muted: false },
      marker: { widthMm: 180, published: false, score: null },
      version: 1,
    });
    expect(created.publicId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(created.links).toEqual({
      url: `${platform.baseUrl}/v/${created.publicId}`,
      deepLink: `arvlite://v/${created.publicId}`,
    });
    contents.busy = created;

    const bad = await failure(
      owner.client.arContent.update.mutate({
        id: created.id,
        activeFrom: new Date('2027-01-02'),
        expiresAt: new Date('2027-01-01'),
      }),
    );
    expect(bad.data?.code).toBe('BAD_REQUEST');
    const updated = await owner.client.arContent.update.mutate({
      id: created.id,
      playback: { muted: true },
      customer: { phone: null },
    });
    expect(updated).toMatchObject({
      playback: { autoplay: true, loop: true, muted: true },
      customer: { phone: null, name: 'Anna Berg' },
      version: 2,
    });

    const titles = { low: 'Low texture', flat: 'Flat', small: 'Too small', corrupt: 'Corrupt' } as const;
    for (const [key, title] of Object.entries(titles))
      contents[key as keyof typeof titles] = await owner.client.arContent.create.mutate({ projectId, title });
    const page1 = await owner.client.arContent.list.query({ projectId, limit: 3 });
    const page2 = await owner.client.arContent.list.query({ projectId, limit: 3, cursor: page1.nextCursor! });
    expect([...page1.items, ...page2.items].map((c) => c.id).sort()).toEqual(
      Object.values(contents)
        .map((c) => c.id)
        .sort(),
    );
    expect(page2.nextCursor).toBeNull();

    const viewer = await registerUser(platform.client, 'Viewer');
    await markEmailVerified(platform.deps, viewer.userId);
    const invite = await owner.client.member.invite.mutate({ companyId, email: viewer.email, role: 'viewer' });
    await viewer.client.auth.acceptInvite.mutate({ token: invite.token });
    expect((await viewer.client.arContent.byId.query({ id: created.id })).title).toBe('Anna & Ben');
    expect((await failure(viewer.client.arContent.update.mutate({ id: created.id, title: 'x' }))).data?.code).toBe(
      'FORBIDDEN',
    );
    expect((await failure(owner.client.arContent.byId.query({ id: crypto.randomUUID() }))).data?.code).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses marker uploads that are too large, of the wrong type, missing, or not images', async () => {
    const id = contents.corrupt.id;
    const tooLarge = await failure(
      owner.client.arContent.createMarkerUpload.mutate({ id, contentType: 'image/png', size: 20 * 1024 * 1024 + 1 }),
    );
    expect(tooLarge.data?.fieldErrors?.size?.[0]).toMatch(/20 MiB/);
    const gif = await failure(
      owner.client.arContent.createMarkerUpload.mutate({ id, contentType: 'image/gif' as 'image/png', size: 100 }),
    );
    expect(gif.data?.code).toBe('BAD_REQUEST');
    expect(gif.data?.fieldErrors?.contentType).toHaveLength(1);
    expect(reason(await failure(owner.client.arContent.completeMarkerUpload.mutate({ id })))).toBe('NO_UPLOAD');

    const upload = await owner.client.arContent.createMarkerUpload.mutate({ id, contentType: 'image/png', size: 26 });
    expect(reason(await failure(owner.client.arContent.completeMarkerUpload.mutate({ id })))).toBe('NOT_UPLOADED');
    await fetch(upload.url, { method: 'PUT', body: 'this is not a picture at a', headers: upload.headers });
    expect(reason(await failure(owner.client.arContent.completeMarkerUpload.mutate({ id })))).toBe('UNSUPPORTED_IMAGE');
    const after = await owner.client.arContent.byId.query({ id });
    expect(after).toMatchObject({ status: 'DRAFT', marker: { failure: { code: 'UNSUPPORTED_IMAGE' } } });
    expect(await platform.deps.storage.listKeys(`${companyId}/${projectId}/ar/${id}/`)).toEqual([]);
  });

  it(
    'compiles markers: busy > low texture > flat, the flat one refused with a reason, EXIF turned upright, .mind loads back',
    { timeout: 420_000 },
    async () => {
      busyUpright = await busyImage(640, 480);
      const started = Date.now();
      const busy = await putMarker(contents.busy.id, await exifRotatedJpeg(busyUpright), 'image/jpeg', 127);
      expect(busy.status).toBe('MARKER_PROCESSING');
      // Completing twice answers the same and queues one job.
      expect((await owner.client.arContent.completeMarkerUpload.mutate({ id: contents.busy.id })).status).toBe(
        'MARKER_PROCESSING',
      );
      const jobs = await platform.deps.orm
        .fork()
        .execute<{ n: number }[]>(`select count(*)::int as n from graphile_worker._private_jobs where key = ?`, [
          jobKey('marker:compile', { arContentId: contents.busy.id, revision: 1 }),
        ]);
      expect(jobs[0]?.n).toBe(1);
      // Nothing published yet: the viewer is told to wait.
      expect(await anonymous().viewer.manifest.query({ publicId: contents.busy.publicId })).toEqual({
        ok: false,
        reason: 'MARKER_PROCESSING',
        language: 'en',
      });
      expect(
        (
          await failure(
            owner.client.arContent.createMarkerUpload.mutate({
              id: contents.busy.id,
              contentType: 'image/png',
              size: 10,
            }),
          )
        ).data?.code,
      ).toBe('CONFLICT');

      await putMarker(contents.low.id, await lowTextureImage(640, 480), 'image/png');
      await putMarker(contents.flat.id, await flatImage(640, 480), 'image/png');
      await putMarker(contents.small.id, await busyImage(800, 479), 'image/png');
      const truncated = (await sharp(busyUpright).jpeg().toBuffer()).subarray(0, 3000);
      await putMarker(contents.corrupt.id, truncated, 'image/jpeg');

      const flat = await markerSettled(contents.flat.id);
      const small = await markerSettled(contents.small.id);
      const corrupt = await markerSettled(contents.corrupt.id);
      const busyDone = await markerSettled(contents.busy.id);
      const busyMs = Date.now() - started;
      // Low texture: not detected head-on at 30 cm at its printed size (150 mm assumed), so held back by the gate
      // until an editor confirms it.
      const lowHeld = await markerSettled(contents.low.id);
      expect(lowHeld).toMatchObject({
        status: 'DRAFT',
        marker: { published: false, awaitingConfirmation: { revision: 1, rating: 'poor', gate: { passes: false } } },
      });
      const low = await owner.client.arContent.confirmMarker.mutate({ id: contents.low.id, revisionId: 1 });
      console.info(
        `marker compile: busy ${busyDone.marker.compileMs} ms (${busyMs} ms end to end), low ${low.marker.compileMs} ms; scores busy ${busyDone.marker.score}, low ${low.marker.score}, flat ${flat.marker.score}`,
      );

      // Flat, too small and corrupt: back to DRAFT with a reason a customer can act on, nothing left in storage.
      expect(flat).toMatchObject({
        status: 'DRAFT',
        marker: { published: false, score: 0, rating: 'unusable', failure: { code: 'NO_FEATURES' } },
      });
      expect(flat.marker.failure!.message).toMatch(/No detail found.*flat colour/);
      expect(small).toMatchObject({ status: 'DRAFT', marker: { failure: { code: 'IMAGE_TOO_SMALL' } } });
      expect(small.marker.failure!.message).toMatch(/800×479 px.*480 px/);
      expect(corrupt).toMatchObject({ status: 'DRAFT', marker: { failure: { code: 'UNSUPPORTED_IMAGE' } } });
      for (const c of [flat, small, corrupt]) {
        expect(await keysLeft(`${companyId}/${projectId}/ar/${c.id}/`)).toEqual([]);
        expect(await keysLeft(await publicPrefixOf(c.id))).toEqual([]);
      }

      // Busy: a good marker; low texture: published once confirmed, with the advice as a warning.
      expect(busyDone).toMatchObject({
        status: 'READY',
        marker: { published: true, rating: 'good', advice: [], failure: null, width: 640, height: 480, widthMm: 127 },
      });
      expect(low).toMatchObject({ status: 'READY', marker: { published: true, rating: 'poor', failure: null } });
      expect(low.marker.advice).toContain('Low texture: choose a photo with more detail.');
      expect(busyDone.marker.score!).toBeGreaterThan(low.marker.score!);
      expect(low.marker.score!).toBeGreaterThan(flat.marker.score!);
      expect(busyDone.marker.matchingPoints!).toBeGreaterThan(100);
      expect(busyDone.marker.trackingPoints!).toBeGreaterThan(10);
      expect(busyDone.marker.matchingPoints!).toBeGreaterThan(low.marker.matchingPoints!);
      expect(busyDone.marker.keypoints!.length).toBeGreaterThan(100);

      // Deterministic keys, one folder per upload revision: the original under the item's private prefix, the
      // compiled files under its public one.
      const prefix = `${companyId}/${projectId}/ar/${contents.busy.id}/marker/1/`;
      expect(await platform.deps.storage.listKeys(`${companyId}/${projectId}/ar/${contents.busy.id}/`)).toEqual([
        `${prefix}original`,
      ]);
      const published = `${await publicPrefixOf(contents.busy.id)}marker/1/`;
      expect((await platform.deps.storage.listKeys(published)).sort()).toEqual(
        ['marker.jpg', 'marker.webp', 'target.mind', 'thumbnail.jpg'].map((f) => published + f),
      );

      // The published .mind loads back with the recorded point counts.
      const mind = new Uint8Array(await (await fetch(busyDone.marker.mindUrl!)).arrayBuffer());
      const loaded = await loadMindFile(mind);
      expect(loaded.targets).toHaveLength(1);
      expect(loaded.targets[0]).toMatchObject({
        width: 640,
        height: 480,
        matchingPoints: busyDone.marker.matchingPoints,
        trackingPoints: busyDone.marker.trackingPoints,
      });

      // The EXIF-rotated upload is stored upright: the published JPEG matches the upright image, not a turned one.
      const image = Buffer.from(await (await fetch(busyDone.marker.imageUrl!)).arrayBuffer());
      expect((await sharp(image).metadata()).orientation).toBeUndefined();
      expect(await meanDifference(image, busyUpright)).toBeLessThan(15);
      expect(await meanDifference(image, await sharp(busyUpright).rotate(180).toBuffer())).toBeGreaterThan(40);
      const thumbnail = await sharp(
        Buffer.from(await (await fetch(busyDone.marker.thumbnailUrl!)).arrayBuffer()),
      ).metadata();
      expect([thumbnail.width, thumbnail.height]).toEqual([256, 192]);

      // Storage usage counts the published markers.
      const company = await platform.deps.orm.fork().findOneOrFail(Company, { id: companyId });
      const rows = await platform.deps.orm.fork().find(ArContent, { id: { $in: [contents.busy.id, contents.low.id] } });
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.markerStoredBytes > 0)).toBe(true);
      expect(company.storageUsedBytes).toBeGreaterThanOrEqual(rows.reduce((n, r) => n + r.markerStoredBytes, 0));
      contents.busy = busyDone;
      contents.low = low;
    },
  );

  it('keeps the published marker in service when a replacement is unusable', async () => {
    await putMarker(contents.busy.id, await flatImage(600, 600), 'image/png');
    const after = await markerSettled(contents.busy.id);
    expect(after).toMatchObject({
      status: 'READY',
      marker: { published: true, failure: { code: 'NO_FEATURES' }, score: contents.busy.marker.score },
    });
    expect(after.marker.imageUrl!.split('?')[0]).toBe(contents.busy.marker.imageUrl!.split('?')[0]);
    expect(await keysLeft(`${companyId}/${projectId}/ar/${contents.busy.id}/marker/2/`)).toEqual([]);
    expect(await keysLeft(`${await publicPrefixOf(contents.busy.id)}marker/2/`)).toEqual([]);
  });

  it('QR codes (PNG data URL and SVG) and viewer links point at the public viewer', async () => {
    const { id, publicId } = contents.busy;
    const png = await owner.client.arContent.qr.query({ id, format: 'png', sizePx: 512 });
    expect(png.url).toBe(`${platform.baseUrl}/v/${publicId}`);
    expect(png.deepLink).toBe(`arvlite://v/${publicId}`);
    expect(png.dataUrl).toMatch(/^data:image\/png;base64,/);
    const meta = await sharp(Buffer.from(png.dataUrl!.split(',')[1]!, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 512]);
    const svg = await owner.client.arContent.qr.query({ id, format: 'svg' });
    expect(svg.svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(await owner.client.arContent.viewerLinks.query({ id })).toEqual({
      publicId,
      url: png.url,
      deepLink: png.deepLink,
    });
  });
});

describe('playlists and scheduling', () => {
  let videos: Videos;
  const contents = {} as Record<'busy', Content>;
  beforeAll(async () => {
    videos = await uploadVideos();
    contents.busy = await owner.client.arContent.create.mutate({ projectId, title: 'Anna & Ben' });
  }, 60_000);

  it('waits for the two uploaded videos to become playable', { timeout: 300_000 }, async () => {
    await videosPlayable(videos);
  });

  it('takes videos of the same project only, and refuses to drop a video a rule uses', async () => {
    const id = contents.busy.id;
    expect(
      (await failure(owner.client.playlist.set.mutate({ id, videoIds: [videos.v1, otherProjectVideoId] }))).data?.code,
    ).toBe('NOT_FOUND');
    expect(
      reason(await failure(owner.client.playlist.set.mutate({ id, videoIds: [videos.v1], defaultVideoId: videos.v2 }))),
    ).toBe('DEFAULT_NOT_IN_PLAYLIST');
    const set = await owner.client.playlist.set.mutate({
      id,
      videoIds: [videos.v1, videos.v2, videos.v3],
      defaultVideoId: videos.v1,
    });
    expect(set.items.map((i) => [i.videoId, i.playable])).toEqual([
      [videos.v1, true],
      [videos.v2, true],
      [videos.v3, false],
    ]);
    expect(set).toMatchObject({
      timezone: 'Europe/Berlin',
      defaultVideoId: videos.v1,
      current: { videoId: videos.v1, rule: 'default', validUntil: null },
    });
    expect(
      (
        await failure(
          owner.client.playlist.addRule.mutate({ id, kind: 'date', date: '2026-03-03', videoId: otherProjectVideoId }),
        )
      ).data?.code,
    ).toBe('NOT_FOUND');
  });

  it('previews date > window > rotation > default in the company timezone, skipping unplayable videos, across DST', async () => {
    const id = contents.busy.id;
    const rotation = await owner.client.playlist.addRule.mutate({
      id,
      kind: 'rotation',
      cycle: 'daily',
      videoIds: [videos.v1, videos.v2],
      anchorDate: '2026-03-01',
    });
    const date = await owner.client.playlist.addRule.mutate({
      id,
      kind: 'date',
      date: '2026-03-03',
      videoId: videos.v2,
    });
    // A window for a video that cannot play yet: skipped, so it changes nothing.
    const window = await owner.client.playlist.addRule.mutate({
      id,
      kind: 'window',
      start: new Date('2026-03-05T10:00:00Z'),
      end: new Date('2026-03-05T12:00:00Z'),
      videoId: videos.v3,
    });
    expect(window.playlist.rules.map((r) => r.kind)).toEqual(['rotation', 'date', 'window']);
    const badWindow = await failure(
      owner.client.playlist.addRule.mutate({
        id,
        kind: 'window',
        start: new Date('2026-03-05T12:00:00Z'),
        end: new Date('2026-03-05T10:00:00Z'),
        videoId: videos.v1,
      }),
    );
    expect(badWindow.data?.code).toBe('BAD_REQUEST');

    const { segments } = await owner.client.playlist.preview.query({
      id,
      from: new Date('2026-02-28T23:00:00Z'),
      to: new Date('2026-03-05T23:00:00Z'),
    });
    // Berlin midnight is 23:00 UTC in winter.
    expect(segments.map((s) => [s.from.toISOString(), s.to.toISOString(), s.videoId, s.rule, s.ruleId])).toEqual([
      ['2026-02-28T23:00:00.000Z', '2026-03-01T23:00:00.000Z', videos.v1, 'rotation', rotation.ruleId],
      ['2026-03-01T23:00:00.000Z', '2026-03-02T23:00:00.000Z', videos.v2, 'rotation', rotation.ruleId],
      ['2026-03-02T23:00:00.000Z', '2026-03-03T23:00:00.000Z', videos.v2, 'date', date.ruleId],
      ['2026-03-03T23:00:00.000Z', '2026-03-04T23:00:00.000Z', videos.v2, 'rotation', rotation.ruleId],
      ['2026-03-04T23:00:00.000Z', '2026-03-05T23:00:00.000Z', videos.v1, 'rotation', rotation.ruleId],
    ]);
    // Summer time starts on 29 March: from then on the day turns at 22:00 UTC.
    const dst = await owner.client.playlist.preview.query({
      id,
      from: new Date('2026-03-28T23:00:00Z'),
      to: new Date('2026-03-30T22:00:00Z'),
    });
    expect(dst.segments.map((s) => [s.from.toISOString(), s.videoId])).toEqual([
      ['2026-03-28T23:00:00.000Z', videos.v1],
      ['2026-03-29T22:00:00.000Z', videos.v2],
    ]);

    for (const r of [rotation.ruleId, date.ruleId, window.ruleId])
      await owner.client.playlist.removeRule.mutate({ id, ruleId: r });
    expect((await owner.client.playlist.get.query({ id })).rules).toEqual([]);
    expect((await failure(owner.client.playlist.removeRule.mutate({ id, ruleId: rotation.ruleId }))).data?.code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('the public viewer manifest', () => {
  let videos: Videos;
  const contents = {} as Record<'busy' | 'low' | 'flat', Content>;
  beforeAll(async () => {
    videos = await uploadVideos();
    contents.flat = await owner.client.arContent.create.mutate({ projectId, title: 'Flat' });
    contents.low = await publishedItem('Low texture', await lowTextureImage(640, 480), 'image/png');
    contents.busy = await playableItem(videos);
    await videosPlayable(videos);
  }, 420_000);

  const MANIFEST_KEYS = [
    'content',
    'content.title',
    'language',
    'marker',
    'marker.imageUrl',
    'marker.mindUrl',
    'marker.widthMm',
    'ok',
    'playback',
    'playback.autoplay',
    'playback.loop',
    'playback.muted',
    'selection',
    'selection.rule',
    'selection.validUntil',
    'version',
    'video',
    'video.alpha',
    'video.chromaKey',
    'video.durationS',
    'video.hlsUrl',
    'video.mp4Url',
    'video.posterUrl',
  ].sort();

  it('answers exactly the public fields for a playable item, and nothing private', async () => {
    const m = (await anonymous().viewer.manifest.query({ publicId: contents.busy.publicId })) as Extract<
      Manifest,
      { ok: true }
    >;
    expect(keyPaths(m)).toEqual(MANIFEST_KEYS);
    const detail = await owner.client.arContent.byId.query({ id: contents.busy.id });
    expect(m).toMatchObject({
      ok: true,
      version: detail.version,
      language: 'en',
      content: { title: 'Anna & Ben' },
      marker: { widthMm: 127 },
      selection: { rule: 'default', validUntil: null },
      playback: { autoplay: true, loop: true, muted: true },
    });
    expect(m.video.durationS).toBeCloseTo(1, 0);
    expect(m.video.hlsUrl).toMatch(/\/media\/[0-9a-f]{32}\//);
    for (const url of [m.marker.imageUrl, m.marker.mindUrl, m.video.hlsUrl, m.video.mp4Url!, m.video.posterUrl!]) {
      expect((await fetch(url)).status, url).toBe(200);
    }
    // No customer data anywhere; no ids or storage keys outside the URLs (which only point at objects).
    const text = JSON.stringify(m);
    for (const secret of ['Anna Berg', 'anna@example.com', 'ORD-1001']) expect(text).not.toContain(secret);
    const withoutUrls = JSON.stringify(m, (_k, v: unknown) =>
      typeof v === 'string' && /^https?:/.test(v) ? 'URL' : v,
    );
    for (const secret of [companyId, projectId, contents.busy.id, 'marker/1/', contents.busy.publicId])
      expect(withoutUrls).not.toContain(secret);
    // Not even inside the URLs (finding 8): they name outputs by an opaque id.
    for (const secret of [companyId, projectId, contents.busy.id, videos.v1]) expect(text).not.toContain(secret);
  });

  it('gives every reason: NOT_FOUND, EXPIRED, MARKER_PROCESSING, NO_PLAYABLE_VIDEO', async () => {
    const viewer = anonymous();
    const manifest = (publicId: string) => viewer.viewer.manifest.query({ publicId });
    expect(await manifest('AAAAAAAAAAAAAAAA')).toEqual({ ok: false, reason: 'NOT_FOUND' });
    expect(await manifest(contents.flat.publicId)).toEqual({ ok: false, reason: 'NOT_FOUND' }); // DRAFT: never published
    // MARKER_PROCESSING is asserted while the first marker compiles (above).
    // A reason about an item that exists carries the company's language for the page; NOT_FOUND never does.
    const noVideo = { ok: false, reason: 'NO_PLAYABLE_VIDEO', language: 'en' };
    expect(await manifest(contents.low.publicId)).toEqual(noVideo); // empty playlist
    await owner.client.playlist.set.mutate({ id: contents.low.id, videoIds: [videos.v3] });
    expect(await manifest(contents.low.publicId)).toEqual(noVideo); // nothing playable

    await owner.client.arContent.update.mutate({ id: contents.low.id, activeFrom: new Date(Date.now() + 3_600_000) });
    expect(await manifest(contents.low.publicId)).toEqual({ ok: false, reason: 'NOT_FOUND' }); // not active yet
    await owner.client.arContent.update.mutate({
      id: contents.low.id,
      activeFrom: new Date(Date.now() - 7_200_000),
      expiresAt: new Date(Date.now() - 3_600_000),
    });
    expect(await manifest(contents.low.publicId)).toEqual({ ok: false, reason: 'EXPIRED', language: 'en' });

    // The cron records the expiry and bumps the version; nothing is deleted.
    const before = await owner.client.arContent.byId.query({ id: contents.low.id });
    await runCron('ar-content:expire');
    const expired = await waitUntil(
      'expiry cron',
      () => platform.deps.orm.fork().findOneOrFail(ArContent, { id: contents.low.id }),
      (c) => !!c.expiredAt,
      { timeout: 30_000 },
    );
    expect(expired.version).toBe(before.version + 1);
    expect(expired.markerMindKey).not.toBeNull();
    expect(await platform.deps.storage.listKeys(`${companyId}/${projectId}/ar/${contents.low.id}/`)).toHaveLength(1);
    expect(await platform.deps.storage.listKeys(await publicPrefixOf(contents.low.id))).toHaveLength(4);
    expect((await owner.client.arContent.byId.query({ id: contents.low.id })).expired).toBe(true);

    const archived = await owner.client.arContent.create.mutate({ projectId, title: 'Archived' });
    await owner.client.arContent.archive.mutate({ id: archived.id });
    expect(await manifest(archived.publicId)).toEqual({ ok: false, reason: 'NOT_FOUND' });

    expect(keyPaths(await manifest('AAAAAAAAAAAAAAAA'))).toEqual(['ok', 'reason']);
    expect(keyPaths(await manifest(contents.low.publicId))).toEqual(['language', 'ok', 'reason']);
  });

  it('sends an ETag and answers 304 while nothing changed; a change gives a new ETag', async () => {
    const ip = '172.31.0.1';
    const first = await rawManifest(contents.busy.publicId, ip);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect((await first.json()) as unknown).toMatchObject({ result: { data: { json: { ok: true } } } });

    const again = await rawManifest(contents.busy.publicId, ip, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    await owner.client.arContent.update.mutate({ id: contents.busy.id, title: 'Anna & Ben, 2026' });
    const changed = await rawManifest(contents.busy.publicId, ip, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);

    const missing = await rawManifest('AAAAAAAAAAAAAAAA', ip);
    expect(missing.headers.get('cache-control')).toBe('public, max-age=10');
  });

  it('gives a new version when the playing video’s chroma key changes, so viewers and apps refetch', async () => {
    type Playable = Extract<Manifest, { ok: true }>;
    const read = async () =>
      (await anonymous().viewer.manifest.query({ publicId: contents.busy.publicId })) as Playable;
    const before = await read();
    expect(before.video.chromaKey).toBeNull();
    const key = { color: '#00FF00', tolerance: 0.35 };
    await owner.client.video.update.mutate({ id: videos.v1, chromaKey: key });
    const keyed = await read();
    expect(keyed.video.chromaKey).toEqual(key);
    expect(keyed.version).toBe(before.version + 1);
    expect((await owner.client.arContent.byId.query({ id: contents.busy.id })).version).toBe(keyed.version);
    // The same key again, or another field, changes nothing viewers see: no new version.
    await owner.client.video.update.mutate({ id: videos.v1, chromaKey: { ...key } });
    await owner.client.video.update.mutate({ id: videos.v1, title: 'Clip one' });
    expect((await read()).version).toBe(keyed.version);
    // A video of the playlist that is not playing now still counts: it can be chosen later.
    await owner.client.video.update.mutate({ id: videos.v2, chromaKey: key });
    expect((await read()).version).toBe(keyed.version + 1);
    // Removing the keys: new versions again.
    await owner.client.video.update.mutate({ id: videos.v2, chromaKey: null });
    await owner.client.video.update.mutate({ id: videos.v1, chromaKey: null });
    const cleared = await read();
    expect(cleared.video.chromaKey).toBeNull();
    expect(cleared.version).toBe(keyed.version + 3);
  });

  it('limits each IP strictly, with retry-after', async () => {
    const ip = '172.31.0.2';
    for (let i = 0; i < RATE_LIMIT; i++) expect((await rawManifest(contents.busy.publicId, ip)).status).toBe(200);
    const limited = await rawManifest(contents.busy.publicId, ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await rawManifest(contents.busy.publicId, '172.31.0.3')).status).toBe(200);
  });
});

describe('view sessions and analytics', () => {
  let videos: Videos;
  const contents = {} as Record<'busy' | 'low' | 'flat', Content>;
  beforeAll(async () => {
    videos = await uploadVideos();
    contents.flat = await owner.client.arContent.create.mutate({ projectId, title: 'Flat' });
    contents.low = await owner.client.arContent.create.mutate({ projectId, title: 'Low texture' });
    contents.busy = await playableItem(videos);
    await videosPlayable(videos);
  }, 420_000);

  it('starts and ends sessions with bounded, validated input; stores hashes, not addresses', async () => {
    const phone = platform.client(undefined, '172.31.1.1');
    const started = await phone.viewer.startSession.mutate({
      publicId: contents.busy.publicId,
      device: {
        platform: 'ios',
        model: 'iPhone15,2',
        os: 'iOS 18.1',
        appVersion: '1.4.0',
        installId: 'install-0123456789abcdef',
      },
    });
    expect(keyPaths(started)).toEqual(['sessionId']);
    const ended = await phone.viewer.endSession.mutate({
      sessionId: started.sessionId,
      watchedMs: 3_600_000,
      trackingLostCount: 2,
      completed: true,
    });
    expect(keyPaths(ended)).toEqual(['ok']);
    expect(
      (
        await failure(
          phone.viewer.endSession.mutate({
            sessionId: started.sessionId,
            watchedMs: 1,
            trackingLostCount: 0,
            completed: false,
          }),
        )
      ).data?.code,
    ).toBe('CONFLICT');
    expect(
      (
        await failure(
          phone.viewer.endSession.mutate({
            sessionId: crypto.randomUUID(),
            watchedMs: 1,
            trackingLostCount: 0,
            completed: false,
          }),
        )
      ).data?.code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await failure(
          phone.viewer.startSession.mutate({ publicId: contents.flat.publicId, device: { platform: 'ios' } }),
        )
      ).data?.code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await failure(
          phone.viewer.startSession.mutate({
            publicId: contents.busy.publicId,
            device: { platform: 'ios', model: 'x'.repeat(101) },
          }),
        )
      ).data?.code,
    ).toBe('BAD_REQUEST');

    const row = await platform.deps.orm.fork().findOneOrFail(ViewSession, { id: started.sessionId });
    // An hour reported a moment after starting is clamped to the session's real length.
    expect(row.watchedMs).toBeLessThan(10_000);
    expect(row).toMatchObject({
      endReason: 'client',
      completed: true,
      trackingLostCount: 2,
      platform: 'ios',
      deviceModel: 'iPhone15,2',
      videoId: videos.v1,
    });
    expect(JSON.stringify(row)).not.toContain('172.31.1.1');
    expect(row.ipHash).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Abandoned sessions are closed by the cron at the timeout; they count as views, not in watch time.
    const em = platform.deps.orm.fork();
    await em.execute(
      `insert into view_session (id, ar_content_id, company_id, project_id, platform, device_hash, ip_hash, started_at, received_at)
       values (gen_random_uuid(), ?, ?, ?, 'android', 'abandoned-device', 'x', now() - interval '3 hours', now() - interval '3 hours')`,
      [contents.busy.id, companyId, projectId],
    );
    // A session sent late from an offline phone started long ago but was only just received: not abandoned yet.
    const late = await phone.viewer.startSession.mutate({
      publicId: contents.busy.publicId,
      device: { platform: 'android' },
      startedAgoMs: 3 * 3600_000,
    });
    await runCron('viewer:close-sessions');
    const closed = await waitUntil(
      'session cron',
      () => platform.deps.orm.fork().findOneOrFail(ViewSession, { deviceHash: 'abandoned-device' }),
      (s) => !!s.endedAt,
      { timeout: 30_000 },
    );
    expect(closed.endReason).toBe('abandoned');
    expect(closed.endedAt!.getTime() - closed.startedAt.getTime()).toBe(60 * 60_000);
    expect((await platform.deps.orm.fork().findOneOrFail(ViewSession, { id: late.sessionId })).endedAt).toBeNull();
  });

  it('accepts sessions an offline phone sends later, dated by bounded ages rather than its clock', async () => {
    const phone = platform.client(undefined, '172.31.1.2');
    const hour = 3600_000;
    const before = Date.now();
    const started = await phone.viewer.startSession.mutate({
      publicId: contents.busy.publicId,
      device: { platform: 'android' },
      startedAgoMs: 26 * hour,
    });
    // Ten minutes watched, reported a day later: kept, because the session really lasted that long.
    await phone.viewer.endSession.mutate({
      sessionId: started.sessionId,
      watchedMs: 10 * 60_000,
      trackingLostCount: 1,
      completed: true,
      endedAgoMs: 26 * hour - 11 * 60_000,
    });
    const row = await platform.deps.orm.fork().findOneOrFail(ViewSession, { id: started.sessionId });
    expect(Math.abs(row.startedAt.getTime() - (before - 26 * hour))).toBeLessThan(30_000);
    expect(Math.abs(row.endedAt!.getTime() - row.startedAt.getTime() - 11 * 60_000)).toBeLessThan(30_000);
    expect(row.watchedMs).toBe(10 * 60_000);
    expect(Math.abs(row.receivedAt.getTime() - before)).toBeLessThan(30_000);

    // An end dated before the start is taken as the start, so the watch time is only the slack.
    const again = await phone.viewer.startSession.mutate({
      publicId: contents.busy.publicId,
      device: { platform: 'android' },
      startedAgoMs: hour,
    });
    await phone.viewer.endSession.mutate({
      sessionId: again.sessionId,
      watchedMs: 10 * 60_000,
      trackingLostCount: 0,
      completed: true,
      endedAgoMs: 2 * hour,
    });
    const clamped = await platform.deps.orm.fork().findOneOrFail(ViewSession, { id: again.sessionId });
    expect(clamped.endedAt!.getTime()).toBe(clamped.startedAt.getTime());
    expect(clamped.watchedMs).toBe(5000);

    const tooOld = await failure(
      phone.viewer.startSession.mutate({
        publicId: contents.busy.publicId,
        device: { platform: 'android' },
        startedAgoMs: 8 * 24 * hour,
      }),
    );
    expect(tooOld.data?.code).toBe('BAD_REQUEST');
    expect(
      (
        await failure(
          phone.viewer.startSession.mutate({
            publicId: contents.busy.publicId,
            device: { platform: 'android' },
            startedAgoMs: -1,
          }),
        )
      ).data?.code,
    ).toBe('BAD_REQUEST');
  });

  it('summarizes views, unique devices, median and average watch time and completion per calendar day in the company timezone', async () => {
    const em = platform.deps.orm.fork();
    const add = (
      contentId: string,
      at: string,
      device: string,
      watchedMs: number,
      completed: boolean,
      endReason = 'client',
      platform = 'web',
    ) =>
      em.execute(
        `insert into view_session (id, ar_content_id, company_id, project_id, platform, device_hash, ip_hash, started_at, ended_at, end_reason, watched_ms, completed)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, 'x', ?, ?::timestamptz + interval '1 minute', ?, ?, ?)`,
        [contentId, companyId, projectId, platform, device, at, at, endReason, watchedMs, completed],
      );
    // 10 January (Berlin): three views from two devices.
    await add(contents.busy.id, '2026-01-09T23:30:00Z', 'd1', 1000, true); // 00:30 in Berlin: still the 10th
    await add(contents.busy.id, '2026-01-10T12:00:00Z', 'd2', 3000, true);
    await add(contents.busy.id, '2026-01-10T22:59:00Z', 'd1', 8000, false);
    // 11 January: nothing. 12 January: one reported view, one abandoned, same device.
    await add(contents.busy.id, '2026-01-12T08:00:00Z', 'd3', 5000, true, 'client', 'ios');
    await add(contents.busy.id, '2026-01-12T09:00:00Z', 'd3', 0, false, 'abandoned', 'ios');
    // Another item of the project: only in the project-wide numbers.
    await add(contents.low.id, '2026-01-12T10:00:00Z', 'd4', 2000, false);

    const from = new Date('2026-01-09T23:00:00Z');
    const to = new Date('2026-01-12T23:00:00Z');
    const summary = await owner.client.analytics.summary.query({
      arContentId: contents.busy.id,
      from,
      to,
      granularity: 'day',
    });
    expect(summary.timezone).toBe('Europe/Berlin');
    expect(
      summary.series.map((s) => [
        s.start.toISOString(),
        s.views,
        s.uniqueDevices,
        s.reportedSessions,
        s.medianWatchMs,
        s.averageWatchMs,
        s.completionRate,
      ]),
    ).toEqual([
      ['2026-01-09T23:00:00.000Z', 3, 2, 3, 3000, 4000, 0.6667],
      ['2026-01-10T23:00:00.000Z', 0, 0, 0, null, null, null],
      ['2026-01-11T23:00:00.000Z', 2, 1, 1, 5000, 5000, 1],
    ]);
    expect(summary.totals).toEqual({
      views: 5,
      uniqueDevices: 3,
      reportedSessions: 4,
      medianWatchMs: 4000,
      averageWatchMs: 4250,
      completionRate: 0.75,
    });
    // The same figures per platform, most viewed first.
    expect(summary.platforms).toEqual([
      {
        platform: 'web',
        views: 3,
        uniqueDevices: 2,
        reportedSessions: 3,
        medianWatchMs: 3000,
        averageWatchMs: 4000,
        completionRate: 0.6667,
      },
      {
        platform: 'ios',
        views: 2,
        uniqueDevices: 1,
        reportedSessions: 1,
        medianWatchMs: 5000,
        averageWatchMs: 5000,
        completionRate: 1,
      },
    ]);

    const project = await owner.client.analytics.summary.query({ projectId, from, to, granularity: 'week' });
    expect(project.series.map((s) => [s.start.toISOString(), s.views])).toEqual([
      ['2026-01-04T23:00:00.000Z', 3], // the week of Monday 5 January
      ['2026-01-11T23:00:00.000Z', 3], // Monday 12 January
    ]);
    expect(project.totals).toMatchObject({
      views: 6,
      uniqueDevices: 4,
      reportedSessions: 5,
      medianWatchMs: 3000,
      averageWatchMs: 3800,
    });

    // Today's real sessions (from the test above) show up too.
    const today = await owner.client.analytics.summary.query({
      arContentId: contents.busy.id,
      from: new Date(Date.now() - 86_400_000),
      to: new Date(Date.now() + 60_000),
      granularity: 'hour',
    });
    expect(today.totals.views).toBeGreaterThanOrEqual(1);
    expect(today.totals.completionRate).toBe(1);

    const other = await registerUser(platform.client, 'Stranger');
    expect(
      (await failure(other.client.analytics.summary.query({ projectId, from, to, granularity: 'day' }))).data?.code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await failure(
          owner.client.analytics.summary.query({ projectId, from, to: new Date('2030-01-01'), granularity: 'hour' }),
        )
      ).data?.code,
    ).toBe('BAD_REQUEST');
  });
});

describe('recovery and deletion', () => {
  const contents = {} as Record<'low', Content>;
  beforeAll(async () => {
    contents.low = await publishedItem('Low texture', await lowTextureImage(640, 480), 'image/png');
  }, 420_000);

  it('ends a compile whose job is gone with a reason instead of leaving it processing', async () => {
    const stuck = await owner.client.arContent.create.mutate({ projectId, title: 'Lost compile' });
    await platform.deps.orm
      .fork()
      .execute(
        `update ar_content set status = 'MARKER_PROCESSING', marker_revision = 1, marker_queued_revision = 1, updated_at = now() - interval '1 hour' where id = ?`,
        [stuck.id],
      );
    expect(await anonymous().viewer.manifest.query({ publicId: stuck.publicId })).toEqual({
      ok: false,
      reason: 'MARKER_PROCESSING',
      language: 'en',
    });
    await runCron('marker:recover');
    const after = await markerSettled(stuck.id);
    expect(after).toMatchObject({ status: 'DRAFT', marker: { failure: { code: 'MARKER_FAILED' } } });
  });

  it('delete hides the item at once, then removes its objects, usage and rows', async () => {
    const { id, publicId } = contents.low;
    const usage = async () =>
      (await platform.deps.orm.fork().findOneOrFail(Company, { id: companyId })).storageUsedBytes;
    const row = await platform.deps.orm.fork().findOneOrFail(ArContent, { id });
    const before = await usage();
    await owner.client.arContent.delete.mutate({ id });
    expect(await anonymous().viewer.manifest.query({ publicId })).toEqual({ ok: false, reason: 'NOT_FOUND' });
    expect((await failure(owner.client.arContent.byId.query({ id }))).data?.code).toBe('NOT_FOUND');
    await waitUntil(
      'deletion',
      () => platform.deps.orm.fork().count(ArContent, { id }),
      (n) => n === 0,
      { timeout: 60_000 },
    );
    expect(await platform.deps.storage.listKeys(`${companyId}/${projectId}/ar/${id}/`)).toEqual([]);
    expect(await platform.deps.storage.listKeys(`pub/${row.outputId}/`)).toEqual([]);
    expect(await usage()).toBe(before - row.markerStoredBytes);
    expect(await platform.deps.orm.fork().count(ViewSession, { arContent: id })).toBe(0);
  });
});
