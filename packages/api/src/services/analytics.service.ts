// View analytics from indexed SQL aggregates over view_session, bucketed by calendar periods in the company's timezone.
import type { DevicePlatform } from '@arvlite/db';
import { isValidTimeZone } from '@arvlite/contract';
import type { Access } from '../access.ts';
import type { Context } from '../context.ts';
import { NotFoundError } from '../errors.ts';

type Ctx = Pick<Context, 'em'> & { access: Access };

export const GRANULARITIES = ['hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

interface AggregateRow {
  views: number;
  unique_devices: number;
  reported: number;
  median_watch_ms: number | null;
  average_watch_ms: number | null;
  completion_rate: number | null;
}

/**
 * Watch time and completion come from sessions their app ended (`reported`); abandoned ones count as views only.
 * The same expressions serve the series and the totals (unique devices cannot be summed across buckets).
 */
const AGGREGATES = `
  count(s.device_hash)::int as views,
  count(distinct s.device_hash)::int as unique_devices,
  (count(*) filter (where s.end_reason = 'client'))::int as reported,
  percentile_cont(0.5) within group (order by s.watched_ms) filter (where s.end_reason = 'client') as median_watch_ms,
  (avg(s.watched_ms) filter (where s.end_reason = 'client'))::float8 as average_watch_ms,
  (avg(case when s.completed then 1 else 0 end) filter (where s.end_reason = 'client'))::float8 as completion_rate`;

function stats(row: AggregateRow | undefined) {
  const round = (v: number | null | undefined, digits = 0) =>
    v === null || v === undefined ? null : Number(v.toFixed(digits));
  return {
    views: row?.views ?? 0,
    uniqueDevices: row?.unique_devices ?? 0,
    /** Sessions ended by their app, the base of the watch-time and completion figures. */
    reportedSessions: row?.reported ?? 0,
    medianWatchMs: round(row?.median_watch_ms),
    averageWatchMs: round(row?.average_watch_ms),
    completionRate: round(row?.completion_rate, 4),
  };
}

export async function summary(
  ctx: Ctx,
  input: { projectId?: string; arContentId?: string; from: Date; to: Date; granularity: Granularity },
) {
  // Both ids may be given: then the item must belong to the project.
  const content = input.arContentId ? (await ctx.access.arContent(input.arContentId)).arContent : undefined;
  const project = input.projectId ? (await ctx.access.project(input.projectId)).project : undefined;
  if (content && project && content.project.id !== project.id) throw new NotFoundError('AR content');
  const company = content?.company ?? project!.company;
  const timezone = isValidTimeZone(company.timezone) ? company.timezone : 'UTC';
  const [scopeSql, scopeId] = content ? ['s.ar_content_id = ?', content.id] : ['s.project_id = ?', project!.id];

  const sessions = `select s.* from view_session s where ${scopeSql} and s.started_at >= ? and s.started_at < ?`;
  const params = [scopeId, input.from, input.to];
  const series = await ctx.em.execute<(AggregateRow & { start: Date })[]>(
    `with b as (
       select generate_series(
         date_trunc(?, ?::timestamptz at time zone ?),
         date_trunc(?, ?::timestamptz at time zone ?),
         ('1 ' || ?)::interval) as local_start
       where ?::timestamptz > ?::timestamptz
     ), s as (${sessions})
     select b.local_start at time zone ? as start, ${AGGREGATES}
       from b left join s on date_trunc(?, s.started_at at time zone ?) = b.local_start
      group by b.local_start order by b.local_start`,
    [
      input.granularity,
      input.from,
      timezone,
      input.granularity,
      new Date(input.to.getTime() - 1),
      timezone,
      input.granularity,
      input.to,
      input.from,
      ...params,
      timezone,
      input.granularity,
      timezone,
    ],
  );
  const [totals] = await ctx.em.execute<AggregateRow[]>(`select ${AGGREGATES} from (${sessions}) s`, params);
  const platforms = await ctx.em.execute<(AggregateRow & { platform: DevicePlatform })[]>(
    `select s.platform, ${AGGREGATES} from (${sessions}) s group by s.platform order by views desc, s.platform`,
    params,
  );
  return {
    scope: content ? { arContentId: content.id } : { projectId: project!.id },
    timezone,
    granularity: input.granularity,
    from: input.from,
    to: input.to,
    series: series.map((row) => ({ start: new Date(row.start), ...stats(row) })),
    totals: stats(totals),
    /** The same figures per device platform (ios, android, web, other) over the whole range, most viewed first. */
    platforms: platforms.map((row) => ({ platform: row.platform, ...stats(row) })),
  };
}
