// HTTP scale-out: API read and the viewer manifest served by 2 apps/server processes against 1, on one Postgres
// (#22, "API read and the manifest at 2 server processes": together at least 1.7× one process's throughput).
import { availableParallelism } from 'node:os';
import { loadConfig, processEnv } from '@arvlite/config';
import { ObjectStorage } from '@arvlite/storage';
import { startServer } from '../apps.ts';
import { interleave, median, medianPairRatio, round, row, type Benchmark, type BenchContext } from '../harness.ts';
import { autocannon } from '../load.ts';
import { signUpTenant } from '../tenant.ts';
import { seedContent } from './viewer-manifest.bench.ts';

const DATABASE = 'bench_http_scale';
/** The manifest's settings (1,000 client addresses, a limit no round reaches) and API read's token lifetime. */
const SHARED_ENV = {
  PUBLIC_URL: 'http://bench.invalid',
  TRUST_PROXY: '1',
  VIEWER_RATE_LIMIT_PER_MINUTE: '1000000',
  AUTH_ACCESS_TOKEN_TTL_S: '3600',
};
const CLIENTS = 1000;
/** The same load on both sides: two autocannon processes of this many connections each (50 in all, as the rows). */
const CONNECTIONS_EACH = 25;

interface Target {
  label: string;
  path: string;
  headers?: Record<string, string>;
  clients?: number;
}

/** Two autocannon processes at once, one per base URL; their req/s summed. Every answer must be a 2xx. */
async function splitLoad(ctx: BenchContext, baseUrls: [string, string], t: Target, durationS: number) {
  const results = await Promise.all(
    baseUrls.map((base) =>
      autocannon(ctx.processes, {
        url: base + t.path,
        headers: t.headers,
        clients: t.clients,
        connections: CONNECTIONS_EACH,
        durationS,
      }),
    ),
  );
  const bad = results.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  if (bad > 0) throw new Error(`${t.label}: ${bad} answers were not 2xx (or failed) under load`);
  return results.reduce((sum, r) => sum + r.requestsPerSec, 0);
}

export const httpScale: Benchmark = {
  name: 'HTTP scale-out',
  feature: 'apps/server as several processes on one Postgres',
  ours: '2 `apps/server` processes on one database, each loaded by its own autocannon process (25 connections each): API read (`video.byId`) and the viewer manifest (1,000 client addresses), one after the other',
  baseline:
    '1 `apps/server` process loaded by the same two autocannon processes (25 connections each, both at it), same requests',
  async run(ctx) {
    const databaseUrl = await ctx.services.createDatabase(DATABASE);
    const config = loadConfig({ ...processEnv(), S3_ENDPOINT: ctx.services.s3Endpoint });
    const storage = new ObjectStorage({
      ...config.s3,
      endpoint: ctx.services.s3Endpoint,
      publicEndpoint: ctx.services.s3Endpoint,
    });
    const servers = [
      await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, { name: 'server-1', env: SHARED_ENV }),
      await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, { name: 'server-2', env: SHARED_ENV }),
    ] as const;
    try {
      const tenant = await signUpTenant(servers[0].baseUrl);
      const { publicId, videoId } = await seedContent(databaseUrl, storage, tenant);
      const targets: Target[] = [
        {
          label: 'API read',
          path: `/trpc/video.byId?input=${encodeURIComponent(JSON.stringify({ json: { id: videoId } }))}`,
          headers: { authorization: `Bearer ${tenant.accessToken}` },
        },
        {
          label: 'Viewer manifest',
          path: `/trpc/viewer.manifest?input=${encodeURIComponent(JSON.stringify({ json: { publicId } }))}`,
          clients: CLIENTS,
        },
      ];
      const durationS = ctx.quick ? 2 : 5;
      const pairs = ctx.quick ? 2 : 4;
      const two: [string, string] = [servers[0].baseUrl, servers[1].baseUrl];
      const one: [string, string] = [servers[0].baseUrl, servers[0].baseUrl];
      const rows = [];
      for (const t of targets) {
        for (const base of [servers[0].baseUrl, servers[1].baseUrl]) {
          const res = await fetch(base + t.path, { headers: t.headers });
          await res.body?.cancel();
          if (res.status !== 200) throw new Error(`${t.label}: ${base} answered ${res.status}`);
        }
        const r = await interleave({
          pairs,
          warmup: 1,
          signal: ctx.signal,
          a: () => splitLoad(ctx, two, t, durationS),
          b: () => splitLoad(ctx, one, t, durationS),
          onRound: (i, side, rps) =>
            i >= 0 && ctx.log(`  ${t.label} ${i + 1}: ${side === 'a' ? 2 : 1} process(es) ${Math.round(rps)} req/s`),
        });
        const ratio = medianPairRatio(r.a, r.b);
        rows.push(
          row({
            benchmark: 'HTTP scale-out',
            metric: `${t.label}, 2 vs 1 server processes`,
            unit: 'req/s',
            ours: Math.round(median(r.a)),
            baseline: Math.round(median(r.b)),
            ratio: round(ratio, 3),
            target: '≥ 1.7×',
            pass: ratio >= 1.7,
            details: {
              twoProcessesReqPerSec: r.a.map(Math.round),
              oneProcessReqPerSec: r.b.map(Math.round),
              load: `2 autocannon processes × ${CONNECTIONS_EACH} connections, ${durationS} s`,
              pairs,
              cores: `${availableParallelism()}, shared by Postgres, the servers and both autocannon processes`,
            },
          }),
        );
      }
      return rows;
    } finally {
      await Promise.all(servers.map((s) => s.child.stop()));
    }
  },
};
