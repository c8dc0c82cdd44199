// A/A calibration of the HTTP harness: the baseline server against a second copy of itself. The ratio shows how much
// noise this machine adds to every HTTP ratio in the table (ideal 1.00×), and exercises the plumbing API rows use:
// baseline-server.ts, autocannon in its own process, the pg_stat_statements equal-work check.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startBaselineServer } from '../apps.ts';
import { NOISE_TOLERANCE, type Benchmark } from '../harness.ts';
import { compareHttp } from '../http-compare.ts';

const ROUTES = fileURLToPath(new URL('./http-calibration.routes.ts', import.meta.url));
const ITEM_ID = '6f1c3c1e-3f7a-4c1b-9d7e-2f4b8a5e0c11';

async function seed(databaseUrl: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      'create table bench_item (id uuid primary key, title text not null, size_bytes bigint not null, created_at timestamptz not null)',
    );
    // Enough rows that the lookup goes through the index, as a real table would.
    await db.query(
      `insert into bench_item select gen_random_uuid(), 'item ' || i, i * 1000, '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 minute'
       from generate_series(1, 10000) i`,
    );
    await db.query(`insert into bench_item values ($1, 'calibration clip', 12345678, '2026-05-01T12:00:00Z')`, [
      ITEM_ID,
    ]);
    await db.query('analyze bench_item');
  } finally {
    await db.end();
  }
}

export const httpCalibration: Benchmark = {
  name: 'HTTP harness A/A',
  feature: 'the bench itself',
  ours: 'bare Fastify + `pg` baseline server (copy A)',
  baseline: 'the same server (copy B, its own database): measures the noise in HTTP ratios, ideally 1.00×',
  async run(ctx) {
    const [a, b] = ['bench_http_a', 'bench_http_b'];
    const [urlA, urlB] = [await ctx.services.createDatabase(a), await ctx.services.createDatabase(b)];
    await Promise.all([seed(urlA), seed(urlB)]);
    const serverA = await startBaselineServer(ctx.processes, urlA, ROUTES, 'itemRoutes', {
      name: 'baseline-a',
    });
    const serverB = await startBaselineServer(ctx.processes, urlB, ROUTES, 'itemRoutes', {
      name: 'baseline-b',
    });
    try {
      const rows = await compareHttp(ctx, {
        benchmark: this.name,
        ours: { baseUrl: serverA.baseUrl, database: a, pid: serverA.child.pid },
        baseline: { baseUrl: serverB.baseUrl, database: b, pid: serverB.child.pid },
        request: { path: `/item/${ITEM_ID}` },
        targets: {},
      });
      // Every ratio row here is A/A: one off 1.00× by more than 10% flags the run as noisy (report.ts checkNoise).
      return rows.map((r) =>
        r.ratio === null ? r : { ...r, aa: true, target: `1.00× ± ${Math.round(NOISE_TOLERANCE * 100)}%` },
      );
    } finally {
      await Promise.all([serverA.child.stop(), serverB.child.stop()]);
    }
  },
};
