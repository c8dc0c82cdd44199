import { z } from 'zod';
import * as analytics from '../services/analytics.service.ts';
import { rest } from '../rest/meta.ts';
import * as out from '../rest/schemas.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { id, instant } from '../validators.ts';

const MAX_BUCKETS = 1000;
/** A funnel covers at most a year (and a day, for a leap year and time zones). */
const MAX_FUNNEL_RANGE_MS = 366 * 86_400_000;
/** Shortest length of each period, so the bucket count is never underestimated. */
const MIN_PERIOD_MS = {
  hour: 3_600_000,
  day: 23 * 3_600_000,
  week: 7 * 86_400_000 - 3_600_000,
  month: 28 * 86_400_000,
} as const;

export const analyticsRouter = router({
  /**
   * Views, unique devices, median and average watch time and completion rate per period, for a project or one item;
   * totals, and the same per device platform.
   */
  summary: tenantProcedure('viewer')
    .meta(
      rest('GET', '/analytics/summary', out.analyticsSummarySchema, {
        summary: 'Views and watch time per period',
        tags: ['Analytics'],
      }),
    )
    .input(
      z
        .strictObject({
          projectId: id.optional(),
          arContentId: id.optional(),
          from: instant,
          to: instant,
          granularity: z.enum(analytics.GRANULARITIES),
        })
        .refine((r) => r.projectId || r.arContentId, { message: 'give projectId or arContentId', path: ['projectId'] })
        .refine((r) => r.to >= r.from, { message: 'to must not be before from', path: ['to'] })
        .refine((r) => (r.to.getTime() - r.from.getTime()) / MIN_PERIOD_MS[r.granularity] <= MAX_BUCKETS, {
          message: `at most ${MAX_BUCKETS} periods at once; choose a coarser granularity`,
          path: ['granularity'],
        }),
    )
    .query(({ ctx, input }) => analytics.summary(ctx, input)),

  /**
   * The funnel of views started at the page opening, for a project or one item: views that reached each stage (opened,
   * camera, plain player, detected, playing, completed), the share going on from the stage before, the plain player's
   * reasons, the views that had the camera but never detected the photo, and the median times from the page opening
   * to detection and to the first frame.
   */
  funnel: tenantProcedure('viewer')
    .meta(
      rest('GET', '/analytics/funnel', out.analyticsFunnelSchema, {
        summary: 'How far views got: camera, detection, playing, completion',
        tags: ['Analytics'],
      }),
    )
    .input(
      z
        .strictObject({ projectId: id.optional(), arContentId: id.optional(), from: instant, to: instant })
        .refine((r) => r.projectId || r.arContentId, { message: 'give projectId or arContentId', path: ['projectId'] })
        .refine((r) => r.to >= r.from, { message: 'to must not be before from', path: ['to'] })
        .refine((r) => r.to.getTime() - r.from.getTime() <= MAX_FUNNEL_RANGE_MS, {
          message: 'at most 366 days at once',
          path: ['to'],
        }),
    )
    .query(({ ctx, input }) => analytics.funnel(ctx, input)),
});
