import { defineTask } from '../define-task.ts';

/**
 * Cron: drops rate-limit rows whose window started over a day ago. Every limit's window is shorter (rate-limit.ts in
 * the API refuses longer ones), and an expired row only restarts its count at the next hit, so dropping it changes no
 * answer; without this, every address that ever called keeps its row for good.
 */
export const rateLimitPurge = defineTask('rate-limit:purge', async ({ em, log }) => {
  const rows = await em.execute<{ n: number }[]>(
    `with purged as (delete from rate_limit where window_started_at < now() - interval '1 day' returning 1)
     select count(*)::int as n from purged`,
  );
  const n = rows[0]?.n ?? 0;
  if (n > 0) log.info({ count: n }, 'expired rate-limit rows purged');
});
