// What each layer of a transactional enqueue costs, in one process with no worker: the variants run interleaved
// (A B C … then … C B A), N calls a round, and each round reports its median wall time per call and the process's CPU
// per call (process.cpuUsage: every thread, so MikroORM's garbage counts too). Not a row of `pnpm bench`: a profile
// aid for the Queue latency row (BENCHMARKS.md).
//
//   node tests/bench/src/queue/enqueue-layers.ts [--calls 200] [--rounds 8]
import { parseArgs } from 'node:util';
import { initOrm } from '@arvlite/db';
import { enqueue } from '@arvlite/jobs';
import pg from 'pg';
import { median } from '../harness.ts';
import { startBenchServices } from '../services.ts';

const { values: args } = parseArgs({
  options: { calls: { type: 'string', default: '200' }, rounds: { type: 'string', default: '8' } },
});
const calls = Number(args.calls);
const rounds = Number(args.rounds);

// enqueue's statement for a non-media job, as `?` (em.execute) and `$n` (bound) text.
const ADD_JOB = `select (graphile_worker.add_job(
       identifier => ?, payload => ?::json, queue_name => ?,
       run_at => now() + make_interval(secs => ?::float8),
       max_attempts => ?::int, job_key => ?, priority => ?::int, job_key_mode => ?
     )).id::text as id`;
let n = 0;
const ADD_JOB_BOUND = ADD_JOB.replace(/\?/g, () => `$${++n}`);
const values = (label: string) => ['system:noop', JSON.stringify({ label }), null, 0, null, null, null, null];

const services = await startBenchServices();
try {
  const url = await services.createDatabase('bench_enqueue_layers');
  const orm = await initOrm({ url, poolMax: 4 });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const rawTx = async (body: (c: pg.PoolClient) => Promise<unknown>) => {
    const c = await pool.connect();
    try {
      await c.query('begin');
      await body(c);
      await c.query('commit');
    } finally {
      c.release();
    }
  };
  const variants: Record<string, (label: string) => Promise<unknown>> = {
    // What the Queue latency row's ours does (and the product: enqueue(tem, …) inside em.transactional).
    'em.transactional + enqueue': (label) => orm.fork().transactional((tem) => enqueue(tem, 'system:noop', { label })),
    // enqueue before 2026-12-07: the same statement through em.execute (values inlined, simple query protocol).
    'em.transactional + em.execute': (label) => orm.fork().transactional((tem) => tem.execute(ADD_JOB, values(label))),
    // The row's baseline with enqueue's statement: raw pg, BEGIN / add_job (bound) / COMMIT.
    'raw BEGIN/add_job/COMMIT': (label) => rawTx((c) => c.query(ADD_JOB_BOUND, values(label))),
    // The transaction alone, both ways.
    'em.transactional, empty': () => orm.fork().transactional(async () => {}),
    'raw BEGIN/COMMIT': () => rawTx(async () => {}),
  };
  const names = Object.keys(variants);
  const result = new Map(names.map((v) => [v, { wallMs: [] as number[], cpuUs: [] as number[] }]));
  // Round -1 warms up (JIT, pool connections) and is not recorded.
  for (let r = -1; r < rounds; r++) {
    for (const v of r % 2 ? [...names].reverse() : names) {
      const walls: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) {
        const t0 = process.hrtime.bigint();
        await variants[v]!(`layers-${i}`);
        walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const cpu = process.cpuUsage(cpu0);
      if (r >= 0) {
        result.get(v)!.wallMs.push(median(walls));
        result.get(v)!.cpuUs.push((cpu.user + cpu.system) / calls);
      }
    }
    await pool.query('delete from graphile_worker._private_jobs');
  }
  console.log(`${calls} calls × ${rounds} rounds; load average ${(await import('node:os')).loadavg().join(' / ')}`);
  for (const [v, r] of result) {
    console.log(
      `${v.padEnd(32)} wall p50 ${median(r.wallMs).toFixed(3)} ms   CPU ${median(r.cpuUs).toFixed(0).padStart(5)} µs/call`,
    );
  }
  await orm.close();
  await pool.end();
} finally {
  await services.stop();
}
