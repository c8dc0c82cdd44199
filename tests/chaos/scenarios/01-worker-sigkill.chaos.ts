// Scenario 1: a worker SIGKILLed mid-encode, 10 times in a row, at random moments, under the steady mixed load.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { descendants } from '../src/processes.ts';
import { newLedger, seedWorld, startLoad, uploadOne, type World } from '../src/load.ts';
import { assertClean, measureRecovery, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();

beforeAll(async () => {
  cluster = await startCluster({ servers: 2, workers: 2, workerEnv: { MEDIA_JOB_MAX_ATTEMPTS: '3' } });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

/** ffmpeg processes under `pid` (a worker's encodes; their parent is its process launcher by default). */
function ffmpegChildren(pid: number): number {
  return descendants(pid).filter((p) => {
    try {
      return /ffmpeg/.test(readFileSync(`/proc/${p}/comm`, 'utf8'));
    } catch {
      return false; // exited meanwhile
    }
  }).length;
}

it('a worker SIGKILLed mid-encode 10 times: nothing lost, stuck or duplicated', async () => {
  const kills = quick ? 3 : 10;
  const started = performance.now();
  // A bounded load (the backlog must drain on a shared 2-core machine): encodes to kill, plus the cheap paths.
  const load = startLoad(cluster, world, ledger, {
    mix: { encode: 2, single: 2, multipart: 1 },
    uploaders: 2,
    uploadGapMs: 2_000,
    maxUploads: quick ? 6 : 14,
    viewerRate: 1,
  });
  let worst = 0;
  for (let k = 0; k < kills; k++) {
    // A random moment within an encode: wait for a worker's ffmpeg run (uploading one more clip to encode when none
    // is left), then a random 0–2 s more.
    const until = Date.now() + 180_000;
    let idleSince = Date.now();
    let victim = cluster.workers.find((w) => w.running && ffmpegChildren(w.pid) > 0);
    while (!victim && Date.now() < until) {
      if (Date.now() - idleSince > 20_000) {
        idleSince = Date.now();
        void uploadOne(cluster, ledger, world.tenants[k % world.tenants.length]!, 'encode').catch(() => {});
      }
      await sleep(200);
      victim = cluster.workers.find((w) => w.running && ffmpegChildren(w.pid) > 0);
    }
    expect(victim, 'an encode running in a worker').toBeDefined();
    await sleep(Math.random() * 2_000);
    await victim!.kill();
    const faultEnded = performance.now();
    await victim!.restart();
    worst = Math.max(worst, await measureRecovery(cluster, ledger, faultEnded));
  }
  await load.stop();
  await drain(cluster, ledger, 600_000);
  const accounting = await account(cluster, world, ledger);
  const result = await recordResult({
    id: '1',
    title: 'worker SIGKILLed mid-encode',
    faults: kills,
    recoveryMs: worst,
    bound: {
      recoveryMs: 30_000,
      why: 'dead after 3 s + one 1 s heartbeat until a live worker unlocks the jobs; the rest is restarting a Node process and one encode step on a busy 2-core machine',
    },
    accounting,
    notes: [],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  assertClean(result);
});
