// API read: an authenticated `video.byId` through the real apps/server (tRPC over HTTP, MikroORM, tenant check)
// against a bare Fastify route answering the same request from raw `pg` prepared statements (api-read.routes.ts).
// Both read one database; the row is a READY-looking video inserted directly, with its steps and outputs.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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

const at = (iso: string) => new Date(iso);

function rendition(
  name: string,
  width: number,
  height: number,
  bandwidth: number,
  ladder: boolean,
) {
  return {
    name,
    width,
    height,
    frameRate: 30,
    durationS: 30.02,
    hasAudio: true,
    mp4: `${name}.mp4`,
    playlist: `${name}.m3u8`,
    files: [
      `${name}.mp4`,
      `${name}.m3u8`,
      ...Array.from({ length: 8 }, (_, i) => `${name}_0000${i}.ts`),
    ],
    sizeBytes: Math.round((bandwidth / 8) * 30 * 1.9),
    codecs: 'avc1.64001f,mp4a.40.2',
    bandwidth,
    averageBandwidth: Math.round(bandwidth * 0.8),
    ladder,
  };
}

/** What the pipeline leaves on a 30 s 720p H.264/AAC upload: media, outputs, analysis and eight finished steps. */
export async function seedReadyVideo(databaseUrl: string, t: BenchTenant): Promise<string> {
  const videoId = randomUUID();
  const media = {
    durationS: 30.02,
    width: 1280,
    height: 720,
    storedWidth: 1280,
    storedHeight: 720,
    rotation: 0,
    fps: 30,
    frameRate: '30/1',
    isVfr: false,
    isInterlaced: false,
    videoCodec: 'h264',
    videoProfile: 'High',
    pixFmt: 'yuv420p',
    bitDepth: 8,
    hasAudio: true,
    audioCodec: 'aac',
    audioProfile: 'LC',
    audioChannels: 2,
    bitrate: 3_215_000,
    videoBitrate: 3_080_000,
    isHdr: false,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: 12_065_412,
    isStandard: true,
  };
  const outputs = {
    master: 'master.m3u8',
    renditions: {
      source: rendition('source', 1280, 720, 3_400_000, false),
      '720p': rendition('720p', 1280, 720, 2_950_000, true),
      '480p': rendition('480p', 854, 480, 1_380_000, true),
      '360p': rendition('360p', 640, 360, 790_000, true),
    },
    poster: {
      jpeg: 'poster.jpg',
      webp: 'poster.webp',
      width: 1280,
      height: 720,
      timeS: 12.4,
      sizeBytes: 141_233,
    },
    storyboard: {
      sprite: 'storyboard.jpg',
      vtt: 'storyboard.vtt',
      intervalS: 1,
      tiles: 31,
      columns: 10,
      rows: 4,
      tileWidth: 160,
      tileHeight: 90,
      sizeBytes: 98_410,
    },
  };
  const analysis = {
    scenes: {
      ok: true,
      durationMs: 1830,
      result: {
        threshold: 0.3,
        cuts: [
          { timeS: 9.967, score: 0.412 },
          { timeS: 20.033, score: 0.388 },
        ],
        keyFrames: [0, 9.967, 20.033],
        chapters: [
          { index: 0, startS: 0, endS: 9.967 },
          { index: 1, startS: 9.967, endS: 20.033 },
          { index: 2, startS: 20.033, endS: 30.02 },
        ],
        minChapterS: 1.501,
      },
    },
    loudness: {
      ok: true,
      durationMs: 912,
      result: {
        hasAudio: true,
        integratedLufs: -18.2,
        truePeakDbtp: -2.9,
        loudnessRangeLu: 3.1,
        targetLufs: -16,
        gainDb: 0.9,
      },
    },
    'silence-black': {
      ok: true,
      durationMs: 1204,
      result: { black: [], silence: [{ startS: 27.5, endS: 30.02 }], hasAudio: true },
    },
  };
  const steps = [
    ['probe', 0, '2026-05-01T12:00:01.020Z', '2026-05-01T12:00:01.410Z'],
    ['playable', 1, '2026-05-01T12:00:01.410Z', '2026-05-01T12:00:02.230Z'],
    ['rendition:720p', 2, '2026-05-01T12:00:02.300Z', '2026-05-01T12:00:14.870Z'],
    ['rendition:480p', 3, '2026-05-01T12:00:02.310Z', '2026-05-01T12:00:21.020Z'],
    ['rendition:360p', 4, '2026-05-01T12:00:02.320Z', '2026-05-01T12:00:25.640Z'],
    ['images', 5, '2026-05-01T12:00:02.330Z', '2026-05-01T12:00:04.980Z'],
    ['analysis', 6, '2026-05-01T12:00:04.990Z', '2026-05-01T12:00:08.940Z'],
    ['finalize', 7, '2026-05-01T12:00:25.700Z', '2026-05-01T12:00:25.760Z'],
  ] as const;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const prefix = `${t.companyId}/${t.projectId}/videos/${videoId}/`;
    await db.query(
      `insert into video (id, company_id, project_id, created_by_id, title, description, status, file_name,
         content_type, size_bytes, stored_bytes, container, original_key, media, outputs, analysis, uploaded_at,
         playable_at, ready_at, created_at, updated_at)
       values ($1, $2, $3, $4, 'Bench clip', null, 'READY', 'bench-720p.mp4', 'video/mp4', $5, $6, 'mp4', $7,
         $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        videoId,
        t.companyId,
        t.projectId,
        t.userId,
        media.sizeBytes,
        media.sizeBytes + 31_402_118,
        `${prefix}original`,
        media,
        outputs,
        analysis,
        at('2026-05-01T12:00:00.950Z'),
        at('2026-05-01T12:00:02.230Z'),
        at('2026-05-01T12:00:25.760Z'),
        at('2026-05-01T11:59:41.500Z'),
        at('2026-05-01T12:00:25.760Z'),
      ],
    );
    for (const [name, position, started, finished] of steps) {
      await db.query(
        `insert into video_step (id, video_id, name, status, progress, attempts, started_at, finished_at, position)
         values ($1, $2, $3, 'done', 100, 1, $4, $5, $6)`,
        [randomUUID(), videoId, name, at(started), at(finished), position],
      );
    }
    // Neighbours, so that every lookup goes through an index as it would in a used database.
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
  } finally {
    await db.end();
  }
  return videoId;
}

export const apiRead: Benchmark = {
  name: 'API read',
  feature: '`video.byId` (packages/api, apps/server)',
  ours: 'authenticated `video.byId` through tRPC over HTTP (apps/server as a child process): JWT, live user, tenant check, the video and its steps read as plain rows (MikroORM prepared statements, no entities), superjson',
  baseline:
    'bare Fastify route in its own process: HS256 check with node:crypto, raw `pg` prepared statements, the same JSON bytes (api-read.routes.ts)',
  async run(ctx) {
    const databaseUrl = await ctx.services.createDatabase(DATABASE);
    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, {
      env: SHARED_ENV,
      nodeArgs: ctx.nodeArgs('api-read-ours'),
    });
    const baseline = await startBaselineServer(
      ctx.processes,
      databaseUrl,
      ROUTES,
      'apiReadRoutes',
      {
        env: SHARED_ENV,
        nodeArgs: ctx.nodeArgs('api-read-baseline'),
      },
    );
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
