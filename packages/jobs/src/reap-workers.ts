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
      await tem.execute('select graphile_worker.force_unlock_workers(array[?]::text[])', graphileIds);
    }
    const now = new Date();
    for (const w of dead) tem.merge(w).stoppedAt = now;
  });
  return { workers: dead.map((w) => w.id), graphileIds };
}
