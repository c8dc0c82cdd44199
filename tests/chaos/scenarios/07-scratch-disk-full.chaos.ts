// Scenario 7: the worker's scratch disk full. One worker keeps its scratch (MEDIA_SCRATCH_DIR) on a 20 MiB tmpfs; a
// filler takes every free byte of it for 30 s under load (topped up as failed attempts free theirs). Its steps fail
// with "the worker's scratch disk is full" and are retried later (extra attempts for a transient fault) or by the
// other worker; nothing of a failed attempt stays on the disk; nothing ends FAILED for the fault, and every upload
// ends READY with exactly its outputs.
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, type World } from '../src/load.ts';
import { assertClean, measureRecovery, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();
const FULL_MS = 30_000;
let scratch: string;

beforeAll(async () => {
  // A tmpfs as one worker's scratch disk: mounting one needs root. Without it the scenario fails, saying so, rather
  // than skipping in silence.
  if (process.getuid?.() !== 0) {
    throw new Error(
      "scenario 7 needs root: it mounts a 20 MiB tmpfs as a worker's scratch disk (run `pnpm test:chaos 07-scratch` as root, as CI does)",
    );
  }
  scratch = await mkdtemp(join(tmpdir(), 'arvlite-chaos-scratch-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', scratch], { stdio: 'pipe' });
  } catch (err) {
    await rmdir(scratch);
    scratch = '';
    throw new Error(`scenario 7 could not mount a tmpfs as the scratch disk (root, and mount allowed here, needed)`, {
      cause: err,
    });
  }
  cluster = await startCluster({ servers: 2, workers: 1 });
  await cluster.addWorker({ MEDIA_SCRATCH_DIR: scratch });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
  if (scratch) {
    execFileSync('umount', [scratch]);
    await rmdir(scratch);
  }
});

/**
 * Appends zeros to `file` until the disk refuses (ENOSPC), in smaller and smaller pieces, so the disk is full after
 * it. (Writing "all but a margin" as measured a moment before raced the worker's own writes and hit ENOSPC itself.)
 */
async function fillUp(file: string): Promise<void> {
  const fh = await open(file, 'a');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          await fh.write(chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    await fh.close();
  }
}

/** Files under a directory, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}

it("a worker's scratch disk full for 30 s: steps retry with the reason, the disk is cleaned, nothing FAILED", async () => {
  const rounds = quick ? 1 : 2;
  const started = performance.now();
  const load = startLoad(cluster, world, ledger, {
    mix: { single: 2, multipart: 1 },
    uploaders: 2,
    uploadGapMs: 1_500,
    maxUploads: quick ? 8 : 16,
    viewerRate: 1,
    watch: true,
  });
  let worst = 0;
  let fullFailures = 0;
  for (let r = 0; r < rounds; r++) {
    // While steps run, not at an idle moment.
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      const [row] = await cluster.services.query<{ n: string }>(
        `select count(*) as n from video_step where status = 'running'`,
      );
      if (Number(row!.n) > 0) break;
      await sleep(200);
    }
    const filler = join(scratch, 'filler');
    await fillUp(filler);
    // A failed attempt's reason stays on its step row only until the step runs again (maybe on the other worker a few
    // seconds later), so the rows are sampled through the fault: each attempt that failed on the full disk once.
    const seen = new Set<string>();
    const fullUntil = Date.now() + FULL_MS;
    while (Date.now() < fullUntil) {
      const rows = await cluster.services.query<{ k: string }>(
        `select video_id || ' ' || name || ' ' || attempts as k from video_step where error_message like '%scratch disk is full%'`,
      );
      for (const r of rows) seen.add(r.k);
      // A failed attempt frees what it wrote: the filler takes that too, so the disk stays full for the whole fault.
      await fillUp(filler);
      await sleep(500);
    }
    fullFailures += seen.size;
    await rm(filler, { force: true });
    const faultEnded = performance.now();
    worst = Math.max(worst, await measureRecovery(cluster, ledger, faultEnded));
    await sleep(10_000);
  }
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 600_000);
  const accounting = await account(cluster, world, ledger);
  const result = await recordResult({
    id: '7',
    title: "the worker's scratch disk full",
    faults: rounds,
    recoveryMs: worst,
    bound: {
      recoveryMs: 90_000,
      why: 'a step that failed on the full disk waits its backoff before it runs again (e^attempts s: 2.7, 7.4, 20, 55 s after its 1st-4th failures), on whichever worker takes it; the bound is the longest such wait plus a step',
    },
    accounting,
    notes: [`step attempts that failed on the full disk (seen with the reason): ${fullFailures}`],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  expect(fullFailures, 'steps that failed on the full disk').toBeGreaterThan(0);
  // Every failed attempt removed its files; with the filler gone the disk holds nothing but the worker's originals cache
  // (kept on purpose for its next jobs of the same videos, bounded by MEDIA_ORIGINAL_CACHE_BYTES).
  const cache = join(scratch, 'original-cache') + '/';
  expect((await filesUnder(scratch)).filter((f) => !f.startsWith(cache))).toEqual([]);
  assertClean(result);
});
