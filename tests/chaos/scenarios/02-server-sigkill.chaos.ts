// Scenario 2: a server SIGKILLed during multipart uploads and SSE status streams. Uploading clients resume (listing
// the parts storage holds, signing again, completing), SSE clients subscribe again through the load balancer, and
// nothing is half-recorded: every upload a client completed is processed once, and no row is left between states.
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

it('a server SIGKILLed during multipart uploads and SSE streams: clients resume, nothing half-recorded', async () => {
  const kills = quick ? 2 : 4;
  const started = performance.now();
  const load = startLoad(cluster, world, ledger, {
    mix: { multipart: 3, single: 1 },
    uploaders: 3,
    uploadGapMs: 1_000,
    maxUploads: quick ? 8 : 16,
    viewerRate: 2,
    watch: true,
  });
  let worst = 0;
  let midUpload = 0;
  for (let k = 0; k < kills; k++) {
    // While a multipart upload is between its first part and completion (and streams are open).
    const until = Date.now() + 120_000;
    for (;;) {
      const [row] = await cluster.services.query<{ n: string }>(
        `select count(*) as n from video where status = 'AWAITING_UPLOAD' and size_bytes > 5242880`,
      );
      if (Number(row!.n) > 0 || Date.now() > until) {
        if (Number(row!.n) > 0) midUpload++;
        break;
      }
      await sleep(100);
    }
    await sleep(Math.random() * 1_000);
    const victim = cluster.servers[k % cluster.servers.length]!;
    await victim.kill();
    const faultEnded = performance.now();
    await victim.restart();
    worst = Math.max(worst, await measureRecovery(cluster, ledger, faultEnded));
    await sleep(5_000);
  }
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 600_000);
  const accounting = await account(cluster, world, ledger);

  // Half-recorded: a row between states that nobody will move on. Uploads whose createUpload answer was lost with the
  // server are whole records (row, session, reservation in one transaction) the client never heard of: they expire
  // with their session (upload:expire) like any abandoned upload; counted here, not failed.
  const known = new Set(ledger.uploads.map((u) => u.videoId));
  const acked = new Set(ledger.uploads.filter((u) => u.completed).map((u) => u.videoId));
  const rows = await cluster.services.query<{ id: string; status: string }>(
    `select id, status from video where status not in ('READY', 'FAILED')`,
  );
  let unheardOf = 0;
  for (const r of rows) {
    if (acked.has(r.id)) continue; // counted by the accounting already
    if (!known.has(r.id) && r.status === 'AWAITING_UPLOAD') unheardOf++;
    else {
      const u = ledger.uploads.find((x) => x.videoId === r.id);
      const client = u ? `; client: ${u.kind}, ${u.retries} retries, gave up: ${u.abandoned ?? 'no'}` : '';
      accounting.problems.push({ item: `video ${r.id}`, what: 'stuck', detail: `half-recorded: ${r.status}${client}` });
    }
  }
  accounting.stuck = accounting.problems.filter((p) => p.what === 'stuck').length;

  expect(midUpload, 'at least one kill landed during a multipart upload').toBeGreaterThan(0);
  const result = await recordResult({
    id: '2',
    title: 'server SIGKILLed during multipart uploads and SSE streams',
    faults: kills,
    recoveryMs: worst,
    bound: {
      recoveryMs: 20_000,
      why: 'the load balancer moves new requests to the other server at once; the bound covers restarting the killed server (Node start, ORM init) until every /readyz answers 200 on a busy 2-core machine',
    },
    accounting,
    notes: [
      `${midUpload}/${kills} kills during a multipart upload`,
      `SSE streams: ${accounting.streams?.sawFinal}/${accounting.streams?.followed} saw the final state after ${accounting.streams?.reconnects} reconnects`,
      `uploads resumed after a failed call: ${ledger.uploads.filter((u) => u.retries > 0).length}`,
      `uploads created whose answer was lost (expire with their session): ${unheardOf}`,
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  assertClean(result);
});
