// Workers' heartbeats through a database outage (issue 23, found by chaos scenario 3's full run). While the database is
// away no worker can beat; the first to beat again saw its peers' beats older than WORKER_DEAD_AFTER_MS and reaped them:
// live workers marked stopped and their running jobs released, to start again elsewhere while they still ran. Here two
// workers reach the database through a TCP proxy the test cuts for longer than WORKER_DEAD_AFTER_MS; one beats every
// second, the other every 2.5 s, so the first is back first. After the outage neither is reaped, and a worker that
// really stopped beating (a heartbeat row an hour old, added after the outage) still is.
import { randomUUID } from 'node:crypto';
import { initOrm, type Orm } from '@arvlite/db';
import { createTestDeps, waitUntil } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, viaProxy, type FaultProxy } from '../src/fault-proxy.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let proxy: FaultProxy;
const orms: Orm[] = [];
const workers: Awaited<ReturnType<typeof startWorker>>[] = [];

beforeAll(async () => {
  deps = await createTestDeps({
    WORKER_POLL_INTERVAL_MS: '200',
    WORKER_HEARTBEAT_INTERVAL_MS: '1000',
    WORKER_DEAD_AFTER_MS: '3000',
  });
  const direct = new URL(deps.config.database.url);
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port) });
  const proxied = viaProxy(deps.config.database.url, proxy);
  for (const heartbeatIntervalMs of [1000, 2500]) {
    // The heartbeat goes through the proxy (graphile-worker's own connections do not: not what is tested here).
    const orm = await initOrm({ url: proxied, poolMax: 2, acquireTimeoutMs: 1000, statementTimeoutMs: 2000 });
    orms.push(orm);
    const config = { ...deps.config, worker: { ...deps.config.worker, heartbeatIntervalMs } };
    workers.push(await startWorker({ ...deps, config, orm }, { concurrency: 1, tasks: ['system:noop'] }));
  }
}, 60_000);

afterAll(async () => {
  proxy?.up();
  for (const w of workers) await w.stop().catch(() => {});
  for (const o of orms) await o.close();
});

const heartbeat = async (id: string) =>
  (
    await deps.orm
      .fork()
      .execute<{ stopped_at: Date | null }[]>('select stopped_at from worker_heartbeat where id = ?', [id])
  )[0];

it('a database outage longer than WORKER_DEAD_AFTER_MS reaps no live worker; a dead one still is', async () => {
  proxy.down();
  await new Promise((r) => setTimeout(r, 5_000));
  proxy.up();
  // A worker that stopped beating an hour ago, with nothing locked: the live workers must still reap it.
  const ghost = `ghost-${randomUUID()}`;
  await deps.orm.fork().execute(
    `insert into worker_heartbeat (id, hostname, pid, graphile_worker_ids, started_at, last_seen_at)
       values (?, 'gone', 1, '{}', now() - interval '1 hour', now() - interval '1 hour')`,
    [ghost],
  );
  await waitUntil(
    'the dead worker reaped after the outage',
    () => heartbeat(ghost),
    (h) => !!h?.stopped_at,
    {
      timeout: 60_000,
    },
  );
  for (const w of workers) expect((await heartbeat(w.id))?.stopped_at, `${w.id} reaped while alive`).toBeNull();
});

it('a live worker taken for dead is live again at its next beat, so its later death is still seen', async () => {
  const [w] = workers;
  // As a peer's reaper marks a worker it took for dead.
  await deps.orm.fork().execute('update worker_heartbeat set stopped_at = now() where id = ?', [w!.id]);
  await waitUntil(
    'the worker marked live again by its next beat',
    () => heartbeat(w!.id),
    (h) => !h?.stopped_at,
    {
      timeout: 15_000,
    },
  );
});
