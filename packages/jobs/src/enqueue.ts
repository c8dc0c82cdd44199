import type { EntityManager } from '@arvlite/db';
import { jobKey, jobSchema, type JobName, type JobPayload } from './job-map.ts';

export interface EnqueueOptions {
  queueName?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** How a second job with the same key (from the job map) meets the first; graphile-worker's default is 'replace'. */
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  priority?: number;
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
  const key = jobKey(name, parsed);
  const rows = await em.execute<{ id: string }[]>(
    `select (graphile_worker.add_job(
       identifier => ?, payload => ?::json, queue_name => ?, run_at => ?::timestamptz,
       max_attempts => ?::int, job_key => ?, priority => ?::int, job_key_mode => ?
     )).id::text as id`,
    [
      name,
      JSON.stringify(parsed),
      opts.queueName ?? null,
      opts.runAt?.toISOString() ?? null,
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
