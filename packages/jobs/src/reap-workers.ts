import { WorkerHeartbeat, type EntityManager } from '@arvlite/db';

/**
 * Marks workers whose heartbeat went silent as stopped and releases the job locks they held,
 * so their jobs run again now instead of after graphile-worker's 4-hour lock timeout.
 */
export async function reapDeadWorkers(em: EntityManager, deadAfterMs: number) {
  const dead = await em.getRepository(WorkerHeartbeat).findDead(deadAfterMs);
  if (dead.length === 0) return { workers: [] as string[], graphileIds: [] as string[] };
  const graphileIds = dead.flatMap((w) => w.graphileWorkerIds);
  await em.transactional(async (tem) => {
    if (graphileIds.length > 0) {
      // One parameter, the whole list (spread, only the first id was bound).
      await tem.execute('select graphile_worker.force_unlock_workers(array[?]::text[])', [graphileIds]);
    }
    const now = new Date();
    for (const w of dead) tem.merge(w).stoppedAt = now;
  });
  return { workers: dead.map((w) => w.id), graphileIds };
}

/**
 * graphile-worker's cron runs a recurring job at a timestamp only if it is later than the last one recorded for it
 * (`_private_known_crontabs.last_execution`), stamped by the clock of the worker that ran it. A worker whose clock was
 * ahead (a jump forward, then corrected) would stop every recurring job on every worker until real time catches up
 * with its stamp: the sweeps (expiries, outbox, reaping) would stop for as long as the clock was off. Stamps more than
 * five minutes past the database's now() are pulled back to now(), so the next minute's run goes ahead. The recurring
 * jobs are sweeps keyed by task (one pending at a time), so a run that both a skewed and a right clock start is the
 * same work done once more, not twice in effect. Returns the crontabs repaired.
 */
export async function repairCronClock(em: EntityManager): Promise<string[]> {
  const rows = await em.execute<{ identifier: string }[]>(
    `update graphile_worker._private_known_crontabs set last_execution = now()
      where last_execution > now() + interval '5 minutes' returning identifier`,
  );
  return rows.map((r) => r.identifier);
}
