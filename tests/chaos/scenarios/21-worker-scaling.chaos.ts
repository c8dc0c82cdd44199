// Worker scaling: 1, 2 and 3 worker processes each drain the same media-heavy batch (VP9 clips that must be encoded,
// not remuxed). Each round:
// 1. uploads the batch with no worker running, and holds its media jobs (run_at in the future);
// 2. starts the round's workers and waits until they are up and idle (nothing runnable, 11 s with no job, so
//    start-up costs and Postgres's stats flush stay out of the round);
// 3. releases the held jobs in one statement: the clock starts there and stops when the last video is final.
// Reported per round: throughput, CPU per video (the workers and their ffmpeg children), the CPU of the whole cluster
// and of the machine per second of wall time (saturation), Postgres statements sent by the workers (counted on the
// wire by a proxy), jobs run, bytes moved between the workers and S3 (counted by a proxy), bytes stored, lock waits
// and ungranted locks sampled from pg_stat_activity / pg_locks every 250 ms, graphile-worker's job fetches seen
// active or waiting, and the rows written per table (a single-row hot spot shows as updates piling on one table's
// few rows). The 1-worker round also splits the workers' CPU by step (each 250 ms sample's CPU evenly over the steps
// running then).
import { readdir, readFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeClip } from '@arvlite/integration-tests/media-fixtures';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, uploadOne, type World } from '../src/load.ts';
import type { AppProcess } from '../src/processes.ts';
import { assertClean, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();
let pgWire: CountingProxy;
let s3Wire: CountingProxy;

beforeAll(async () => {
  cluster = await startCluster({ servers: 1, workers: 0 });
  world = await seedWorld(cluster, ledger, { tenants: 3, arItem: false });
  pgWire = await countingProxy(Number(new URL(cluster.services.databaseUrl).port), true);
  s3Wire = await countingProxy(Number(new URL(cluster.services.s3Endpoint).port), false);
});
afterAll(async () => {
  await cluster?.stop();
  await pgWire?.close();
  await s3Wire?.close();
});

/** A TCP proxy that counts bytes each way and, for Postgres, the statements clients send (Query and Execute). */
interface CountingProxy {
  port: number;
  stats: { toServer: number; toClient: number; statements: number; open: number; peakOpen: number };
  close(): Promise<void>;
}

async function countingProxy(upstreamPort: number, postgres: boolean): Promise<CountingProxy> {
  const stats = { toServer: 0, toClient: 0, statements: 0, open: 0, peakOpen: 0 };
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const up = connect(upstreamPort, '127.0.0.1');
    stats.open++;
    stats.peakOpen = Math.max(stats.peakOpen, stats.open);
    client.once('close', () => stats.open--);
    for (const s of [client, up]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {});
    }
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
    // Frontend messages: an untyped start-up packet (length, code; SSL/GSS requests are followed by another), then
    // typed ones (type byte, length including itself). 'Q' is a simple query, 'E' executes a prepared statement.
    let startup = true;
    let pending: Buffer = Buffer.alloc(0);
    const parse = (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (startup) {
          if (pending.length < 8) return;
          const len = pending.readInt32BE(0);
          if (pending.length < len) return;
          const code = pending.readInt32BE(4);
          startup = code === 80877103 || code === 80877104;
          pending = pending.subarray(len);
        } else {
          if (pending.length < 5) return;
          const len = pending.readInt32BE(1);
          if (pending.length < len + 1) return;
          const type = String.fromCharCode(pending[0]!);
          if (type === 'Q' || type === 'E') stats.statements++;
          pending = pending.subarray(len + 1);
        }
      }
    };
    client.on('data', (c: Buffer) => {
      stats.toServer += c.length;
      if (postgres) parse(c);
      if (!up.write(c)) {
        client.pause();
        up.once('drain', () => client.resume());
      }
    });
    up.on('data', (c: Buffer) => {
      stats.toClient += c.length;
      if (!client.write(c)) {
        up.pause();
        client.once('drain', () => up.resume());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    async close() {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The CPU (ms) of a process and everything under it: user + system of the live ones, plus what they reaped. */
async function treeCpuMs(rootPids: number[]): Promise<number> {
  const procs = new Map<number, { ppid: number; ms: number }>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = await readFile(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
      const ms = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
      procs.set(Number(d), { ppid: Number(f[1]), ms });
    } catch {
      // gone meanwhile
    }
  }
  const roots = new Set(rootPids);
  let total = 0;
  for (const [pid, p] of procs) {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = procs.get(at)?.ppid) {
      if (roots.has(at)) {
        total += p.ms;
        break;
      }
    }
  }
  return total;
}

/** Busy and total CPU time of the whole machine (ms), from /proc/stat. */
async function machineCpuMs(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!;
  return { busy: (total - idle) * 10, total: total * 10 };
}

interface TableWrites {
  [table: string]: { ins: number; upd: number; del: number };
}

async function tableWrites(): Promise<TableWrites> {
  const rows = await cluster.services.query<{ t: string; ins: string; upd: string; del: string }>(
    `select schemaname || '.' || relname as t, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del
       from pg_stat_user_tables`,
  );
  return Object.fromEntries(rows.map((r) => [r.t, { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del) }]));
}

const MEDIA_TASKS = `(select id from graphile_worker._private_tasks where identifier like 'video:%')`;

/** Waits until no job is runnable or running (held ones aside) and none has been for `quietMs`. */
async function untilIdle(quietMs: number) {
  let quietSince = performance.now();
  for (;;) {
    const [row] = await cluster.services.query<{ n: string }>(
      `select count(*) as n from graphile_worker._private_jobs
        where (run_at <= now() and attempts < max_attempts) or locked_at is not null`,
    );
    if (row!.n !== '0') quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) return;
    await sleep(250);
  }
}

interface Round {
  workers: number;
  videos: number;
  wallS: number;
  perMinute: number;
  /** Workers and their ffmpeg children, per video. */
  workerCpuSPerVideo: number;
  /** Postgres (every backend) and s3rver, per video. */
  pgCpuSPerVideo: number;
  s3CpuSPerVideo: number;
  /** CPU seconds per wall second: the workers; the cluster (workers, server, Postgres, s3rver); the whole machine. */
  workerCores: number;
  clusterCores: number;
  machineCores: number;
  /** This test process (uploads are done by then: the 250 ms sampling) and everything else on the machine. */
  selfCores: number;
  otherCores: number;
  /** Postgres statements the workers sent per video, and net of what idle workers send in the same time. */
  statementsPerVideo: number;
  statementsNetPerVideo: number;
  idleStatementsPerS: number;
  /** Most Postgres connections the round's workers held open at once. */
  pgConnections: number;
  outboxPerVideo: number;
  outboxLagAvgS: number;
  outboxLagMaxS: number;
  jobsPerVideo: number;
  /** Bytes between the workers and S3 per video. */
  s3DownPerVideo: number;
  s3UpPerVideo: number;
  samples: number;
  activeSamples: number;
  lockWaitSamples: number;
  lwlockWaitSamples: number;
  ungrantedLocks: Record<string, number>;
  /** The statement waiting on a lock and the one holding it (first 90 characters), per sample. */
  lockWaiters: Record<string, number>;
  fetchActiveSamples: number;
  fetchWaitingSamples: number;
  topWrites: string[];
  stepCpuS: Record<string, number>;
}

it('1, 2 and 3 workers drain the same media-heavy batch: throughput, costs and hot spots', async () => {
  const started = performance.now();
  const clipSeconds = 6;
  encodeClip(clipSeconds);
  // Enough clips that the 1-worker round lasts over a minute on 2 cores in full mode (about 1.5 videos/s at most).
  const perRound = quick ? 8 : 40;
  const rounds: Round[] = [];
  const batches: string[][] = [];
  const workerEnv = {
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pgWire.port}/arvlite`,
    S3_ENDPOINT: `http://127.0.0.1:${s3Wire.port}`,
  };
  const clusterRoots = () =>
    [cluster.servers[0]!.pid, cluster.services.postgres.pid!, cluster.services.s3.pid!].filter((p) => p > 0);

  for (const n of [1, 2, 3]) {
    // 1. The batch, uploaded with no worker running (4 clients at once), its media jobs held.
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < perRound) {
          const i = next++;
          ids.push(await uploadOne(cluster, ledger, world.tenants[i % 3]!, 'encode'));
        }
      }),
    );
    batches.push(ids);
    const held = await cluster.services.query(
      `update graphile_worker._private_jobs set run_at = now() + interval '1 day'
        where task_id in ${MEDIA_TASKS} and locked_at is null returning id`,
    );
    expect(held.length).toBeGreaterThanOrEqual(perRound);

    // 2. The workers, up and idle.
    const workers: AppProcess[] = [];
    for (let i = 0; i < n; i++) workers.push(await cluster.addWorker(workerEnv));
    await untilIdle(11_000);
    // What idle workers send (graphile-worker's polls, heartbeats) over 5 s with nothing to do.
    const idleFrom = performance.now();
    const idleStatementsFrom = pgWire.stats.statements;
    await sleep(5_000);
    const idleStatementsPerS = (pgWire.stats.statements - idleStatementsFrom) / ((performance.now() - idleFrom) / 1000);
    const workerPids = workers.map((w) => w.pid);
    const writesBefore = await tableWrites();
    const [jobsBefore] = await cluster.services.query<{ done: string }>(
      `select n_tup_del as done from pg_stat_user_tables where schemaname = 'graphile_worker' and relname = '_private_jobs'`,
    );
    const workerCpuBefore = await treeCpuMs(workerPids);
    const clusterCpuBefore = await treeCpuMs(clusterRoots());
    const pgCpuBefore = await treeCpuMs([cluster.services.postgres.pid!]);
    const s3CpuBefore = await treeCpuMs([cluster.services.s3.pid!]);
    const machineBefore = await machineCpuMs();
    const selfBefore = process.cpuUsage();
    const wireBefore = { ...pgWire.stats };
    pgWire.stats.peakOpen = pgWire.stats.open;
    const s3Before = { ...s3Wire.stats };

    // 3. Released at once: the clock starts.
    const t0 = performance.now();
    const t0Wall = new Date();
    await cluster.services.query(
      `update graphile_worker._private_jobs set run_at = now() where id = any($1::bigint[])`,
      [held.map((h) => h.id)],
    );
    await cluster.services.query(`select pg_notify('jobs:insert', $1)`, [JSON.stringify({ count: perRound })]);

    let samples = 0;
    let activeSamples = 0;
    let lockWaitSamples = 0;
    let lwlockWaitSamples = 0;
    let fetchActiveSamples = 0;
    let fetchWaitingSamples = 0;
    const ungrantedLocks: Record<string, number> = {};
    const lockWaiters: Record<string, number> = {};
    const stepCpu: Record<string, number> = {};
    let lastCpu = workerCpuBefore;
    for (;;) {
      const [row] = await cluster.services.query<{
        left: string;
        active: string;
        locked: string;
        lwlock: string;
        fetching: string;
        fetch_waiting: string;
        ungranted: { rel: string | null; mode: string }[] | null;
        waiters: { waits: string; on: string | null }[] | null;
        running: string[] | null;
      }>(
        `select (select count(*) from video where id = any($1::uuid[]) and status not in ('READY', 'FAILED')) as left,
                (select count(*) from pg_stat_activity where datname = current_database() and state = 'active'
                    and pid <> pg_backend_pid()) as active,
                (select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock')
                    as locked,
                (select count(*) from pg_stat_activity where datname = current_database()
                    and wait_event_type = 'LWLock') as lwlock,
                (select count(*) from pg_stat_activity where datname = current_database() and state = 'active'
                    and pid <> pg_backend_pid() and query like '%_private_jobs%skip locked%') as fetching,
                (select count(*) from pg_stat_activity where datname = current_database() and state = 'active'
                    and pid <> pg_backend_pid() and query like '%_private_jobs%skip locked%'
                    and wait_event_type in ('Lock', 'LWLock'))
                    as fetch_waiting,
                (select json_agg(json_build_object('rel', l.relation::regclass::text, 'mode', l.mode))
                   from pg_locks l where not l.granted) as ungranted,
                (select json_agg(json_build_object('waits', left(regexp_replace(a.query, '\\s+', ' ', 'g'), 90),
                          'on', (select left(regexp_replace(b.query, '\\s+', ' ', 'g'), 90) from pg_stat_activity b
                                  where b.pid = (pg_blocking_pids(a.pid))[1])))
                   from pg_stat_activity a where a.datname = current_database() and a.wait_event_type = 'Lock')
                    as waiters,
                (select array_agg(name) from video_step where video_id = any($1::uuid[]) and status = 'running')
                    as running`,
        [ids],
      );
      samples++;
      activeSamples += Number(row!.active);
      lockWaitSamples += Number(row!.locked);
      lwlockWaitSamples += Number(row!.lwlock);
      fetchActiveSamples += Number(row!.fetching);
      fetchWaitingSamples += Number(row!.fetch_waiting);
      for (const w of row!.waiters ?? []) {
        const k = `${w.waits} <- ${w.on ?? '?'}`;
        lockWaiters[k] = (lockWaiters[k] ?? 0) + 1;
      }
      for (const l of row!.ungranted ?? []) {
        const k = `${l.rel ?? 'row/transaction'} ${l.mode}`;
        ungrantedLocks[k] = (ungrantedLocks[k] ?? 0) + 1;
      }
      if (n === 1) {
        const cpu = await treeCpuMs(workerPids);
        const running = (row!.running ?? []).map((s) => (s.startsWith('rendition:') ? 'rendition' : s));
        const share = (cpu - lastCpu) / Math.max(1, running.length);
        for (const s of running.length ? running : ['(between steps)']) stepCpu[s] = (stepCpu[s] ?? 0) + share / 1000;
        lastCpu = cpu;
      }
      if (row!.left === '0') break;
      if (performance.now() - t0 > 1_800_000) throw new Error(`round of ${n} workers did not finish in 30 min`);
      await sleep(250);
    }
    const wallS = (performance.now() - t0) / 1000;
    const workerCpu = (await treeCpuMs(workerPids)) - workerCpuBefore;
    const clusterCpu = (await treeCpuMs(clusterRoots())) - clusterCpuBefore + workerCpu;
    const pgCpu = (await treeCpuMs([cluster.services.postgres.pid!])) - pgCpuBefore;
    const s3Cpu = (await treeCpuMs([cluster.services.s3.pid!])) - s3CpuBefore;
    const machineAfter = await machineCpuMs();
    const self = process.cpuUsage(selfBefore);
    const selfMs = (self.user + self.system) / 1000;
    const statements = pgWire.stats.statements - wireBefore.statements;
    const s3Down = s3Wire.stats.toClient - s3Before.toClient;
    const s3Up = s3Wire.stats.toServer - s3Before.toServer;
    // Rows written per table during the round (Postgres flushes its counters within ~10 s of a backend going idle).
    await untilIdle(11_000);
    const writesAfter = await tableWrites();
    // The outbox (one dispatcher at a time across every worker): events per video and how long each waited.
    const [outbox] = await cluster.services.query<{ n: string; avg_s: string | null; max_s: string | null }>(
      `select count(*) as n, avg(extract(epoch from delivered_at - created_at)) as avg_s,
              max(extract(epoch from delivered_at - created_at)) as max_s
         from outbox_event where created_at >= $1`,
      [t0Wall],
    );
    const [jobsAfter] = await cluster.services.query<{ done: string }>(
      `select n_tup_del as done from pg_stat_user_tables where schemaname = 'graphile_worker' and relname = '_private_jobs'`,
    );
    const machineCores =
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * cpus().length;
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const perVideo = (x: number) => Math.round((x / perRound) * 10) / 10;
    const topWrites = Object.entries(writesAfter)
      .map(([t, a]) => {
        const b = writesBefore[t] ?? { ins: 0, upd: 0, del: 0 };
        return { t, ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del };
      })
      .filter((w) => w.ins + w.upd + w.del > 0)
      .sort((a, b) => b.ins + b.upd + b.del - (a.ins + a.upd + a.del))
      .slice(0, 6)
      .map((w) => `${w.t} ${perVideo(w.ins)}/${perVideo(w.upd)}/${perVideo(w.del)}`);
    rounds.push({
      workers: n,
      videos: perRound,
      wallS: Math.round(wallS * 10) / 10,
      perMinute: Math.round((perRound / wallS) * 60 * 100) / 100,
      workerCpuSPerVideo: Math.round(workerCpu / perRound) / 1000,
      pgCpuSPerVideo: Math.round(pgCpu / perRound) / 1000,
      s3CpuSPerVideo: Math.round(s3Cpu / perRound) / 1000,
      workerCores: Math.round((workerCpu / 1000 / wallS) * 100) / 100,
      clusterCores: Math.round((clusterCpu / 1000 / wallS) * 100) / 100,
      machineCores: round2(machineCores),
      selfCores: round2(selfMs / 1000 / wallS),
      otherCores: round2(machineCores - clusterCpu / 1000 / wallS - selfMs / 1000 / wallS),
      statementsPerVideo: perVideo(statements),
      statementsNetPerVideo: perVideo(statements - idleStatementsPerS * wallS),
      idleStatementsPerS: Math.round(idleStatementsPerS * 10) / 10,
      pgConnections: pgWire.stats.peakOpen,
      outboxPerVideo: perVideo(Number(outbox!.n)),
      outboxLagAvgS: round2(Number(outbox!.avg_s ?? 0)),
      outboxLagMaxS: round2(Number(outbox!.max_s ?? 0)),
      jobsPerVideo: perVideo(Number(jobsAfter!.done) - Number(jobsBefore!.done)),
      s3DownPerVideo: Math.round(s3Down / perRound),
      s3UpPerVideo: Math.round(s3Up / perRound),
      samples,
      activeSamples,
      lockWaitSamples,
      lwlockWaitSamples,
      ungrantedLocks,
      lockWaiters,
      fetchActiveSamples,
      fetchWaitingSamples,
      topWrites,
      stepCpuS: Object.fromEntries(
        Object.entries(stepCpu).map(([k, v]) => [k, Math.round((v / perRound) * 1000) / 1000]),
      ),
    });
    // Printed now, so a later failure (the accounting) does not lose the round's figures.
    console.log(`[chaos scaling] round of ${n} worker(s): ${JSON.stringify(rounds.at(-1))}`);
    await Promise.all(workers.map((w) => w.stop()));
  }

  // Bytes stored per video (the quota's count: original + outputs), and the clip's length.
  const [stored] = await cluster.services.query<{ stored: string; original: string; seconds: string }>(
    `select avg(stored_bytes) as stored, avg(size_bytes) as original, avg((media->>'durationS')::float) as seconds
       from video where id = any($1::uuid[])`,
    [batches.flat()],
  );
  // Let the outbox (webhooks, notifications) settle with one worker, then account for every video.
  const settler = await cluster.addWorker();
  await drain(cluster, ledger, 300_000);
  const accounting = await account(cluster, world, ledger);
  await settler.stop();

  for (const r of rounds) expect(r.videos).toBe(perRound);
  const result = await recordResult({
    id: 'scaling',
    title: 'worker scaling 1/2/3 processes (media-heavy)',
    faults: 0,
    recoveryMs: null,
    bound: { recoveryMs: null, why: 'a measurement: throughput and per-video cost per worker count' },
    accounting,
    notes: [
      `batch: ${perRound} VP9 854x480 clips of ${Number(stored!.seconds).toFixed(1)} s each (${Math.round(Number(stored!.original) / 1024)} KiB), stored ${Math.round(Number(stored!.stored) / 1024)} KiB per video (original + outputs)`,
      ...rounds.map(
        (r) =>
          `${r.workers} worker(s): ${r.videos} videos in ${r.wallS} s = ${r.perMinute}/min; CPU per video: ${r.workerCpuSPerVideo} s workers + ffmpeg, ${r.pgCpuSPerVideo} s Postgres, ${r.s3CpuSPerVideo} s s3rver; ` +
          `CPU-s per wall-s: workers ${r.workerCores}, cluster ${r.clusterCores} (workers, server, Postgres, s3rver), this test ${r.selfCores}, ` +
          `other processes ${r.otherCores}, machine ${r.machineCores} of ${cpus().length}; ` +
          `${r.jobsPerVideo} jobs and ${r.statementsPerVideo} Postgres statements per video (${r.statementsNetPerVideo} net of idle polling at ${r.idleStatementsPerS}/s), at most ${r.pgConnections} connections open; ` +
          `outbox: ${r.outboxPerVideo} events per video, delivered ${r.outboxLagAvgS} s after (max ${r.outboxLagMaxS} s); ` +
          `S3 ${Math.round(r.s3DownPerVideo / 1024)} KiB down, ${Math.round(r.s3UpPerVideo / 1024)} KiB up per video; ` +
          `${r.samples} samples: ${r.activeSamples} active connections, ${r.lockWaitSamples} waiting on a lock, ${r.lwlockWaitSamples} on an LWLock, ` +
          `job fetches active ${r.fetchActiveSamples} (waiting ${r.fetchWaitingSamples}), ungranted locks ${JSON.stringify(r.ungrantedLocks)}, ` +
          `lock waits ${JSON.stringify(r.lockWaiters)}; ` +
          `rows ins/upd/del per video: ${r.topWrites.join(', ')}` +
          (r.workers === 1 ? `; CPU-s per video by step (sampled): ${JSON.stringify(r.stepCpuS)}` : ''),
      ),
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  assertClean(result);
});
