import { defineTask } from '../define-task.ts';

/** How long finished deliveries (and their attempts) stay in the delivery log. */
export const WEBHOOK_LOG_RETENTION_DAYS = 30;

/** Cron: drops finished webhook deliveries older than the retention, with their attempts, so the log stays bounded. */
export const webhookPurge = defineTask('webhook:purge', async ({ em, log }) => {
  const rows = await em.execute<{ n: number }[]>(
    `with purged as (
       delete from webhook_delivery
        where status <> 'PENDING' and created_at < now() - make_interval(days => ?) returning 1)
     select count(*)::int as n from purged`,
    [WEBHOOK_LOG_RETENTION_DAYS],
  );
  const n = rows[0]?.n ?? 0;
  if (n > 0) log.info({ count: n }, 'old webhook deliveries purged');
});
