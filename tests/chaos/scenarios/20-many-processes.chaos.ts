// Many processes: 2 servers and 3 workers on one Postgres and one S3, behind the load balancer.
// - 100 uploads (20 with --quick) are processed, each with exactly one set of outputs: no duplicate objects, no
//   orphaned prefixes (the accounting lists every object under each video's outputs and every pub/ prefix).
// - SSE clients on server A follow videos uploaded through server B (and processed by whichever worker): each sees
//   the final state.
// - The notification stream (`notification.onChange`, the dashboard's bell) of one user, open on server A and on
//   server B at once, ends on both with the same unread count and newest notification as the database.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain } from '../src/accounting.ts';
import { startCluster, type Cluster } from '../src/cluster.ts';
import { newLedger, seedWorld, startLoad, uploadOne, watchStatus, type World } from '../src/load.ts';
import { assertClean, quick, recordResult } from '../src/scenario.ts';

let cluster: Cluster;
let world: World;
const ledger = newLedger();

beforeAll(async () => {
  cluster = await startCluster({ servers: 2, workers: 3 });
  world = await seedWorld(cluster, ledger, { tenants: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

interface BellSnapshot {
  unread: number;
  latest: { id: string } | null;
}

it('2 servers and 3 workers: 100 uploads with one set of outputs each, status and notifications on either server', async () => {
  const started = performance.now();
  const [a, b] = cluster.servers as [NonNullable<Cluster['servers'][0]>, NonNullable<Cluster['servers'][1]>];
  const owner = world.tenants[0]!;

  // The bell of tenant 0's user, open on both servers.
  const bells = [a, b].map((server) => {
    const client = cluster.client({ ip: owner.ip, accessToken: owner.accessToken, serverUrl: server.url });
    const seen: BellSnapshot[] = [];
    const sub = client.notification.onChange.subscribe(undefined, {
      onData: (s: BellSnapshot) => void seen.push(s),
      onError: () => {},
    });
    return { server: server.name, seen, sub };
  });

  const total = quick ? 20 : 100;
  const crossServer = quick ? 3 : 6;
  // Uploads through server B only, followed on server A only.
  const viaB = { ...owner, client: cluster.client({ ip: owner.ip, accessToken: owner.accessToken, serverUrl: b.url }) };
  for (let i = 0; i < crossServer; i++) {
    const videoId = await uploadOne(cluster, ledger, viaB, i % 2 ? 'multipart' : 'single');
    ledger.watches.push(watchStatus(cluster, owner, videoId, a.url));
  }
  const load = startLoad(cluster, world, ledger, {
    mix: { single: 4, multipart: 1 },
    uploaders: 3,
    maxUploads: total - crossServer,
    viewerRate: 2,
    watch: true,
  });
  await load.done;
  await load.stop();
  await drain(cluster, ledger, 900_000);
  const accounting = await account(cluster, world, ledger);

  // The bells: both streams end on what the database holds (give the last NOTIFY a moment to arrive).
  const [truth] = await cluster.services.query<{ unread: string; newest: string }>(
    `select (select count(*) from notification where user_id = $1 and read_at is null) as unread,
            (select id from notification where user_id = $1 order by created_at desc, id desc limit 1) as newest`,
    [owner.userId],
  );
  for (let i = 0; i < 40; i++) {
    const ok = bells.every((bell) => {
      const last = bell.seen.at(-1);
      return last && String(last.unread) === truth!.unread && last.latest?.id === truth!.newest;
    });
    if (ok) break;
    await sleep(250);
  }
  const bellNotes: string[] = [];
  for (const bell of bells) {
    bell.sub.unsubscribe();
    const last = bell.seen.at(-1);
    bellNotes.push(`bell on ${bell.server}: ${bell.seen.length} updates, ends unread ${last?.unread}`);
    if (!last || String(last.unread) !== truth!.unread || last.latest?.id !== truth!.newest)
      accounting.problems.push({
        item: `notification stream on ${bell.server}`,
        what: 'lost',
        detail: `ended on ${JSON.stringify({ unread: last?.unread, latest: last?.latest?.id })}, database has ${JSON.stringify(truth)}`,
      });
  }
  accounting.lost = accounting.problems.filter((p) => p.what === 'lost').length;

  const viaA = ledger.watches.filter((w) => w.via === a.url);
  expect(viaA.length).toBe(crossServer);
  const objects = (await cluster.storage.listKeys('pub/')).length;
  const result = await recordResult({
    id: 'many',
    title: '2 servers + 3 workers behind a load balancer',
    faults: 0,
    recoveryMs: null,
    bound: { recoveryMs: null, why: 'no fault: every upload processed once, streams on either server' },
    accounting,
    notes: [
      `${accounting.uploads.completed}/${accounting.uploads.acknowledged} uploads READY with exactly their outputs (the ${total} of this scenario and the world's own; ${objects} objects under pub/)`,
      `requests per server through the balancer: ${[...cluster.lb.counts.values()].join(' / ')}`,
      `${viaA.filter((w) => w.seen.includes('READY')).length}/${crossServer} uploads taken by server B seen READY on server A's stream`,
      ...bellNotes,
    ],
    durationS: Math.round((performance.now() - started) / 1000),
  });
  assertClean(result);
});
