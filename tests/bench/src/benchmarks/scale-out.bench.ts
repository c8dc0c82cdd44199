// Scale-out: the same N jobs drained by 1 vs 2 apps/worker processes on one database.
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { startWorkers } from '../apps.ts';
import { readCpuMs } from '../processes.ts';
import {
  interleave,
  median,
  medianPairRatio,
  round,
  row,
  waitFor,
  type BenchContext,
  type Benchmark,
} from '../harness.ts';

const NOOP = 'system:noop';

async function drainWith(ctx: BenchContext, databaseUrl: string, processCount: number, jobs: number) {
  const workers = await startWorkers(ctx.processes, databaseUrl, ctx.services.s3Endpoint, processCount);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const drain = async (n: number) => {
      await db.query('vacuum graphile_worker._private_jobs');
      await ctx.services.adminQuery('checkpoint');
      await db.query(
        `select count(*) from graphile_worker.add_jobs(array(
           select row($2::text, json_build_object('label', 'bulk'), null, null, null, null, null, null)::graphile_worker.job_spec
           from generate_series(1, $1::int)))`,
        [n, NOOP],
      );
      const t0 = performance.now();
      // Polling from outside the workers; every 20 ms is < 1 % of a round and costs Postgres little.
      await waitFor(
        `${n} jobs to drain`,
        async () => {
          const { rows } = await db.query<{ left: boolean }>(
            'select exists(select 1 from graphile_worker.jobs where task_identifier = $1) as left',
            [NOOP],
          );
          return !rows[0]!.left;
        },
        { timeoutMs: 600_000, intervalMs: 20, signal: ctx.signal },
      );
      return performance.now() - t0;
    };
    // Fresh processes: let them open their pool connections and JIT the hot path before the timed batch.
    await drain(500 * processCount);
    // CPU per job on both sides of the socket: on a 2-core machine their sum bounds jobs/s.
    const cpu = async () => ({
      workers: (await Promise.all(workers.map((w) => readCpuMs(w.pid)))).reduce((a, b) => a + b, 0),
      postgres: await ctx.services.postgresCpuMs(),
    });
    const before = await cpu();
    const ms = await drain(jobs);
    const after = await cpu();
    const dead = workers.filter((w) => !w.running());
    if (dead.length > 0) throw new Error(`worker exited during the round:\n${dead[0]!.stderrTail()}`);
    return {
      ms,
      workerCpuUsPerJob: ((after.workers - before.workers) * 1000) / jobs,
      postgresCpuUsPerJob: ((after.postgres - before.postgres) * 1000) / jobs,
    };
  } finally {
    await db.end();
    await Promise.all(workers.map((w) => w.stop(30_000)));
  }
}

export const scaleOut: Benchmark = {
  name: 'Scale-out',
  feature: 'apps/worker',
  ours: '2 `apps/worker` processes draining N no-op jobs from one database',
  baseline: '1 `apps/worker` process draining the same N jobs',
  async run(ctx) {
    const jobs = ctx.quick ? 5_000 : 20_000;
    const pairs = ctx.quick ? 2 : 4;
    const databaseUrl = await ctx.services.createDatabase('bench_scale');
    const rounds = await interleave({
      pairs,
      signal: ctx.signal,
      a: () => drainWith(ctx, databaseUrl, 2, jobs),
      b: () => drainWith(ctx, databaseUrl, 1, jobs),
      onRound: (i, side, r) =>
        ctx.log(
          `  round ${i + 1} ${side === 'a' ? '2 workers' : '1 worker'}: ${Math.round((jobs / r.ms) * 1000)} jobs/s`,
        ),
    });
    const two = rounds.a.map((r) => (jobs / r.ms) * 1000);
    const one = rounds.b.map((r) => (jobs / r.ms) * 1000);
    const cpu = (rs: typeof rounds.a, k: 'workerCpuUsPerJob' | 'postgresCpuUsPerJob') =>
      round(median(rs.map((r) => r[k])), 1);
    return [
      row({
        benchmark: this.name,
        metric: `2 vs 1 worker processes, ${jobs.toLocaleString('en-US')} jobs`,
        unit: 'jobs/s',
        ours: Math.round(median(two)),
        baseline: Math.round(median(one)),
        ratio: round(medianPairRatio(two, one), 3),
        target: 'report the ratio',
        details: {
          jobs,
          pairs,
          twoWorkersDrainMs: rounds.a.map((r) => Math.round(r.ms)),
          oneWorkerDrainMs: rounds.b.map((r) => Math.round(r.ms)),
          twoWorkersCpuUsPerJob: `workers ${cpu(rounds.a, 'workerCpuUsPerJob')} + Postgres ${cpu(rounds.a, 'postgresCpuUsPerJob')}`,
          oneWorkerCpuUsPerJob: `worker ${cpu(rounds.b, 'workerCpuUsPerJob')} + Postgres ${cpu(rounds.b, 'postgresCpuUsPerJob')}`,
          concurrencyPerProcess: 'WORKER_CONCURRENCY (default 4)',
          cores: `${availableParallelism()}, shared by Postgres, the workers and the bench`,
        },
      }),
    ];
  },
};
