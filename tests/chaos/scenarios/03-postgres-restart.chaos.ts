// Scenario 3: PostgreSQL stopped for 10 s under load, then started again (same port, same data). Meanwhile the servers
// answer 503 SERVICE_UNAVAILABLE with a retry hint, never 500; the workers reconnect; the servers' LISTEN connections
// come back, so status streams that followed a video through the outage see its final state; every upload ends
// READY with exactly its outputs.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, type World } from '../src/load.ts';
import { assertClean, measureRecovery, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();
const DOWN_MS = 10_000;

beforeAll(async () => {
  cluster = await startCluster({ servers: 2, workers: 2 });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it('Postgres stopped for 10 s under load: 503 with retry-after meanwhile, never 500; everything finishes', async () => {
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
    await cluster.services.postgres.stop();
    const downUntil = Date.now() + DOWN_MS;
    while (Date.now() < downUntil) {
      // What a client sees from each server meanwhile (straight, not through the load balancer): the public manifest
      // over tRPC and REST, both of which read the database.
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
    await cluster.services.postgres.start();
    const faultEnded = performance.now();
    worst = Math.max(worst, await measureRecovery(cluster, ledger, faultEnded));
    await sleep(10_000);
  }
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 600_000);
  const accounting = await account(cluster, world, ledger);
  const fiveHundreds = during.filter((d) => d.status >= 500 && d.status !== 503).length;
  const result = await recordResult({
    id: '3',
    title: 'PostgreSQL stopped 10 s under load',
    faults: rounds,
    recoveryMs: worst,
    bound: {
      recoveryMs: 30_000,
      why: 'servers and workers reconnect on their next query (the pool drops dead connections; the LISTEN connection retries at 1, 2, 4, 8, 10 s); a step that failed meanwhile waits its backoff (e^attempts s) and gets extra attempts for a transient fault',
    },
    accounting,
    notes: [
      `answers while down: ${during.length} (${during.filter((d) => d.status === 503).length} 503, ${fiveHundreds} other 5xx)`,
      `client errors: ${JSON.stringify(ledger.clientErrors)}`,
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  expect(ledger.clientErrors.INTERNAL_SERVER_ERROR ?? 0, 'INTERNAL_SERVER_ERROR seen by clients').toBe(0);
  expect(fiveHundreds, '5xx other than 503 while the database was down').toBe(0);
  expect(during.filter((d) => d.status === 503 && d.retryAfter === null).length, '503s without a retry hint').toBe(0);
  expect(during.filter((d) => d.status === 503).length, '503s while the database was down').toBeGreaterThan(0);
  assertClean(result);
});
