import { defineTask } from '../define-task.ts';

/**
 * Cron: sessions their app never ended (closed, crashed, offline) are closed as abandoned at the timeout, counted from
 * when the server received them (a session sent late from an offline phone may have started days ago). They count
 * as views but not in watch time or completion, since nothing was reported for them.
 */
export const viewerCloseSessions = defineTask('viewer:close-sessions', async ({ em, deps, log }) => {
  const minutes = deps.config.viewer.sessionTimeoutMinutes;
  const rows = await em.execute<{ n: number }[]>(
    `with closed as (
       update view_session set ended_at = started_at + make_interval(mins => ?), end_reason = 'abandoned'
        where id in (select id from view_session
                      where ended_at is null and received_at < now() - make_interval(mins => ?) limit 5000)
       returning 1)
     select count(*)::int as n from closed`,
    [minutes, minutes],
  );
  const n = rows[0]?.n ?? 0;
  if (n > 0) log.info({ count: n }, 'abandoned view sessions closed');
});
