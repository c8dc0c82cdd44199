// Scenario 6: the S3 server stopped for 30 s under load, then started again (same port, same data). Uploads whose
// completion needs S3 (HEAD/copy) answer 503 and the clients complete again later; processing steps fail with
// "storage is unavailable", are retried with backoff past MEDIA_JOB_MAX_ATTEMPTS (MEDIA_JOB_TRANSIENT_ATTEMPTS), and
// nothing ends FAILED for the fault: every upload ends READY with exactly its outputs.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, type World } from '../src/load.ts';
import { assertClean, measureRecovery, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();
const DOWN_MS = 30_000;

beforeAll(async () => {
  cluster = await startCluster({ servers: 2, workers: 2 });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it('S3 stopped for 30 s under load: uploads and steps retry, nothing FAILED, no 500', async () => {
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
  const during: { status: number; retryAfter: string | null }[] = [];
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
    await cluster.services.s3.stop();
    const downUntil = Date.now() + DOWN_MS;
    while (Date.now() < downUntil) {
      // What a client sees from each server meanwhile (straight, not through the load balancer): the public manifest
      // over tRPC and REST (signed URLs need no S3 call).
      for (const s of cluster.servers) {
        const input = encodeURIComponent(JSON.stringify({ json: { publicId: world.publicId } }));
        for (const url of [
          `${s.url}/trpc/viewer.manifest?input=${input}`,
          `${s.url}/api/v1/viewer/${world.publicId}/manifest`,
        ]) {
          const res = await fetch(url).catch(() => null);
          if (res) during.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
        }
      }
      await sleep(1_000);
    }
    await cluster.services.s3.start();
    const faultEnded = performance.now();
    worst = Math.max(worst, await measureRecovery(cluster, ledger, faultEnded));
    await sleep(10_000);
  }
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 600_000);
  const accounting = await account(cluster, world, ledger);
  const [retried] = await cluster.services.query<{ n: string }>(
    `select count(*) as n from video_step where attempts > 1`,
  );
  const fiveHundreds = during.filter((d) => d.status >= 500 && d.status !== 503).length;
  const result = await recordResult({
    id: '6',
    title: 'S3 stopped 30 s under load',
    faults: rounds,
    recoveryMs: worst,
    bound: {
      recoveryMs: 90_000,
      why: 'a step that failed during the 30 s outage waits its backoff before it runs again (e^attempts s: 2.7, 7.4, 20, 55 s after its 1st-4th failures); the bound is the longest such wait plus a step',
    },
    accounting,
    notes: [
      `steps that needed more than one attempt: ${retried!.n}`,
      `answers while down: ${during.length} (${during.filter((d) => d.status === 503).length} 503, ${fiveHundreds} other 5xx)`,
      `client errors: ${JSON.stringify(ledger.clientErrors)}`,
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  expect(ledger.clientErrors.INTERNAL_SERVER_ERROR ?? 0, 'INTERNAL_SERVER_ERROR seen by clients').toBe(0);
  expect(fiveHundreds, '5xx other than 503 while S3 was down').toBe(0);
  expect(during.filter((d) => d.status === 503 && d.retryAfter === null).length, '503s without a retry hint').toBe(0);
  assertClean(result);
});
