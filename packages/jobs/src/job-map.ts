// The one map from job name to payload schema and job key: enqueue() types payloads from it and applies the key,
// every task parses with it.
import { TRACEPARENT_PATTERN } from '@arvlite/telemetry';
import { z } from 'zod';

/** graphile-worker adds `_cron` to the payload of jobs it schedules from the crontab. */
const cronMeta = z.object({ ts: z.string().max(64), backfilled: z.boolean().optional() }).optional();

/**
 * Every payload may carry the W3C traceparent of the span that queued it (enqueue() adds it when tracing is on), so
 * the job's span continues that trace: one upload is one trace across the server and the workers.
 */
const traced = { traceparent: z.string().regex(TRACEPARENT_PATTERN).optional() };
type Strict<Shape extends z.ZodRawShape> = z.ZodObject<Shape, z.core.$strict>;
type Traced<Shape extends z.ZodRawShape> = Strict<z.core.util.Extend<Shape, typeof traced>>;

/**
 * One job: its payload schema and, when a second copy must not run, the job key derived from the payload
 * (graphile-worker's job_key: a second job with the same key replaces the waiting one).
 */
function job<Shape extends z.ZodRawShape>(schema: Strict<Shape>): { schema: Traced<Shape>; key: undefined };
function job<Shape extends z.ZodRawShape>(
  schema: Strict<Shape>,
  key: (payload: z.output<Strict<Shape>>) => string,
): { schema: Traced<Shape>; key: (payload: z.output<Strict<Shape>>) => string };
function job<Shape extends z.ZodRawShape>(schema: Strict<Shape>, key?: (payload: z.output<Strict<Shape>>) => string) {
  return { schema: schema.extend(traced), key };
}

/** A recurring job: one at a time, keyed by its own name. */
function cronJob<N extends string>(name: N) {
  return job(z.strictObject({ _cron: cronMeta }), () => name);
}

export const jobMap = {
  /** Cron: finds workers whose heartbeat stopped and releases the jobs they held. */
  'system:reap-workers': cronJob('system:reap-workers'),
  /** Does nothing; used to measure queue overhead and to test the worker end to end. */
  'system:noop': job(z.strictObject({ label: z.string().max(200).optional() })),
  /** Turns an uploaded original into renditions, images and analysis (the processing pipeline). */
  'video:process': job(
    // restart: the token of a restart asked for (the video row's restartToken); absent for a fresh upload.
    z.strictObject({
      videoId: z.uuid(),
      restart: z
        .string()
        .regex(/^[0-9a-f]{32}$/)
        .optional(),
    }),
    (p) => `video:process:${p.videoId}`,
  ),
  /** One rung of the rendition ladder (one job per rung keeps every job far from graphile-worker's 4-hour lock). */
  'video:rendition': job(
    z.strictObject({ videoId: z.uuid(), rung: z.string().regex(/^[0-9]{2,4}p$/) }),
    (p) => `video:rendition:${p.videoId}:${p.rung}`,
  ),
  /**
   * Several rungs, and the poster and storyboard, from one ffmpeg pass over the original (the one-pass ladder, for
   * clips up to MEDIA_LADDER_ONE_PASS_MAX_S): one decode instead of one per rung and image.
   */
  'video:ladder': job(
    z.strictObject({
      videoId: z.uuid(),
      rungs: z
        .array(z.string().regex(/^[0-9]{2,4}p$/))
        .max(8)
        .refine((r) => new Set(r).size === r.length, 'rungs repeat'),
      images: z.boolean(),
      /** Also the analyzers, as filters of the same decode (every configured one has that form). */
      analysis: z.boolean().optional(),
    }),
    (p) => `video:ladder:${p.videoId}`,
  ),
  /** Poster (JPEG + WebP) and storyboard sprite + WebVTT. */
  'video:images': job(z.strictObject({ videoId: z.uuid() }), (p) => `video:images:${p.videoId}`),
  /** The configured analyzers (scenes/chapters, loudness, black and silent segments, external services). */
  'video:analyze': job(z.strictObject({ videoId: z.uuid() }), (p) => `video:analyze:${p.videoId}`),
  /** Final master playlist, storage accounting, READY. Queued once every other step is done. */
  'video:finalize': job(z.strictObject({ videoId: z.uuid() }), (p) => `video:finalize:${p.videoId}`),
  /** Removes a deleted video's original and every derived object, releases its quota, then the row. */
  'video:delete': job(z.strictObject({ videoId: z.uuid() }), (p) => `video:delete:${p.videoId}`),
  /** Cron: aborts upload sessions past their expiry, deletes their objects and releases their quota. */
  'upload:expire': cronJob('upload:expire'),
  /** Normalizes, scores and compiles an uploaded marker image into a MindAR target (one revision of one item). */
  'marker:compile': job(
    z.strictObject({ arContentId: z.uuid(), revision: z.number().int().min(1) }),
    // Per item, not per revision: a newer upload replaces a compile still waiting.
    (p) => `marker:compile:${p.arContentId}`,
  ),
  /** Measures a published or held-back marker revision's detection (the full report) and stores it on the item. */
  'marker:report': job(
    z.strictObject({ arContentId: z.uuid(), revision: z.number().int().min(1) }),
    (p) => `marker:report:${p.arContentId}:${p.revision}`,
  ),
  /** Cron: marker compiles whose job is gone or out of attempts (a crashed worker) end with a reason instead of waiting forever. */
  'marker:recover': cronJob('marker:recover'),
  /** Removes a deleted AR content item's objects, releases their storage usage, then the row (with playlist and sessions). */
  'ar-content:delete': job(z.strictObject({ arContentId: z.uuid() }), (p) => `ar-content:delete:${p.arContentId}`),
  /** Cron: records content whose expiresAt has passed (the viewer already answers EXPIRED); deletes nothing. */
  'ar-content:expire': cronJob('ar-content:expire'),
  /** Cron: closes view sessions never ended by their app as abandoned. */
  'viewer:close-sessions': cronJob('viewer:close-sessions'),
  /** Delivers pending outbox events to the consumers, in order. Queued by every emit (queue `outbox`, one at a time); no key, so emitters never wait on each other. */
  'outbox:dispatch': job(z.strictObject({})),
  /** Cron: queues a dispatch when events wait with no dispatch job left that can run. */
  'outbox:sweep': cronJob('outbox:sweep'),
  /** Cron: announces AR content reaching each of its company's reminder thresholds (30, 7, 1 days by default; once per item, expiry date and threshold). */
  'ar-content:expiring': cronJob('ar-content:expiring'),
  /** Cron: announces companies whose stored bytes crossed 80 % or 100 % of their quota (once per crossing). */
  'quota:warn': cronJob('quota:warn'),
  /** Sends one mail of the email log (queued by queueMail with its row); retried with backoff while the relay fails. */
  'mail:send': job(z.strictObject({ mailId: z.uuid() }), (p) => `mail:send:${p.mailId}`),
  /** One webhook delivery's next attempt (queue `webhook:<endpointId>`); a failed attempt queues the next itself (backoff over 24 h). */
  'webhook:deliver': job(z.strictObject({ deliveryId: z.uuid() }), (p) => `webhook:deliver:${p.deliveryId}`),
  /** Cron: drops finished webhook deliveries older than 30 days (the delivery log stays bounded). */
  'webhook:purge': cronJob('webhook:purge'),
  /** One order refund carried out at the payment provider (keyed: a redelivered event never refunds twice). */
  'payment:refund': job(z.strictObject({ refundId: z.uuid() }), (p) => `payment:refund:${p.refundId}`),
  /** One event's push notification to one user's registered devices (Expo); keyed so a redelivery never pushes twice. */
  'push:send': job(
    z.strictObject({
      eventId: z.string().regex(/^[0-9]{1,20}$/),
      userId: z.uuid(),
      companyId: z.uuid(),
      title: z.string().max(200),
      body: z.string().max(1000),
      data: z.record(z.string(), z.string().max(512)).optional(),
    }),
    (p) => `push:send:${p.eventId}:${p.userId}`,
  ),
  /** Asks the push service for the receipts of sent pushes (EXPO_PUSH_RECEIPT_DELAY_S later); drops dead tokens. */
  'push:receipts': job(
    z.strictObject({
      tickets: z
        .array(z.strictObject({ id: z.string().max(100), token: z.string().max(255) }))
        .min(1)
        .max(1000),
    }),
  ),
  /** Cron: drops rate-limit rows whose window is long over. */
  'rate-limit:purge': cronJob('rate-limit:purge'),
  /** Cron at BACKUP_CRON (only when set): a backup of the database and the bucket into BACKUP_DIR, keeping BACKUP_KEEP. */
  'system:backup': cronJob('system:backup'),
  /** Renders an invoice's or credit note's PDF once, stores it (never replaced), sets pdfKey, emits invoice.rendered. */
  'invoice:render': job(z.strictObject({ invoiceId: z.uuid() }), (p) => `invoice:render:${p.invoiceId}`),
  /** Mails the customer a capability link to a rendered invoice's PDF (once per invoice). */
  'invoice:mail': job(z.strictObject({ invoiceId: z.uuid() }), (p) => `invoice:mail:${p.invoiceId}`),
  /** Renders one print file (an AR item in a format, or an order's sheet) and stores it. */
  'print:render': job(z.strictObject({ printFileId: z.uuid() }), (p) => `print:render:${p.printFileId}`),
} as const;

export type JobName = keyof typeof jobMap;
export type JobPayload<N extends JobName> = z.input<(typeof jobMap)[N]['schema']>;
export type ParsedJobPayload<N extends JobName> = z.output<(typeof jobMap)[N]['schema']>;

type JobKey<N extends JobName> = (typeof jobMap)[N]['key'] extends undefined ? null : string;

/** The job key of a (parsed) payload, or null for jobs that may run side by side. */
export function jobKey<N extends JobName>(name: N, payload: ParsedJobPayload<N>): JobKey<N> {
  const key = jobMap[name].key as ((p: ParsedJobPayload<N>) => string) | undefined;
  return (key ? key(payload) : null) as JobKey<N>;
}

/** Parses a payload with the job map's schema (enqueue and every task do). */
export function jobSchema<N extends JobName>(name: N): z.ZodType<ParsedJobPayload<N>, JobPayload<N>> {
  return jobMap[name].schema as unknown as z.ZodType<ParsedJobPayload<N>, JobPayload<N>>;
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobMap, name);
}
