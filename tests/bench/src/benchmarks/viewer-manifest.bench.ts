// Viewer manifest: the public `viewer.manifest` (what every AR scan asks first) through the real apps/server against a
// bare Fastify route answering the same request from raw `pg` prepared statements (viewer-manifest.routes.ts).
// Both read one database: a READY AR content item with a compiled marker, a two-video playlist and a rule.
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig, processEnv } from '@arvlite/config';
import { ObjectStorage } from '@arvlite/storage';
import { insertReadyArContent } from '@arvlite/test-utils/seed';
import pg from 'pg';
import { startBaselineServer, startServer } from '../apps.ts';
import type { Benchmark } from '../harness.ts';
import { compareHttp } from '../http-compare.ts';
import { signUpTenant, type BenchTenant } from '../tenant.ts';
import { seedReadyVideo } from './api-read.bench.ts';

const ROUTES = fileURLToPath(new URL('./viewer-manifest.routes.ts', import.meta.url));
const DATABASE = 'bench_viewer_manifest';

/**
 * Scans come from many phones: under load, autocannon spreads the requests over CLIENTS addresses in
 * `x-forwarded-for`, and both sides trust it (TRUST_PROXY), so both rate-limit per forwarded address and upsert one
 * of CLIENTS rows, as behind a load balancer. The limit is one no round reaches; both sides still run the upsert on
 * every request. The same issuer and media route base on both sides. Playback URLs stay signed (no
 * MEDIA_PUBLIC_BASE_URL): signing is part of every real manifest.
 */
const SHARED_ENV = {
  PUBLIC_URL: 'http://bench.invalid',
  TRUST_PROXY: '1',
  VIEWER_RATE_LIMIT_PER_MINUTE: '1000000',
};
const CLIENTS = 1000;

/**
 * Signatures depend on the second they are made in, so two responses are compared with the signing time, the
 * signature and the route's expiry masked (the rest of every URL, its parameters included, must match). Instead,
 * every URL of both sides' answers is fetched once and must be accepted: s3rver checks SigV4, our /media route its HMAC.
 */
export function maskSignatures(body: string): string {
  return body
    .replace(/(X-Amz-Credential=[^&"]*?%2F)\d{8}(%2F)/g, '$1<date>$2')
    .replace(/(X-Amz-Date=)\d{8}T\d{6}Z/g, '$1<time>')
    .replace(/(X-Amz-Signature=)[0-9a-f]{64}/g, '$1<signature>')
    .replace(/([?&]exp=)\d+/g, '$1<exp>')
    .replace(/([?&]sig=)[A-Za-z0-9_-]+/g, '$1<sig>');
}

/** Fetches every URL in a manifest answer (the media route through `routeBase`); throws unless each answers 200. */
async function checkUrls(label: string, body: string, routeBase: string) {
  const urls = [...body.matchAll(/"(https?:\/\/[^"]+)"/g)].map((m) => m[1]!);
  if (urls.length < 5) throw new Error(`${label}: expected 5 URLs in the manifest, found ${urls.length}`);
  for (const url of urls) {
    const target = url.replace(SHARED_ENV.PUBLIC_URL, routeBase);
    const res = await fetch(target);
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`${label}: ${url} answered ${res.status}, so its signature is not valid`);
  }
}

/** The manifest's item, its playlist's video (READY, with files in storage) and a rule; the public id and video id. */
export async function seedContent(databaseUrl: string, storage: ObjectStorage, t: BenchTenant) {
  const videoId = await seedReadyVideo(databaseUrl, t);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const [{ id: otherVideoId }] = (
      await db.query<{ id: string }>('select id from video where project_id = $1 and id <> $2 limit 1', [
        t.projectId,
        videoId,
      ])
    ).rows as [{ id: string }];
    const { contentId, publicId, markerPrefix } = await insertReadyArContent(db, t, {
      videoIds: [videoId, otherVideoId],
      title: 'Bench postcard',
    });
    const [{ output_id: outputId }] = (
      await db.query<{ output_id: string }>('select output_id from video where id = $1', [videoId])
    ).rows as [{ output_id: string }];
    const videoPrefix = `pub/${outputId}/`;
    // Only what the manifest's URLs point at (the media route reads master.m3u8).
    await Promise.all([
      storage.put(`${markerPrefix}marker-1.jpg`, randomBytes(2048), 'image/jpeg'),
      storage.put(`${markerPrefix}marker-1.mind`, randomBytes(2048), 'application/octet-stream'),
      storage.put(`${videoPrefix}720p.mp4`, randomBytes(2048), 'video/mp4'),
      storage.put(`${videoPrefix}poster.jpg`, randomBytes(2048), 'image/jpeg'),
      storage.put(
        `${videoPrefix}master.m3u8`,
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2950000\n720p.m3u8\n',
        'application/vnd.apple.mpegurl',
      ),
    ]);
    // A date rule that is not today: the rules are read and evaluated, and the default video plays.
    await db.query(
      `insert into ar_playlist_rule (id, ar_content_id, kind, video_id, date, yearly, position, created_at)
       values ($1, $2, 'date', $3, '2001-02-03', false, 0, now())`,
      [randomUUID(), contentId, otherVideoId],
    );
    // Neighbours, so that the lookup by public id goes through its index as in a used database.
    await db.query(
      `insert into ar_content (id, company_id, project_id, title, public_id, status, created_at, updated_at)
       select gen_random_uuid(), company_id, project_id, title || ' ' || i, substr(md5(random()::text), 1, 20), status,
         created_at, updated_at
       from ar_content, generate_series(1, 2000) i where id = $1`,
      [contentId],
    );
    await db.query('analyze');
    return { publicId, videoId };
  } finally {
    await db.end();
  }
}

export const viewerManifest: Benchmark = {
  name: 'Viewer manifest',
  feature: '`viewer.manifest` (packages/api, apps/server)',
  ours: 'public `viewer.manifest` through tRPC over HTTP (apps/server as a child process): per-IP rate limit, one query for item + playlist + videos + rules read as plain rows, selection, 5 signed URLs, ETag, superjson; load from 1,000 client addresses (`x-forwarded-for`, TRUST_PROXY)',
  baseline:
    'bare Fastify route in its own process: the same rate-limit upsert and one query as raw `pg` prepared statements, the same selection, signing and JSON bytes (viewer-manifest.routes.ts); the same 1,000 client addresses, trustProxy',
  async run(ctx) {
    const databaseUrl = await ctx.services.createDatabase(DATABASE);
    const config = loadConfig({ ...processEnv(), S3_ENDPOINT: ctx.services.s3Endpoint });
    const storage = new ObjectStorage({
      ...config.s3,
      endpoint: ctx.services.s3Endpoint,
      publicEndpoint: ctx.services.s3Endpoint,
    });
    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, {
      env: SHARED_ENV,
      nodeArgs: ctx.nodeArgs('viewer-manifest-ours'),
    });
    const baseline = await startBaselineServer(ctx.processes, databaseUrl, ROUTES, 'viewerManifestRoutes', {
      env: { ...SHARED_ENV, S3_ENDPOINT: ctx.services.s3Endpoint },
      nodeArgs: ctx.nodeArgs('viewer-manifest-baseline'),
    });
    try {
      const tenant = await signUpTenant(server.baseUrl);
      const { publicId } = await seedContent(databaseUrl, storage, tenant);
      const path = `/trpc/viewer.manifest?input=${encodeURIComponent(JSON.stringify({ json: { publicId } }))}`;
      for (const [label, side] of [
        ['ours', server],
        ['baseline', baseline],
      ] as const) {
        const res = await fetch(side.baseUrl + path);
        const body = await res.text();
        if (res.status !== 200 || !body.includes('"ok":true'))
          throw new Error(`${label}: not a playable manifest: ${res.status} ${body.slice(0, 300)}`);
        if (!res.headers.get('etag')) throw new Error(`${label}: no ETag`);
        await checkUrls(label, body, server.baseUrl);
      }
      return await compareHttp(ctx, {
        benchmark: this.name,
        ours: { baseUrl: server.baseUrl, database: DATABASE, pid: server.child.pid },
        baseline: { baseUrl: baseline.baseUrl, database: DATABASE, pid: baseline.child.pid },
        request: { path },
        clients: CLIENTS,
        targets: { throughputRatio: 0.7, p99Ratio: 1.5 },
        normalizeBody: maskSignatures,
        pairs: ctx.quick ? 2 : 5,
      });
    } finally {
      await Promise.all([server.child.stop(), baseline.child.stop()]);
    }
  },
};
