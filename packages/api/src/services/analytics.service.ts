// View analytics from indexed SQL aggregates over view_session, bucketed by calendar periods in the company's timezone.
import type { DevicePlatform } from '@arvlite/db';
import { isValidTimeZone, type ViewFallbackReason } from '@arvlite/contract';
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

/** The item (checked to be in the project when both are given) or the project a query is about. */
async function scopeOf(ctx: Ctx, input: { projectId?: string; arContentId?: string }) {
  const content = input.arContentId ? (await ctx.access.arContent(input.arContentId)).arContent : undefined;
  const project = input.projectId ? (await ctx.access.project(input.projectId)).project : undefined;
  if (content && project && content.project.id !== project.id) throw new NotFoundError('AR content');
  return content
    ? { scope: { arContentId: content.id }, sql: 's.ar_content_id = ?', id: content.id }
    : { scope: { projectId: project!.id }, sql: 's.project_id = ?', id: project!.id };
}

interface FunnelRow {
  opened: number;
  camera: number;
  fallback: number;
  detected: number;
  to_player: number;
  playing: number;
  completed: number;
  median_detected_ms: number | null;
  median_first_frame_ms: number | null;
}

/**
 * The funnel of views started at the page opening (older sessions and apps that start at the first frame have no
 * stages and are left out): how many reached each stage, the share that went on from the stage before, why the plain
 * player was shown, and the median times from the page opening to detection and to the first frame.
 */
export async function funnel(ctx: Ctx, input: { projectId?: string; arContentId?: string; from: Date; to: Date }) {
  const { scope, sql, id } = await scopeOf(ctx, input);
  const sessions = `select s.* from view_session s
     where ${sql} and s.started_at >= ? and s.started_at < ? and s.from_open`;
  const params = [id, input.from, input.to];
  const [row] = await ctx.em.execute<FunnelRow[]>(
    `select count(*)::int as opened,
       (count(*) filter (where s.camera_ms is not null))::int as camera,
       (count(*) filter (where s.fallback_ms is not null))::int as fallback,
       (count(*) filter (where s.detected_ms is not null))::int as detected,
       (count(*) filter (where s.detected_ms is not null or s.fallback_ms is not null))::int as to_player,
       (count(*) filter (where s.played))::int as playing,
       (count(*) filter (where s.played and (s.completed or s.completed_ms is not null)))::int as completed,
       percentile_cont(0.5) within group (order by s.detected_ms) as median_detected_ms,
       percentile_cont(0.5) within group (order by s.playing_ms) as median_first_frame_ms
     from (${sessions}) s`,
    params,
  );
  const reasons = await ctx.em.execute<{ reason: string; count: number }[]>(
    `select s.fallback_reason as reason, count(*)::int as count from (${sessions}) s
      where s.fallback_reason is not null group by s.fallback_reason order by count desc, s.fallback_reason`,
    params,
  );
  const r = row!;
  const share = (part: number, whole: number) => (whole > 0 ? Number((part / whole).toFixed(4)) : null);
  const ms = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    scope,
    from: input.from,
    to: input.to,
    /** Views that reached each stage: a view that played on the plain player counts in `fallback` and `playing`. */
    counts: {
      opened: r.opened,
      camera: r.camera,
      fallback: r.fallback,
      detected: r.detected,
      playing: r.playing,
      completed: r.completed,
    },
    /** The share that went on from the stage before (null when the stage before has no views). */
    conversion: {
      camera: share(r.camera, r.opened),
      detected: share(r.detected, r.camera),
      /** Of the views that reached a player (detected on the camera, or the plain player). */
      playing: share(r.playing, r.to_player),
      completed: share(r.completed, r.playing),
    },
    /** Views that had the camera but never detected the photo, and their share of the views that had the camera. */
    neverDetected: { count: r.camera - r.detected, share: share(r.camera - r.detected, r.camera) },
    fallbackReasons: reasons.map((x) => ({ reason: x.reason as ViewFallbackReason, count: x.count })),
    medianDetectedMs: ms(r.median_detected_ms),
    medianFirstFrameMs: ms(r.median_first_frame_ms),
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

  // A session started at the page opening is a view once its video played (older sessions all did).
  const sessions = `select s.* from view_session s
     where ${scopeSql} and s.started_at >= ? and s.started_at < ? and s.played`;
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
