// The /media route (HLS playlists and the storyboard WebVTT, outside tRPC): every request it refuses answers the same
// 404 `{"error":"not found"}`, never a 5xx, whatever is wrong with it: an expired `exp`, another video's signature, a
// deleted video, a correctly signed name that names nothing in storage, or random paths and queries (fast-check, fixed
// seeds, bounded runs). Requests go through the real Fastify app (`inject`), with real Postgres and s3rver behind it.
import { signMediaPath } from '@arvlite/api';
import { buildServer } from '@arvlite/server';
import { createTestDeps } from '@arvlite/test-utils';
import { insertReadyVideo } from '@arvlite/test-utils/seed';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/index.ts';

const PUBLIC_URL = 'http://media-route.test';
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let app: Awaited<ReturnType<typeof buildServer>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let key: string;

/** A READY video whose playlists are in storage: `mediaId` is what /media URLs name it by. */
interface Played {
  rowId: string;
  mediaId: string;
  files: string[];
}
/** Named by its outputs id (every video since output ids). */
let modern: Played;
/** A row from before output ids: named by its row id, outputs under the tenant prefix. */
let legacy: Played;
/** Deleted by video.delete (the row is still there until the video:delete job runs, its objects too). */
let deleted: Played;

/** A path segment: any text but the dot segments, which a client resolves away before sending (no /media route then). */
const segment = (maxLength: number) =>
  fc.string({ minLength: 1, maxLength, unit: 'grapheme' }).filter((s) => s !== '.' && s !== '..');

const now = () => Math.floor(Date.now() / 1000);

function mediaPath(mediaId: string, file: string, exp: number | string, sig: string): string {
  const q = new URLSearchParams({ exp: String(exp), sig });
  return `/media/${encodeURIComponent(mediaId)}/${encodeURIComponent(file)}?${q}`;
}

/** A URL signed exactly as the server signs one. */
function signed(mediaId: string, file: string, exp = now() + 600): string {
  return mediaPath(mediaId, file, exp, signMediaPath(key, mediaId, file, exp));
}

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.body, type: res.headers['content-type'] };
}

async function expectNotFound(url: string, why: string) {
  const res = await get(url);
  expect(res.status, `${why}: ${url}`).toBe(404);
  expect(JSON.parse(res.body), why).toEqual({ error: 'not found' });
}

async function seedVideo(db: pg.Client, tenant: Parameters<typeof insertReadyVideo>[1], outputId: string | null) {
  const rowId = await insertReadyVideo(db, tenant);
  if (outputId) await db.query('update video set output_id = $1 where id = $2', [outputId, rowId]);
  const prefix = outputId ? `pub/${outputId}/` : `${tenant.companyId}/${tenant.projectId}/videos/${rowId}/out/`;
  await deps.storage.put(
    `${prefix}master.m3u8`,
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720\n720p.m3u8\n',
  );
  await deps.storage.put(`${prefix}720p.m3u8`, '#EXTM3U\n#EXTINF:4.0,\n720p_00000.ts\n#EXT-X-ENDLIST\n');
  await deps.storage.put(`${prefix}storyboard.vtt`, 'WEBVTT\n\n00:00.000 --> 00:04.000\nstoryboard.jpg#xywh=0,0,1,1\n');
  return { rowId, mediaId: outputId ?? rowId, files: ['master.m3u8', '720p.m3u8', 'storyboard.vtt'], prefix };
}

beforeAll(async () => {
  deps = await createTestDeps({ PUBLIC_URL });
  key = deps.config.media.urlSigningKey;
  app = await buildServer(deps);
  afterAll(() => app.close());
  owner = await signUp(deps);
  const company = await owner.caller.company.create({ name: 'Media Route Co' });
  const project = await owner.caller.project.create({ companyId: company.id, name: 'Clips' });
  const tenant = { userId: owner.userId, companyId: company.id, projectId: project.id };
  const db = new pg.Client({ connectionString: deps.config.database.url });
  await db.connect();
  try {
    modern = await seedVideo(db, tenant, 'a'.repeat(24) + '0123abcd');
    legacy = await seedVideo(db, tenant, null);
    const d = await seedVideo(db, tenant, 'b'.repeat(24) + '4567cdef');
    deleted = d;
    await owner.caller.video.delete({ id: d.rowId });
    // The soft delete alone: the objects are still in storage, so a 404 below is the deletion's, not storage's.
    expect(await deps.storage.head(`${d.prefix}master.m3u8`)).not.toBeNull();
  } finally {
    await db.end();
  }
});

describe('/media: what works', () => {
  it('a signed playlist of a live video plays, and its variants are signed each for itself', async () => {
    for (const v of [modern, legacy]) {
      const master = await get(signed(v.mediaId, 'master.m3u8'));
      expect(master.status).toBe(200);
      expect(master.type).toBe('application/vnd.apple.mpegurl');
      const variant = master.body.split('\n').find((l) => l.includes('/720p.m3u8'))!;
      expect(variant.startsWith(`${PUBLIC_URL}/media/${v.mediaId}/720p.m3u8?exp=`)).toBe(true);
      const res = await get(variant.slice(PUBLIC_URL.length));
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/720p_00000\.ts\?X-Amz-/);
    }
    const vtt = await get(signed(modern.mediaId, 'storyboard.vtt'));
    expect(vtt.status).toBe(200);
    expect(vtt.type).toBe('text/vtt; charset=utf-8');
  });
});

describe('/media: every refusal is the same 404', () => {
  it('an expired exp, even correctly signed', async () => {
    for (const exp of [now() - 1, now() - 3600, 0, 1]) {
      await expectNotFound(signed(modern.mediaId, 'master.m3u8', exp), `exp ${exp}`);
    }
  });

  it("another video's signature, for the same file and expiry", async () => {
    const exp = now() + 600;
    const sigOfLegacy = signMediaPath(key, legacy.mediaId, 'master.m3u8', exp);
    const sigOfModern = signMediaPath(key, modern.mediaId, 'master.m3u8', exp);
    // The control: each signature opens its own video.
    expect((await get(mediaPath(legacy.mediaId, 'master.m3u8', exp, sigOfLegacy))).status).toBe(200);
    await expectNotFound(mediaPath(modern.mediaId, 'master.m3u8', exp, sigOfLegacy), 'legacy sig on modern');
    await expectNotFound(mediaPath(legacy.mediaId, 'master.m3u8', exp, sigOfModern), 'modern sig on legacy');
    // Another file's signature of the same video, and another expiry's.
    const sigOfVariant = signMediaPath(key, modern.mediaId, '720p.m3u8', exp);
    await expectNotFound(mediaPath(modern.mediaId, 'master.m3u8', exp, sigOfVariant), 'variant sig on master');
    await expectNotFound(mediaPath(modern.mediaId, 'master.m3u8', exp + 1, sigOfModern), 'sig of another exp');
  });

  it('a deleted video, while its objects are still in storage', async () => {
    for (const file of deleted.files) await expectNotFound(signed(deleted.mediaId, file), `deleted ${file}`);
  });

  it('a correctly signed name that names nothing: 404, not a storage error', async () => {
    for (const file of ['nothing.m3u8', 'master2.m3u8', '1080p.m3u8', 'missing.vtt', '.m3u8', '..m3u8']) {
      await expectNotFound(signed(modern.mediaId, file), `missing ${file}`);
      await expectNotFound(signed(legacy.mediaId, file), `missing legacy ${file}`);
    }
    // Signed ids of no video: a fresh outputs id, a fresh uuid, and a modern video's row id (named by its outputs id).
    await expectNotFound(signed('c'.repeat(32), 'master.m3u8'), 'unknown outputs id');
    await expectNotFound(signed('0b4c6a52-7c1e-4a4c-9d2b-5d1bb2f3a111', 'master.m3u8'), 'unknown uuid');
    await expectNotFound(signed(modern.rowId, 'master.m3u8'), 'row id of a video with an outputs id');
    // Not a playlist, or not a name at all, however well signed.
    for (const file of ['720p_00000.ts', 'poster.jpg', 'original', '../original', 'a/b.m3u8', 'master.m3u8 ']) {
      await expectNotFound(signed(modern.mediaId, file), `not a playlist ${file}`);
    }
  });

  it('fuzz: correctly signed random names answer 200 only for files that exist, 404 otherwise, never 5xx', async () => {
    const ids = [modern.mediaId, legacy.mediaId, deleted.mediaId, modern.rowId, 'c'.repeat(32)];
    const file = fc.oneof(
      fc.constantFrom('master.m3u8', '720p.m3u8', 'storyboard.vtt'),
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}\.(m3u8|vtt)$/),
      segment(40),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ids), file, fc.integer({ min: 1, max: 3600 }), async (id, f, ttl) => {
        const res = await get(signed(id, f, now() + ttl));
        const live = [modern, legacy].find((v) => v.mediaId === id);
        const exists = !!live && live.files.includes(f);
        expect(res.status, `${id}/${f}`).toBe(exists ? 200 : 404);
        if (!exists) expect(JSON.parse(res.body)).toEqual({ error: 'not found' });
      }),
      { numRuns: 150, seed: 2025 },
    );
  });

  it('fuzz: forged or malformed ids, files, expiries and signatures answer 404, never 5xx', async () => {
    const exp = fc.oneof(
      fc.integer({ min: -1e12, max: 1e12 }).map(String),
      fc.constantFrom('', 'NaN', '1e9', '0x10', ' 1', '-0', '9'.repeat(40)),
      fc.string({ maxLength: 20 }),
    );
    const sig = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      fc.string({ maxLength: 120 }),
      fc.constant(signMediaPath(key, modern.mediaId, 'master.m3u8', now() + 600)),
    );
    const id = fc.oneof(
      fc.constantFrom(modern.mediaId, legacy.mediaId, modern.rowId),
      fc.stringMatching(/^[0-9a-f]{32}$/),
      fc.uuid(),
      segment(60),
    );
    const file = fc.oneof(fc.constantFrom('master.m3u8', '720p.m3u8'), segment(40));
    await fc.assert(
      fc.asyncProperty(id, file, exp, sig, async (i, f, e, s) => {
        const res = await get(mediaPath(i, f, e, s));
        // The one valid combination fast-check may draw: the constant signature on its own URL.
        if (res.status === 200) {
          expect(i === modern.mediaId && f === 'master.m3u8' && s === signMediaPath(key, i, f, Number(e))).toBe(true);
          return;
        }
        expect(res.status, `${i}/${f}?exp=${e}&sig=${s}`).toBe(404);
        expect(JSON.parse(res.body)).toEqual({ error: 'not found' });
      }),
      { numRuns: 200, seed: 2026 },
    );
  });
});
