// Scenario 3: PostgreSQL stopped for 10 s under load, then started again (same port, same data). Meanwhile the servers
// answer 503 SERVICE_UNAVAILABLE with a retry hint, never 500; the workers reconnect; the servers' LISTEN connections
// come back, so status streams that followed a video through the outage see its final state; every upload ends
// READY with exactly its outputs.
import { setTimeout as sleep } from 'node:timers/promises';
import { quick, runFaultScenario } from '../src/scenario.ts';

const DOWN_MS = 10_000;

runFaultScenario({
  id: '3',
  title: 'PostgreSQL stopped 10 s under load',
  test: 'Postgres stopped for 10 s under load: 503 with retry-after meanwhile, never 500; everything finishes',
  rounds: quick ? 1 : 2,
  bound: {
    recoveryMs: 30_000,
    why: 'servers and workers reconnect on their next query (the pool drops dead connections; the LISTEN connection retries at 1, 2, 4, 8, 10 s); a worker whose job queue graphile-worker stopped on a completion it could not write starts a new one once the database answers (1, 2, 4, 8, 10 s); a step that failed meanwhile runs again within its attempt after at most 8 s; a worker judges its peers dead only after beating for WORKER_DEAD_AFTER_MS itself, so no live worker is reaped after the outage',
  },
  expect503: true,
  async fault({ cluster, probe }) {
    await cluster.services.postgres.stop();
    const downUntil = Date.now() + DOWN_MS;
    while (Date.now() < downUntil) {
      await probe();
      await sleep(1_000);
    }
    await cluster.services.postgres.start();
  },
});
