import type { EntityManager } from '@arvlite/db';
import { activeTraceparent } from '@arvlite/telemetry';
import { jobKey, jobSchema, type JobName, type JobPayload } from './job-map.ts';

export interface EnqueueOptions {
  queueName?: string;
  /**
   * Run no earlier than this many seconds after the database's now() (not this process's clock, which may be off: a
   * worker whose clock ran 2 h ahead would put every retry 2 h late).
   */
  delayS?: number;
  maxAttempts?: number;
  /** How a second job with the same key (from the job map) meets the first; graphile-worker's default is 'replace'. */
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  priority?: number;
  /**
   * Media jobs only: how many of the video's company's jobs may run at once. Each media job goes to one of that many
   * graphile-worker queues of its company (`media:<companyId>:<n>`, picked by the job key), and a queue runs one job
   * at a time, so one tenant's flood holds at most this many worker slots and other tenants' jobs pass it.
   */
  companyConcurrency?: number;
}

/** The jobs that run ffmpeg on a company's videos (payload `videoId`): they queue per company. */
const MEDIA_JOBS: ReadonlySet<JobName> = new Set([
  'video:process',
  'video:rendition',
  'video:ladder',
  'video:images',
  'video:analyze',
  'video:finalize',
]);

export function isMediaJob(name: JobName): boolean {
  return MEDIA_JOBS.has(name);
}

/** enqueue() options for a media job from the media config (attempts and the company's concurrency). */
export function mediaJobOptions(media: { jobMaxAttempts: number; companyConcurrency: number }): EnqueueOptions {
  return { maxAttempts: media.jobMaxAttempts, companyConcurrency: media.companyConcurrency };
}

/**
 * Adds a job with graphile_worker.add_job on the given EntityManager's connection.
 * Pass the transactional EntityManager (`em.transactional(tem => enqueue(tem, ...))`) so that
 * the job commits or rolls back together with the rows it concerns. The job key comes from the job map.
 */
export async function enqueue<N extends JobName>(
  em: EntityManager,
  name: N,
  payload: JobPayload<N>,
  opts: EnqueueOptions = {},
): Promise<{ id: string }> {
  const parsed = jobSchema(name).parse(payload);
  // The job continues the caller's trace (no-op when tracing is off or no span is active).
  const traceparent = (parsed as { traceparent?: string }).traceparent ?? activeTraceparent();
  if (traceparent) (parsed as { traceparent?: string }).traceparent = traceparent;
  const key = jobKey(name, parsed);
  const media = isMediaJob(name) && !opts.queueName;
  // The company comes from the video row, so no caller can put a job in another tenant's queue.
  const queue = media
    ? `(select 'media:' || v.company_id || ':' || mod(abs(hashtext(?)), ?::int) from video v where v.id = ?::uuid)`
    : '?';
  const queueParams = media
    ? [key ?? name, Math.max(1, opts.companyConcurrency ?? 1), (parsed as { videoId: string }).videoId]
    : [opts.queueName ?? null];
  const rows = await em.execute<{ id: string }[]>(
    `select (graphile_worker.add_job(
       identifier => ?, payload => ?::json, queue_name => ${queue},
       run_at => now() + make_interval(secs => ?::float8),
       max_attempts => ?::int, job_key => ?, priority => ?::int, job_key_mode => ?
     )).id::text as id`,
    [
      name,
      JSON.stringify(parsed),
      ...queueParams,
      opts.delayS ?? 0,
      opts.maxAttempts ?? null,
      key,
      opts.priority ?? null,
      key ? (opts.jobKeyMode ?? 'replace') : null,
    ],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error(`graphile_worker.add_job returned no id for ${name}`);
  return { id };
}
