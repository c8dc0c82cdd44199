// The one map from job name to payload schema: enqueue() types payloads from it, every task parses with it.
import { z } from 'zod';

/** graphile-worker adds `_cron` to the payload of jobs it schedules from the crontab. */
const cronMeta = z.object({ ts: z.string().max(64), backfilled: z.boolean().optional() }).optional();

export const jobMap = {
  /** Cron: finds workers whose heartbeat stopped and releases the jobs they held. */
  'system:reap-workers': z.strictObject({ _cron: cronMeta }),
  /** Does nothing; used to measure queue overhead and to test the worker end to end. */
  'system:noop': z.strictObject({ label: z.string().max(200).optional() }),
} as const;

export type JobName = keyof typeof jobMap;
export type JobPayload<N extends JobName> = z.input<(typeof jobMap)[N]>;
export type ParsedJobPayload<N extends JobName> = z.output<(typeof jobMap)[N]>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobMap, name);
}
