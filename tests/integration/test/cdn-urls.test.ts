// CDN mode (MEDIA_PUBLIC_BASE_URL): the URLs it hands out. Published outputs (keys under pub/<outputId>/) are plain
// URLs on the base, unsigned and without expiry; anything not under pub/ (a row from before output ids, whose outputs
// sit under the tenant prefix) stays signed and scoped: a /media URL signed for that one file and MEDIA_URL_TTL_S, and
// presigned storage GETs of one object each. Checked through video.byId, arContent.byId, viewer.manifest (with its
// cache headers over HTTP) and the Content-Security-Policy, on rows inserted as the pipeline leaves them.
import { signMediaPath } from '@arvlite/api';
import { buildServer } from '@arvlite/server';
import { createTestDeps } from '@arvlite/test-utils';
import { insertReadyArContent, insertReadyVideo } from '@arvlite/test-utils/seed';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAt, randomIp, signUp } from '../src/index.ts';

const PUBLIC_URL = 'http://cdn-mode.test';
// Given with a trailing slash: the configuration drops it, so no URL has `//`.
const BASE = 'https://cdn.arvlite.invalid/assets';
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let companyId: string;
let projectId: string;
const OUT = 'a1'.repeat(16);
const MARKER_OUT = 'b2'.repeat(16);
let modernId: string;
let legacyId: string;
let modernPublicId: string;
let legacyContent: { contentId: string; publicId: string; markerPrefix: string };

beforeAll(async () => {
  deps = await createTestDeps({ PUBLIC_URL, MEDIA_PUBLIC_BASE_URL: `${BASE}/`, MEDIA_URL_TTL_S: '1800' });
  owner = await signUp(deps);
  companyId = (await owner.caller.company.create({ name: 'CDN Co' })).id;
  projectId = (await owner.caller.project.create({ companyId, name: 'Published' })).id;
  const tenant = { userId: owner.userId, companyId, projectId };
  const db = new pg.Client({ connectionString: deps.config.database.url });
  await db.connect();
  try {
    modernId = await insertReadyVideo(db, tenant);
    await db.query('update video set output_id = $1 where id = $2', [OUT, modernId]);
    legacyId = await insertReadyVideo(db, tenant);
    // A published item: marker files under its outputs id, playing the modern video.
    const modern = await insertReadyArContent(db, tenant, { videoIds: [modernId], title: 'Published card' });
    modernPublicId = modern.publicId;
    const m = `pub/${MARKER_OUT}/marker/1/`;
    await db.query(
      `update ar_content set output_id = $1, marker_image_key = $2, marker_webp_key = $3, marker_thumbnail_key = $4,
         marker_mind_key = $5 where id = $6`,
      [MARKER_OUT, `${m}marker.jpg`, `${m}marker.webp`, `${m}thumbnail.jpg`, `${m}target.mind`, modern.contentId],
    );
    // A row from before output ids: marker under the tenant prefix, playing the legacy video.
    legacyContent = await insertReadyArContent(db, tenant, { videoIds: [legacyId], title: 'Old card' });
  } finally {
    await db.end();
  }
});

const tenantIds = () => [companyId, projectId, modernId, owner.userId];

function expectPresignedGet(url: string | null | undefined, key: string) {
  const u = new URL(url!);
  expect(u.pathname.endsWith(`/${key}`), `${url} names ${key}`).toBe(true);
  expect(u.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  expect(u.searchParams.get('X-Amz-Expires')).toBe('1800');
  expect(u.toString().startsWith(BASE)).toBe(false);
}

describe('MEDIA_PUBLIC_BASE_URL: published outputs', () => {
  it('video.byId: every playback URL is the base plus the pub/ key, unsigned, without expiry', async () => {
    expect(deps.config.media.publicBaseUrl).toBe(BASE);
    const { playback } = await owner.caller.video.byId({ id: modernId });
    expect(playback).toEqual({
      hlsUrl: `${BASE}/pub/${OUT}/master.m3u8`,
      // The largest ladder rung up to 720p.
      mp4Url: `${BASE}/pub/${OUT}/720p.mp4`,
      posterUrl: `${BASE}/pub/${OUT}/poster.jpg`,
      posterWebpUrl: `${BASE}/pub/${OUT}/poster.webp`,
      storyboardVttUrl: `${BASE}/pub/${OUT}/storyboard.vtt`,
      expiresAt: null,
    });
    const text = JSON.stringify(playback);
    for (const id of tenantIds()) expect(text).not.toContain(id);
  });

  it('viewer.manifest: marker and video URLs on the base, unsigned, naming no tenant', async () => {
    const viewer = callerAt(deps, randomIp());
    const m = await viewer.viewer.manifest({ publicId: modernPublicId });
    if (!m.ok) throw new Error(`manifest: ${m.reason}`);
    expect(m.marker).toMatchObject({
      imageUrl: `${BASE}/pub/${MARKER_OUT}/marker/1/marker.jpg`,
      mindUrl: `${BASE}/pub/${MARKER_OUT}/marker/1/target.mind`,
    });
    expect(m.video).toMatchObject({
      hlsUrl: `${BASE}/pub/${OUT}/master.m3u8`,
      mp4Url: `${BASE}/pub/${OUT}/720p.mp4`,
      posterUrl: `${BASE}/pub/${OUT}/poster.jpg`,
    });
    const text = JSON.stringify(m);
    for (const id of tenantIds()) expect(text).not.toContain(id);
    expect(text).not.toMatch(/X-Amz-|[?&]sig=|[?&]exp=/);
  });

  it('arContent.byId: the published marker files on the base', async () => {
    const list = await owner.caller.arContent.list({ projectId });
    const item = list.items.find((i) => i.publicId === modernPublicId)!;
    const detail = await owner.caller.arContent.byId({ id: item.id });
    expect(detail.marker).toMatchObject({
      imageUrl: `${BASE}/pub/${MARKER_OUT}/marker/1/marker.jpg`,
      thumbnailUrl: `${BASE}/pub/${MARKER_OUT}/marker/1/thumbnail.jpg`,
      mindUrl: `${BASE}/pub/${MARKER_OUT}/marker/1/target.mind`,
    });
  });
});

describe('MEDIA_PUBLIC_BASE_URL: what is not under pub/ stays signed', () => {
  it('a row from before output ids: /media signed for one file and MEDIA_URL_TTL_S, objects presigned one by one', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { playback } = await owner.caller.video.byId({ id: legacyId });
    const prefix = `${companyId}/${projectId}/videos/${legacyId}/out/`;
    const hls = new URL(playback!.hlsUrl!);
    expect(`${hls.origin}${hls.pathname}`).toBe(`${PUBLIC_URL}/media/${legacyId}/master.m3u8`);
    // Signed at the start of a 900 s period (half the lifetime) for 1800 s: at least half of it left.
    const exp = Number(hls.searchParams.get('exp'));
    expect(exp % 900).toBe(0);
    expect(exp).toBeGreaterThanOrEqual(before + 900);
    expect(exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1800);
    expect(hls.searchParams.get('sig')).toBe(
      signMediaPath(deps.config.media.urlSigningKey, legacyId, 'master.m3u8', exp),
    );
    const vtt = new URL(playback!.storyboardVttUrl!);
    expect(vtt.pathname).toBe(`/media/${legacyId}/storyboard.vtt`);
    expect(vtt.searchParams.get('sig')).not.toBe(hls.searchParams.get('sig'));
    expectPresignedGet(playback!.mp4Url, `${prefix}720p.mp4`);
    expectPresignedGet(playback!.posterUrl, `${prefix}poster.jpg`);
    expectPresignedGet(playback!.posterWebpUrl, `${prefix}poster.webp`);
    expect(playback!.expiresAt!.getTime()).toBe(exp * 1000);
    // The same URLs all period long, so a browser reuses what it cached from them (unless the period just turned).
    const again = (await owner.caller.video.byId({ id: legacyId })).playback!;
    if (Math.floor(Date.now() / 1000) < exp - 900)
      expect([again.hlsUrl, again.mp4Url, again.posterUrl, again.storyboardVttUrl]).toEqual([
        playback!.hlsUrl,
        playback!.mp4Url,
        playback!.posterUrl,
        playback!.storyboardVttUrl,
      ]);
  });

  it("the old item's manifest: its marker presigned, never on the base", async () => {
    const m = await callerAt(deps, randomIp()).viewer.manifest({ publicId: legacyContent.publicId });
    if (!m.ok) throw new Error(`manifest: ${m.reason}`);
    expectPresignedGet(m.marker.imageUrl, `${legacyContent.markerPrefix}marker-1.jpg`);
    expectPresignedGet(m.marker.mindUrl, `${legacyContent.markerPrefix}marker-1.mind`);
    expect(new URL(m.video.hlsUrl!).pathname).toBe(`/media/${legacyId}/master.m3u8`);
  });
});

describe('MEDIA_PUBLIC_BASE_URL over HTTP', () => {
  it("the manifest's ETag is the same on every call, and the CSP lets pages load from the base's origin", async () => {
    const app = await buildServer(deps);
    afterAll(() => app.close());
    const url = `/trpc/viewer.manifest?input=${encodeURIComponent(JSON.stringify({ json: { publicId: modernPublicId } }))}`;
    const headers = { 'x-forwarded-for': randomIp() };
    const first = await app.inject({ method: 'GET', url, headers });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const again = await app.inject({ method: 'GET', url, headers: { ...headers, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    const csp = String(first.headers['content-security-policy']);
    for (const directive of ['img-src', 'media-src', 'connect-src']) {
      const sources = csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .find(([name]) => name === directive);
      expect(sources, directive).toContain('https://cdn.arvlite.invalid');
    }
  });
});
