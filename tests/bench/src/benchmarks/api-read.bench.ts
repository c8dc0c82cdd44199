// API read: an authenticated `video.byId` through the real apps/server (tRPC over HTTP, MikroORM, tenant check)
// against a bare Fastify route answering the same request from raw `pg` prepared statements (api-read.routes.ts).
// Both read one database; the row is a READY-looking video inserted directly, with its steps and outputs.
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { insertReadyVideo } from '@arvlite/test-utils/seed';
import pg from 'pg';
import { startBaselineServer, startServer } from '../apps.ts';
import type { Benchmark } from '../harness.ts';
import { compareHttp } from '../http-compare.ts';
import { signUpTenant, type BenchTenant } from '../tenant.ts';

const ROUTES = fileURLToPath(new URL('./api-read.routes.ts', import.meta.url));
const DATABASE = 'bench_api_read';

/**
 * Both servers get the same issuer (PUBLIC_URL) so one token verifies on either, and a public media base URL so
 * the playback URLs are plain: presigned ones would differ from one request to the next.
 */
const SHARED_ENV = {
  PUBLIC_URL: 'http://bench.invalid',
  MEDIA_PUBLIC_BASE_URL: 'https://media.bench.invalid',
  AUTH_ACCESS_TOKEN_TTL_S: '3600',
};

/** A READY video (@arvlite/test-utils/seed), plus 2,000 neighbours so that every lookup goes through an index. */
export async function seedReadyVideo(databaseUrl: string, t: BenchTenant): Promise<string> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const videoId = await insertReadyVideo(db, t);
    // An outputs id, as every video made since they exist: its outputs are under pub/<outputId>/.
    await db.query(`update video set output_id = $2 where id = $1`, [videoId, randomBytes(16).toString('hex')]);
    await db.query(
      `insert into video (id, company_id, project_id, created_by_id, title, status, file_name, content_type,
         size_bytes, stored_bytes, container, original_key, media, outputs, analysis, uploaded_at, playable_at,
         ready_at, created_at, updated_at)
       select gen_random_uuid(), company_id, project_id, created_by_id, title || ' ' || i, status, file_name,
         content_type, size_bytes, stored_bytes, container, original_key, media, outputs, analysis, uploaded_at,
         playable_at, ready_at, created_at + i * interval '1 minute', updated_at
       from video, generate_series(1, 2000) i where id = $1`,
      [videoId],
    );
    await db.query(
      `insert into video_step (id, video_id, name, status, progress, attempts, started_at, finished_at, position)
       select gen_random_uuid(), v.id, s.name, s.status, s.progress, s.attempts, s.started_at, s.finished_at,
         s.position
       from video v cross join video_step s where s.video_id = $1 and v.id <> $1`,
      [videoId],
    );
    await db.query('analyze');
    return videoId;
  } finally {
    await db.end();
  }
}

export const apiRead: Benchmark = {
  name: 'API read',
  feature: '`video.byId` (packages/api, apps/server)',
  ours: 'authenticated `video.byId` through tRPC over HTTP (apps/server as a child process): JWT (signature and claims verified once per token, then cached for its lifetime), live user and session, tenant check, the video and its steps read as plain rows (prepared statements, no entities), superjson',
  baseline:
    'bare Fastify route in its own process: HS256 check with node:crypto on every request (no cache), the same live user and session check and tenant check in the same 3 raw `pg` prepared statements, the same JSON bytes (api-read.routes.ts)',
  async run(ctx) {
    const databaseUrl = await ctx.services.createDatabase(DATABASE);
    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, {
      env: SHARED_ENV,
      nodeArgs: ctx.nodeArgs('api-read-ours'),
    });
    const baseline = await startBaselineServer(ctx.processes, databaseUrl, ROUTES, 'apiReadRoutes', {
      env: SHARED_ENV,
      nodeArgs: ctx.nodeArgs('api-read-baseline'),
    });
    try {
      const tenant = await signUpTenant(server.baseUrl);
      const videoId = await seedReadyVideo(databaseUrl, tenant);
      return await compareHttp(ctx, {
        benchmark: this.name,
        ours: { baseUrl: server.baseUrl, database: DATABASE, pid: server.child.pid },
        baseline: { baseUrl: baseline.baseUrl, database: DATABASE, pid: baseline.child.pid },
        request: {
          path: `/trpc/video.byId?input=${encodeURIComponent(JSON.stringify({ json: { id: videoId } }))}`,
          headers: { authorization: `Bearer ${tenant.accessToken}` },
        },
        targets: { throughputRatio: 0.7, p99Ratio: 1.5 },
        unequalQueries: 'report',
        // Two pairs keep --quick within its budget; the full run's five are the figures that count.
        pairs: ctx.quick ? 2 : 5,
      });
    } finally {
      await Promise.all([server.child.stop(), baseline.child.stop()]);
    }
  },
};
