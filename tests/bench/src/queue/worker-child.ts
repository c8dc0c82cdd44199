// Child process for the queue benchmarks: one side each ("ours" = startWorker from @arvlite/worker with the real
// task list and enqueue() in a MikroORM transaction; "baseline" = raw graphile-worker run() + addJob, same settings;
// "baseline-tx" = the same raw worker, enqueuing in a raw pg transaction).
// It enqueues and works in the same process, like the app, and answers the bench's commands over IPC.
//
//   node worker-child.ts '{"side":"ours","databaseUrl":"postgres://…","s3Endpoint":"http://…"}'
import { loadConfig, processEnv, requireServices } from '@arvlite/config';
import { initOrm } from '@arvlite/db';
import { enqueue } from '@arvlite/jobs';
import { createTaskList } from '@arvlite/jobs/runtime';
import { createStorage } from '@arvlite/storage';
import { startWorker } from '@arvlite/worker';
import { Logger, makeWorkerUtils, run, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import { pino } from 'pino';
import type { ChildCommand, ChildInit, ChildReply } from './protocol.ts';

const init = JSON.parse(process.argv[2] ?? '{}') as ChildInit;
// Both sides read the same settings (WORKER_CONCURRENCY, WORKER_POLL_INTERVAL_MS from the environment or defaults).
const config = requireServices(
  loadConfig({
    ...processEnv(),
    DATABASE_URL: init.databaseUrl,
    S3_ENDPOINT: init.s3Endpoint,
    LOG_LEVEL: 'warn',
  }),
);
const NOOP = 'system:noop';

interface Side {
  events: WorkerEvents;
  enqueue(label: string): Promise<string>;
  stop(): Promise<void>;
}

async function startOurs(): Promise<Side> {
  const log = pino({ level: config.logLevel, base: { service: 'worker' } });
  const orm = await initOrm({ url: config.database.url, poolMax: config.database.poolMax });
  const storage = createStorage(config);
  const worker = await startWorker({ config, orm, storage, log });
  return {
    events: worker.runner.events,
    async enqueue(label) {
      const { id } = await orm.fork().transactional((tem) => enqueue(tem, NOOP, { label }));
      return id;
    },
    async stop() {
      await worker.stop();
      await orm.close();
      storage.destroy();
    },
  };
}

/**
 * The task identifiers our worker runs (all, or WORKER_TASKS). graphile-worker's get_job sends them as an int[] and
 * filters every candidate row by them (`task_id = any($2::int[])`), so a worker with one task does less per fetch than
 * ours with the whole list: the first measurement wrote 135 bytes per job against our 275, and Postgres spent 549 µs per
 * job against 859. The baseline registers the same identifiers (each a no-op) so both fetch with the same query.
 */
function ourTaskNames(): string[] {
  const all = Object.keys(
    createTaskList({ config, orm: undefined as never, storage: undefined as never, log: undefined as never }),
  );
  return config.worker.tasks.length === 0 ? all : all.filter((n) => config.worker.tasks.includes(n));
}

async function startBaseline(): Promise<Side> {
  // The same run() options as apps/worker/src/worker.ts, with our task identifiers as trivial tasks (ourTaskNames), no
  // crontab, and a logger that drops everything: the baseline is graphile-worker at its cheapest (its default logger
  // prints a line per job).
  const silent = new Logger(() => () => {});
  const utils = await makeWorkerUtils({ connectionString: config.database.url, logger: silent });
  const runner = await run({
    connectionString: config.database.url,
    concurrency: config.worker.concurrency,
    pollInterval: config.worker.pollIntervalMs,
    noHandleSignals: true,
    // As apps/worker: completions and failures through graphile-worker's batchers, sent at once (0 ms). Jobs that
    // end in the same tick then share one completing statement, on both sides alike.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: Object.fromEntries(ourTaskNames().map((n) => [n, async () => {}])),
    logger: silent,
  });
  // "baseline-tx" enqueues with the same SQL work as ours (BEGIN, add_job, COMMIT) on a raw pg pool, which separates
  // the cost of the transaction from the cost of our code around it.
  const pool = new pg.Pool({ connectionString: config.database.url, max: config.database.poolMax });
  const addJobSql = `select (graphile_worker.add_job(identifier => $1, payload => $2::json)).id::text as id`;
  return {
    events: runner.events,
    async enqueue(label) {
      if (init.side === 'baseline') return (await utils.addJob(NOOP, { label })).id;
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query<{ id: string }>(addJobSql, [NOOP, JSON.stringify({ label })]);
        await client.query('commit');
        return rows[0]!.id;
      } finally {
        client.release();
      }
    },
    async stop() {
      await runner.stop();
      await utils.release();
      await pool.end();
    },
  };
}

const side = init.side === 'ours' ? await startOurs() : await startBaseline();
const db = new pg.Client({ connectionString: config.database.url });
await db.connect();

// job id → hrtime at job:start (the moment before graphile-worker calls the task function).
const started = new Map<string, bigint>();
const startWaiters = new Map<string, (t: bigint) => void>();
let completed = 0;
let failed = 0;
let onCompleted: (() => void) | undefined;

side.events.on('job:start', ({ job }) => {
  if (job.task_identifier !== NOOP) return;
  const t = process.hrtime.bigint();
  const waiter = startWaiters.get(job.id);
  if (waiter) waiter(t);
  else started.set(job.id, t);
});
side.events.on('job:complete', ({ job, error }) => {
  if (job.task_identifier !== NOOP) return;
  if (error) failed++;
  else completed++;
  onCompleted?.();
});

function waitForStart(id: string): Promise<bigint> {
  const t = started.get(id);
  if (t !== undefined) {
    started.delete(id);
    return Promise.resolve(t);
  }
  return new Promise((resolve) => startWaiters.set(id, (at) => (startWaiters.delete(id), resolve(at))));
}

async function latency(samples: number, gapMs: number): Promise<{ startMs: number[]; enqueueMs: number[] }> {
  const startMs: number[] = [];
  const enqueueMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    // Samples run one at a time, so the next no-op completion is this sample's.
    const done = new Promise<void>((resolve) => {
      onCompleted = resolve;
    });
    const t0 = process.hrtime.bigint();
    const id = await side.enqueue(`latency-${i}`);
    enqueueMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const t1 = await withTimeout(waitForStart(id), 30_000, `job ${id} to start`);
    startMs.push(Number(t1 - t0) / 1e6);
    // The next sample starts from an idle worker.
    await withTimeout(done, 30_000, `job ${id} to complete`);
    onCompleted = undefined;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return { startMs, enqueueMs };
}

async function drain(jobs: number): Promise<{ ms: number; failed: number }> {
  await db.query('vacuum graphile_worker._private_jobs');
  completed = 0;
  failed = 0;
  const allDone = new Promise<void>((resolve) => {
    onCompleted = () => {
      if (completed + failed >= jobs) resolve();
    };
  });
  // One statement for both sides: the jobs become visible (and NOTIFY fires) at commit.
  await db.query(
    `select count(*) from graphile_worker.add_jobs(array(
       select row($2::text, json_build_object('label', 'bulk'), null, null, null, null, null, null)::graphile_worker.job_spec
       from generate_series(1, $1::int)))`,
    [jobs, NOOP],
  );
  const t0 = process.hrtime.bigint();
  await withTimeout(allDone, 600_000, `${jobs} jobs to complete`);
  // job:complete fires before the row is deleted; the queue is drained once the table says so.
  for (;;) {
    const { rows } = await db.query<{ left: boolean }>(
      `select exists(select 1 from graphile_worker.jobs where task_identifier = $1) as left`,
      [NOOP],
    );
    if (!rows[0]!.left) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  onCompleted = undefined;
  return { ms, failed };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), 20_000);
  force.unref();
  try {
    await side.stop();
    await db.end();
  } finally {
    process.exit(code);
  }
}

process.on('message', (raw) => {
  const msg = raw as ChildCommand;
  const reply = (r: ChildReply) => process.send?.(r);
  const handle = async (): Promise<unknown> => {
    switch (msg.cmd) {
      case 'latency':
        return latency(msg.samples, msg.gapMs);
      case 'drain':
        return drain(msg.jobs);
      case 'stop':
        setImmediate(() => void shutdown(0));
        return null;
    }
  };
  handle().then(
    (result) => reply({ id: msg.id, ok: true, result }),
    (err: unknown) =>
      reply({
        id: msg.id,
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  );
});
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.send?.({ ready: true });
