// Scenario 4: pg_terminate_backend of every application connection at once (servers' pools and LISTEN connections,
// workers' pools and graphile-worker's LISTEN), several times under load. No client sees a 500, no request hangs, the
// status streams see every final state (LISTEN re-established), and every upload ends READY with exactly its outputs.
import { expect } from 'vitest';
import { quick, runFaultScenario } from '../src/scenario.ts';

let terminated = 0;

runFaultScenario({
  id: '4',
  title: 'pg_terminate_backend of every application connection',
  test: 'every application connection terminated at once, repeatedly: no 500, no hang, nothing lost',
  rounds: quick ? 2 : 5,
  bound: {
    recoveryMs: 30_000,
    why: 'the database stays up: pools replace terminated connections on the next query and the LISTEN connections reconnect after 1 s; a step whose query was cut waits its backoff (e^attempts s) with extra attempts for a transient fault',
  },
  async fault({ cluster, probe }) {
    const [killed] = await cluster.services.adminQuery<{ n: string }>(
      `select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = 'arvlite' and pid <> pg_backend_pid()`,
    );
    terminated += Number(killed!.n);
    // Right after: every server answers (503 or 200), none hangs.
    await probe();
  },
  notes: () => [`backends terminated: ${terminated}`],
  check: () => {
    expect(terminated, 'backends terminated').toBeGreaterThan(0);
  },
});
