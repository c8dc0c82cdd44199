// Worker scaling: the same media-heavy batch (clips that must be encoded, not remuxed) queued, then drained by 1, 2
// and 3 worker processes. Reports throughput per worker count, the CPU each video cost (workers and their ffmpeg
// children), and how often an application connection waited on a lock (pg_stat_activity sampled every 250 ms): a
// single-row hot spot or a global lock in the job path would show there before the cores run out.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, uploadOne, type World } from '../src/load.ts';
import type { AppProcess } from '../src/processes.ts';
import { assertClean, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();

beforeAll(async () => {
  cluster = await startCluster({ servers: 1, workers: 0 });
  world = await seedWorld(cluster, ledger, { tenants: 3, arItem: false });
});
afterAll(async () => {
  await cluster?.stop();
});

/** utime + stime + cutime + cstime (reaped children: ffmpeg runs) of a live process, in ms. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}

interface Round {
  workers: number;
  videos: number;
  wallS: number;
  perMinute: number;
  cpuMsPerVideo: number;
  lockWaitShare: number;
  activeSamples: number;
}

it('1, 2 and 3 workers on a media-heavy batch: throughput, CPU per video, lock waits', async () => {
  const started = performance.now();
  const perRound = quick ? 3 : 6;
  const rounds: Round[] = [];
  for (const n of [1, 2, 3]) {
    // Queue the batch with no worker running, so every round starts from the same backlog.
    const ids: string[] = [];
    for (let i = 0; i < perRound; i++) ids.push(await uploadOne(cluster, ledger, world.tenants[i % 3]!, 'encode'));
    // The clock starts before the first worker does: a worker starts taking jobs while the next one is starting.
    // CPU is each worker's whole life (its start included, the same for every round), so none of the work escapes.
    const t0 = performance.now();
    const workers: AppProcess[] = [];
    for (let i = 0; i < n; i++) workers.push(await cluster.addWorker());
    const cpuBefore = workers.map(() => 0);
    let samples = 0;
    let lockWaits = 0;
    for (;;) {
      const [row] = await cluster.services.query<{ left: string; active: string; locked: string }>(
        `select (select count(*) from video where id = any($1::uuid[]) and status not in ('READY', 'FAILED')) as left,
                (select count(*) from pg_stat_activity where datname = current_database() and state = 'active'
                    and pid <> pg_backend_pid()) as active,
                (select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock')
                    as locked`,
        [ids],
      );
      samples += Number(row!.active);
      lockWaits += Number(row!.locked);
      if (row!.left === '0') break;
      if (performance.now() - t0 > 1_200_000) throw new Error(`round of ${n} workers did not finish in 20 min`);
      await sleep(250);
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpuAfter = await Promise.all(workers.map((w) => cpuMs(w.pid)));
    const cpu = cpuAfter.reduce((a, c, i) => a + c - cpuBefore[i]!, 0);
    rounds.push({
      workers: n,
      videos: perRound,
      wallS: Math.round(wallS * 10) / 10,
      perMinute: Math.round((perRound / wallS) * 60 * 100) / 100,
      cpuMsPerVideo: Math.round(cpu / perRound),
      lockWaitShare: samples === 0 ? 0 : Math.round((lockWaits / samples) * 1000) / 1000,
      activeSamples: samples,
    });
    await Promise.all(workers.map((w) => w.stop()));
  }
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
    notes: rounds.map(
      (r) =>
        `${r.workers} worker(s): ${r.videos} videos in ${r.wallS} s = ${r.perMinute}/min, ${r.cpuMsPerVideo} ms CPU per video (worker + ffmpeg), lock waits ${(r.lockWaitShare * 100).toFixed(1)} % of ${r.activeSamples} active-connection samples`,
    ),
    durationS: Math.round((performance.now() - started) / 1000),
  });
  assertClean(result);
});
