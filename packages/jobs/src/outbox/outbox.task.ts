// The outbox's jobs: the dispatcher (queued by every emit) and the sweep that re-queues it when its job was lost.
import { defineTask } from '../define-task.ts';
import { enqueueDispatch } from './emit.ts';
import { outboxConsumers } from './consumers.ts';
import { dispatchPending } from './dispatcher.ts';

export const outboxDispatch = defineTask('outbox:dispatch', async ({ em, log, signal }) => {
  const result = await dispatchPending(em, outboxConsumers, log, signal);
  if (result.failed.length > 0) {
    // Failing the job retries it with backoff; the sweep queues a new one once its attempts are spent.
    throw new Error(
      `${result.failed.length} outbox event(s) not delivered (first: ${result.failed[0]!.id}: ${result.failed[0]!.error})`,
    );
  }
  if (result.delivered > 0) log.debug({ delivered: result.delivered }, 'outbox events delivered');
});

/** Cron: events still pending with no dispatch job that can run (a job deleted, or out of attempts) get one. */
export const outboxSweep = defineTask('outbox:sweep', async ({ em, log }) => {
  const [row] = await em.execute<{ pending: boolean; queued: boolean }[]>(
    `select exists (select 1 from outbox_event where delivered_at is null) as pending,
            exists (select 1 from graphile_worker._private_jobs j
                      join graphile_worker._private_tasks t on t.id = j.task_id
                     where t.identifier = 'outbox:dispatch' and j.attempts < j.max_attempts) as queued`,
  );
  if (row?.pending && !row.queued) {
    await enqueueDispatch(em);
    log.warn('outbox events were waiting with no dispatch job; queued one');
  }
});
