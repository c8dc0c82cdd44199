// The one map from job name to payload schema: enqueue() types payloads from it, every task parses with it.
import { z } from 'zod';

/** graphile-worker adds `_cron` to the payload of jobs it schedules from the crontab. */
const cronMeta = z.object({ ts: z.string().max(64), backfilled: z.boolean().optional() }).optional();

export const jobMap = {
  /** Cron: finds workers whose heartbeat stopped and releases the jobs they held. */
  'system:reap-workers': z.strictObject({ _cron: cronMeta }),
  /** Does nothing; used to measure queue overhead and to test the worker end to end. */
  'system:noop': z.strictObject({ label: z.string().max(200).optional() }),
  /** Turns an uploaded original into renditions, images and analysis (the processing pipeline). */
  'video:process': z.strictObject({ videoId: z.uuid() }),
  /** One rung of the rendition ladder (one job per rung keeps every job far from graphile-worker's 4-hour lock). */
  'video:rendition': z.strictObject({ videoId: z.uuid(), rung: z.string().regex(/^[0-9]{2,4}p$/) }),
  /** Poster (JPEG + WebP) and storyboard sprite + WebVTT. */
  'video:images': z.strictObject({ videoId: z.uuid() }),
  /** The configured analyzers (scenes/chapters, loudness, black and silent segments, external services). */
  'video:analyze': z.strictObject({ videoId: z.uuid() }),
  /** Final master playlist, storage accounting, READY. Queued once every other step is done. */
  'video:finalize': z.strictObject({ videoId: z.uuid() }),
  /** Removes a deleted video's original and every derived object, releases its quota, then the row. */
  'video:delete': z.strictObject({ videoId: z.uuid() }),
  /** Cron: aborts upload sessions past their expiry, deletes their objects and releases their quota. */
  'upload:expire': z.strictObject({ _cron: cronMeta }),
  /** Normalizes, scores and compiles an uploaded marker image into a MindAR target (one revision of one item). */
  'marker:compile': z.strictObject({ arContentId: z.uuid(), revision: z.number().int().min(1) }),
  /** Cron: marker compiles whose job is gone or out of attempts (a crashed worker) end with a reason instead of waiting forever. */
  'marker:recover': z.strictObject({ _cron: cronMeta }),
  /** Removes a deleted AR content item's objects, releases their storage usage, then the row (with playlist and sessions). */
  'ar-content:delete': z.strictObject({ arContentId: z.uuid() }),
  /** Cron: records content whose expiresAt has passed (the viewer already answers EXPIRED); deletes nothing. */
  'ar-content:expire': z.strictObject({ _cron: cronMeta }),
  /** Cron: closes view sessions never ended by their app as abandoned. */
  'viewer:close-sessions': z.strictObject({ _cron: cronMeta }),
} as const;

export type JobName = keyof typeof jobMap;
export type JobPayload<N extends JobName> = z.input<(typeof jobMap)[N]>;
export type ParsedJobPayload<N extends JobName> = z.output<(typeof jobMap)[N]>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobMap, name);
}
