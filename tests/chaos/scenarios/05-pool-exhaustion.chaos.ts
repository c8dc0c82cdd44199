// Scenario 5: connection-pool exhaustion. Slow queries hold every connection of the servers' pools: a transaction
// outside the platform holds an ACCESS EXCLUSIVE lock on the video table for 20 s, so every query that touches it
// waits, reads included (DATABASE_POOL_MAX=3 per server here). (With an EXCLUSIVE lock only writes waited: the
// manifest reads probed below all answered 200 and never met a full pool.) Calls waiting for a connection give up after DATABASE_ACQUIRE_TIMEOUT_MS and calls stuck behind the
// lock after DATABASE_STATEMENT_TIMEOUT_MS, each with 503 SERVICE_UNAVAILABLE and a retry hint; no request hangs, no
// 500; once the lock goes the pools serve again and every upload ends READY with exactly its outputs.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { quick, runFaultScenario } from '../src/scenario.ts';

const HOLD_MS = 20_000;

runFaultScenario({
  id: '5',
  title: 'connection-pool exhaustion (slow queries hold the pool)',
  test: 'pool held by slow queries for 20 s: typed 503s with retry-after, no hang, no 500; the pools recover',
  cluster: {
    serverEnv: { DATABASE_POOL_MAX: '3', DATABASE_ACQUIRE_TIMEOUT_MS: '2000', DATABASE_STATEMENT_TIMEOUT_MS: '5000' },
  },
  rounds: quick ? 1 : 2,
  bound: {
    recoveryMs: 30_000,
    why: 'the pools are healthy the moment the lock goes (no connection is lost); what remains is a step that failed on the lock waiting its backoff (e^attempts s), and uploads retried by their clients',
  },
  expect503: true,
  async fault({ cluster, probe }) {
    const holder = new pg.Client({ connectionString: cluster.services.databaseUrl });
    await holder.connect();
    await holder.query('begin');
    await holder.query('lock table video in access exclusive mode');
    try {
      const holdUntil = Date.now() + HOLD_MS;
      while (Date.now() < holdUntil) {
        // Several manifest reads (they read video rows) to each server at once: 3 take the pool's connections and wait
        // on the lock until the statement timeout, the rest wait for a connection until the acquire timeout. Each is
        // bounded by the client at 60 s (a hang shows as status 0).
        await probe({ parallel: 4, timeoutMs: 60_000 });
        await sleep(1_000);
      }
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  },
});
