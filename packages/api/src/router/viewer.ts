// The public viewer API (no sign-in; per-IP rate limit). See README, "The viewer manifest".
import { viewerReportStageInputSchema, viewStageListSchema } from '@arvlite/contract';
import { DEVICE_PLATFORMS } from '@arvlite/db';
import { z } from 'zod';
import * as viewer from '../services/viewer.service.ts';
import { SESSION_BACKDATE_MAX_MS } from '../services/viewer.service.ts';
import { rest } from '../rest/meta.ts';
import { manifestSchema } from '../rest/schemas.ts';
import { publicProcedure, router } from '../trpc.ts';
import { id } from '../validators.ts';

const publicId = z.string().regex(/^[A-Za-z0-9_-]{12,64}$/, { message: 'malformed public id' });
const label = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[\x20-\x7E]+$/, { message: 'printable ASCII only' });

export const viewerRouter = router({
  /** `{ ok: true, version, language, content, marker, video, selection, playback }` or `{ ok: false, reason, language? }`; cacheable (ETag). */
  manifest: publicProcedure
    .meta(
      rest('GET', '/viewer/{publicId}/manifest', manifestSchema, {
        summary: 'The public viewer manifest',
        tags: ['Viewer'],
        protect: false,
      }),
    )
    .input(z.strictObject({ publicId }))
    .query(({ ctx, input }) => viewer.manifest(ctx, input)),

  startSession: publicProcedure
    .input(
      z.strictObject({
        publicId,
        device: z.strictObject({
          platform: z.enum(DEVICE_PLATFORMS),
          model: label(100).optional(),
          os: label(64).optional(),
          appVersion: label(32).optional(),
          installId: z
            .string()
            .regex(/^[A-Za-z0-9_-]{16,64}$/, { message: 'expected 16–64 URL-safe characters' })
            .optional(),
        }),
        /** How long ago the viewing began, for a session the app recorded offline and sends late (at most 7 days). */
        startedAgoMs: z.number().int().min(0).max(SESSION_BACKDATE_MAX_MS).optional(),
        /**
         * `open`: the session starts when the viewer page opens (date it with `startedAgoMs`) and records its stages
         * (reportStage); it counts as a view once its video plays. `first-frame` (the default): it starts playing.
         */
        from: z.enum(['open', 'first-frame']).optional(),
      }),
    )
    .mutation(({ ctx, input }) => viewer.startSession(ctx, input)),

  /**
   * One stage of a view started `from: 'open'`, in ms from the page opening: each stage once (CONFLICT again), after
   * the stage it follows (camera → detected, detected or fallback → playing → completed), not later than the session
   * is old; `reason` with `fallback` only. Refused once the session ended.
   */
  reportStage: publicProcedure
    .input(viewerReportStageInputSchema)
    .mutation(({ ctx, input }) => viewer.reportStage(ctx, input)),

  endSession: publicProcedure
    .input(
      z.strictObject({
        sessionId: id,
        watchedMs: z.number().int().min(0).max(86_400_000),
        trackingLostCount: z.number().int().min(0).max(100_000),
        completed: z.boolean(),
        /** How long ago the viewing ended, for a session sent late; never before the session's start. */
        endedAgoMs: z.number().int().min(0).max(SESSION_BACKDATE_MAX_MS).optional(),
        /** The stages the view reached (a session started `from: 'open'`); those already recorded are skipped. */
        stages: viewStageListSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => viewer.endSession(ctx, input)),
});
