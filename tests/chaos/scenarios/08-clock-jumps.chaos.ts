// Scenario 8: clock jumps. Under load, a third worker runs with its clock 2 hours ahead (libfaketime, wall clock only),
// then is killed (its time "jumps back" out of the cluster), and a fourth runs 2 hours behind. Heartbeats are stamped
// and judged by the database's clock, so no live worker is taken for dead (its jobs released and run twice) and the
// skewed workers do not take the others for dead; recurring jobs the fast worker stamped 2 hours ahead are pulled
// back, so the sweeps keep running on the right clocks after it is gone; uploads' expiry and every video end right:
// READY with exactly their outputs, nothing duplicated.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processEnv } from '@arvlite/config';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, type World } from '../src/load.ts';
import { assertClean, quick, recordResult } from '../src/scenario.ts';

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
let cluster: Cluster;
let world: World;
const ledger = newLedger();
// graphile-worker's cron runs its items at each minute of the worker's own clock: 65 s ahead crosses at least one of
// its minutes, so the fast worker stamps its recurring jobs 2 h ahead in every mode (the check below is not vacuous).
const AHEAD_MS = 65_000;
const BEHIND_MS = quick ? 30_000 : 60_000;

const skewed = (offset: string) => ({
  LD_PRELOAD: FAKETIME_LIB,
  FAKETIME: offset,
  // Timers (libuv's monotonic clock) stay real: only the wall clock jumps.
  FAKETIME_DONT_FAKE_MONOTONIC: '1',
});

/**
 * libfaketime must be there and move a Node process's wall clock: without it the skewed workers would run on the real
 * clock and the scenario would prove nothing, so it fails (naming the package) instead of skipping.
 */
function checkFaketime(): void {
  if (!existsSync(FAKETIME_LIB)) {
    throw new Error(
      `scenario 8 needs libfaketime (${FAKETIME_LIB}), which is not installed: install Debian's faketime package (apt-get install -y faketime)`,
    );
  }
  const shown = Number(
    execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], {
      env: { PATH: processEnv().PATH, ...skewed('+2h') },
    }).toString(),
  );
  const off = shown - Date.now();
  if (Math.abs(off - 2 * 3600_000) > 60_000) {
    throw new Error(
      `libfaketime did not move a Node process's clock 2 h ahead (it was ${Math.round(off / 1000)} s off)`,
    );
  }
}

beforeAll(async () => {
  checkFaketime();
  cluster = await startCluster({ servers: 2, workers: 2 });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it('workers 2 h ahead and 2 h behind: nobody taken for dead, sweeps keep running, nothing twice', async () => {
  const started = performance.now();
  const load = startLoad(cluster, world, ledger, {
    mix: { single: 2, multipart: 1 },
    uploaders: 2,
    uploadGapMs: 1_500,
    maxUploads: quick ? 8 : 16,
    viewerRate: 1,
    watch: true,
  });
  const ahead = await cluster.addWorker(skewed('+2h'));
  // How far ahead of the database's clock any recurring job's stamp was while the fast worker ran (each live worker's
  // heartbeat pulls such stamps back, so they are seen only briefly).
  // One connection, sampled every 50 ms: a connection per sample (~300 ms apart) never saw one in its first full run.
  let stampedAheadS = 0;
  const sampler = new pg.Client({ connectionString: cluster.services.databaseUrl });
  await sampler.connect();
  try {
    const aheadUntil = Date.now() + AHEAD_MS;
    while (Date.now() < aheadUntil) {
      const { rows } = await sampler.query<{ s: string | null }>(
        `select max(extract(epoch from last_execution - now())) as s from graphile_worker._private_known_crontabs`,
      );
      stampedAheadS = Math.max(stampedAheadS, Number(rows[0]?.s ?? 0));
      await sleep(50);
    }
  } finally {
    await sampler.end();
  }
  await ahead.kill();
  const behind = await cluster.addWorker(skewed('-2h'));
  await sleep(BEHIND_MS);
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 600_000);

  // No worker still running was marked stopped by another (reaped while alive).
  const running = new Set(cluster.workers.filter((w) => w.running).map((w) => w.pid));
  const reaped = await cluster.services.query<{ pid: number }>(
    `select pid from worker_heartbeat where stopped_at is not null`,
  );
  const reapedAlive = reaped.filter((r) => running.has(r.pid)).length;
  // Recurring jobs: no stamp left in the future, and the reaper's cron ran on the right clocks after the fast worker
  // was gone (its next minute is not refused).
  const [future] = await cluster.services.query<{ n: string }>(
    `select count(*) as n from graphile_worker._private_known_crontabs where last_execution > now() + interval '5 minutes'`,
  );
  const accounting = await account(cluster, world, ledger);
  const result = await recordResult({
    id: '8',
    title: 'clock jumps (a worker 2 h ahead, then one 2 h behind)',
    faults: 2,
    recoveryMs: null,
    bound: {
      recoveryMs: null,
      why: 'no outage: heartbeats and expiries use the database clock; the check is that nothing is reaped alive, run twice or left stamped in the future',
    },
    accounting,
    notes: [
      `workers reaped while alive: ${reapedAlive}`,
      `recurring-job stamps seen ahead of the database clock while the fast worker ran: up to ${Math.round(stampedAheadS)} s`,
      `crontabs stamped in the future at the end: ${future!.n}`,
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  expect(behind.running, 'the worker 2 h behind is still running').toBe(true);
  expect(reapedAlive, 'workers reaped while alive').toBe(0);
  expect(Number(future!.n), 'recurring jobs stamped in the future').toBe(0);
  assertClean(result);
});
