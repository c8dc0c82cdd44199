// Scenario 9: a poison job. A video whose every encode crashes ffmpeg (a real MP4 header that probes fine over media
// data that is garbage) fails after its attempts, with a reason, and does not hold up the videos around it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, uploadOne, type World } from '../src/load.ts';
import { assertClean, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();
const MAX_ATTEMPTS = 3;

beforeAll(async () => {
  cluster = await startCluster({ servers: 2, workers: 2, env: { MEDIA_JOB_MAX_ATTEMPTS: String(MAX_ATTEMPTS) } });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it('a poison video fails after its attempts with a reason and does not block the others', async () => {
  const started = performance.now();
  const poisons = quick ? 1 : 2;
  const poisonIds: string[] = [];
  for (let i = 0; i < poisons; i++) poisonIds.push(await uploadOne(cluster, ledger, world.tenants[i % 2]!, 'poison'));
  const load = startLoad(cluster, world, ledger, {
    mix: { single: 3, multipart: 1 },
    uploaders: 2,
    uploadGapMs: 1_000,
    maxUploads: quick ? 6 : 12,
    viewerRate: 1,
  });
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 600_000);
  const accounting = await account(cluster, world, ledger);

  const notes: string[] = [];
  const checks: (() => void)[] = [];
  for (const id of poisonIds) {
    const [video] = await cluster.services.query<{ status: string; failure_code: string; failure_message: string }>(
      `select status, failure_code, failure_message from video where id = $1`,
      [id],
    );
    const steps = await cluster.services.query<{ name: string; status: string; attempts: number }>(
      `select name, status, attempts from video_step where video_id = $1 order by name`,
      [id],
    );
    // Nothing of it left to run: no job retrying for ever, none holding a company's queue (graphile-worker keeps a job
    // that used up its attempts as a row, with attempts = max_attempts, for operators to inspect).
    const [jobs] = await cluster.services.query<{ n: string }>(
      `select count(*) as n from graphile_worker._private_jobs
        where payload->>'videoId' = $1 and (attempts < max_attempts or locked_at is not null)`,
      [id],
    );
    notes.push(
      `poison ${id.slice(0, 8)}: ${video!.status} ${video!.failure_code} "${video!.failure_message}"; steps ${steps
        .map((s) => `${s.name} ${s.status} ×${s.attempts}`)
        .join(', ')}; jobs left to run ${jobs!.n}`,
    );
    checks.push(() => {
      expect(video!.status).toBe('FAILED');
      expect(video!.failure_code).toBeTruthy();
      expect(video!.failure_message).toBeTruthy();
      expect(steps.some((s) => s.status === 'failed')).toBe(true);
      expect(steps.every((s) => s.attempts <= MAX_ATTEMPTS)).toBe(true);
      expect(jobs!.n).toBe('0');
    });
  }
  const result = await recordResult({
    id: '9',
    title: 'poison job (ffmpeg crashes on every attempt)',
    faults: poisons,
    recoveryMs: null,
    bound: { recoveryMs: null, why: 'no outage: the poison must fail with a reason while the rest flows' },
    accounting,
    notes,
    durationS: Math.round((performance.now() - started) / 1000),
  });
  for (const check of checks) check();
  // Not blocked: every other upload (all made after the poisons) is READY with its outputs (the accounting).
  assertClean(result);
});
