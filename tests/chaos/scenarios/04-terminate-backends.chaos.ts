// Scenario 4: pg_terminate_backend of every application connection at once (servers' pools and LISTEN connections,
// workers' pools and graphile-worker's LISTEN), several times under load. No client sees a 500, no request hangs, the
// status streams see every final state (LISTEN re-established), and every upload ends READY with exactly its outputs.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, type World } from '../src/load.ts';
import { assertClean, measureRecovery, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();

beforeAll(async () => {
  cluster = await startCluster({ servers: 2, workers: 2 });
  world = await seedWorld(cluster, ledger, { tenants: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it('every application connection terminated at once, repeatedly: no 500, no hang, nothing lost', async () => {
  const rounds = quick ? 2 : 5;
  let terminated = 0;
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
    const [killed] = await cluster.services.adminQuery<{ n: string }>(
      `select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = 'arvlite' and pid <> pg_backend_pid()`,
    );
    terminated += Number(killed!.n);
    // What a client sees from each server right after (straight, not through the load balancer): the public manifest
    // over tRPC and REST, both of which read the database.
    for (const s of cluster.servers) {
      const input = encodeURIComponent(JSON.stringify({ json: { publicId: world.publicId } }));
      for (const url of [
        `${s.url}/trpc/viewer.manifest?input=${input}`,
        `${s.url}/api/v1/viewer/${world.publicId}/manifest`,
      ]) {
        const res = await fetch(url, { signal: AbortSignal.timeout(30_000) }).catch(() => null);
        during.push({ status: res?.status ?? 0, retryAfter: res?.headers.get('retry-after') ?? null });
      }
    }
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
    id: '4',
    title: 'pg_terminate_backend of every application connection',
    faults: rounds,
    recoveryMs: worst,
    bound: {
      recoveryMs: 30_000,
      why: 'the database stays up: pools replace terminated connections on the next query and the LISTEN connections reconnect after 1 s; a step whose query was cut waits its backoff (e^attempts s) with extra attempts for a transient fault',
    },
    accounting,
    notes: [
      `backends terminated: ${terminated}`,
      `answers right after: ${during.length} (${during.filter((d) => d.status === 503).length} 503, ${fiveHundreds} other 5xx)`,
      `client errors: ${JSON.stringify(ledger.clientErrors)}`,
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  expect(ledger.clientErrors.INTERNAL_SERVER_ERROR ?? 0, 'INTERNAL_SERVER_ERROR seen by clients').toBe(0);
  expect(fiveHundreds, '5xx other than 503 after the terminations').toBe(0);
  expect(during.filter((d) => d.status === 0).length, 'requests that hung or failed to answer').toBe(0);
  expect(terminated, 'backends terminated').toBeGreaterThan(0);
  expect(during.filter((d) => d.status === 503 && d.retryAfter === null).length, '503s without a retry hint').toBe(0);
  assertClean(result);
});
