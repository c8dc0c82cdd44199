import { defineTask } from '../define-task.ts';
import { reapDeadWorkers } from '../reap-workers.ts';

/** Cron backstop for reapDeadWorkers; every live worker also runs it on each heartbeat. */
export const systemReapWorkers = defineTask('system:reap-workers', async ({ em, deps, log }) => {
  const reaped = await reapDeadWorkers(em, deps.config.worker.deadAfterMs, deps.config.media.jobTransientAttempts);
  if (reaped.workers.length > 0) log.warn(reaped, 'released jobs of dead workers');
});
