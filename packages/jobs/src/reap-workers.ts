import { WorkerHeartbeat, type EntityManager } from '@arvlite/db';

/**
 * `last_error` of a job whose worker stopped under it (killed, crashed, out of memory) with attempts left: it runs
 * again. No code of the job ran to say so, so the reaper writes it.
 */
export const WORKER_STOPPED = 'WORKER_STOPPED';
/**
 * `last_error` of a job whose worker stopped under it on its last attempt. graphile-worker would keep it spent with no
 * error and nothing would ever fail its video or marker; the reaper grants one more attempt, in which the task only
 * records the failure (see `stoppedOnEveryAttempt`).
 */
export const WORKER_STOPPED_LAST = 'WORKER_STOPPED_ON_LAST_ATTEMPT';

const STOPPED_WHY = ': the worker running it stopped (killed, crashed or out of memory) in attempt ';

/** True in the attempt the reaper granted after the worker stopped under the job on its last one. */
export function stoppedOnEveryAttempt(job: { last_error: string | null }): boolean {
  return job.last_error?.startsWith(WORKER_STOPPED_LAST) ?? false;
}

/**
 * Marks workers whose heartbeat went silent as stopped and releases the job locks they held,
 * so their jobs run again now instead of after graphile-worker's 4-hour lock timeout.
 */
export async function reapDeadWorkers(
  em: EntityManager,
  deadAfterMs: number,
  /**
   * A worker stopping under a job is a fault of the machinery (a deploy, a killed pod) as often as of the job (out of
   * memory): a job it stopped on its last attempt runs again, as a transient failure does, until it has had this many
   * (MEDIA_JOB_TRANSIENT_ATTEMPTS); then it gets the one attempt that records the failure.
   */
  retryStoppedUpTo = 0,
) {
  const dead = await em.getRepository(WorkerHeartbeat).findDead(deadAfterMs);
  if (dead.length === 0) return { workers: [] as string[], graphileIds: [] as string[] };
  const graphileIds = dead.flatMap((w) => w.graphileWorkerIds);
  await em.transactional(async (tem) => {
    if (graphileIds.length > 0) {
      // Say why on the jobs they held; a job on its last attempt gets one more, to record its failure in.
      await tem.execute(
        `update graphile_worker._private_jobs
            set last_error = case when attempts >= greatest(max_attempts, ?) then ? else ? end || attempts,
                -- the last granted once: a job whose worker also stops in it stays spent (with this reason)
                max_attempts = case when attempts >= max_attempts and coalesce(last_error, '') not like ?
                                    then attempts + 1 else max_attempts end
          where locked_by = any(array[?]::text[])`,
        [
          retryStoppedUpTo,
          `${WORKER_STOPPED_LAST}${STOPPED_WHY}`,
          `${WORKER_STOPPED}${STOPPED_WHY}`,
          `${WORKER_STOPPED_LAST}%`,
          graphileIds,
        ],
      );
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
