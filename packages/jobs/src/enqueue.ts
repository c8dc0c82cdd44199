import type { EntityManager } from '@arvlite/db';
import { activeTraceparent } from '@arvlite/telemetry';
import { CompiledQuery, type Transaction } from 'kysely';
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

/** `?` placeholders → `$1, $2, …` (our SQL has no `?` operators or literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The add_job statement, with its queue computed from the video row for media jobs or bound as a value. */
const ADD_JOB = (queue: string) => `select (graphile_worker.add_job(
       identifier => ?, payload => ?::json, queue_name => ${queue},
       run_at => now() + make_interval(secs => ?::float8),
       max_attempts => ?::int, job_key => ?, priority => ?::int, job_key_mode => ?
     )).id::text as id`;
// The company comes from the video row, so no caller can put a job in another tenant's queue.
const MEDIA_QUEUE = `(select 'media:' || v.company_id || ':' || mod(abs(hashtext(?)), ?::int) from video v where v.id = ?::uuid)`;
const STATEMENTS = {
  plain: { sql: ADD_JOB('?'), text: numbered(ADD_JOB('?')) },
  media: { sql: ADD_JOB(MEDIA_QUEUE), text: numbered(ADD_JOB(MEDIA_QUEUE)) },
};

/**
 * Adds a job with graphile_worker.add_job on the given EntityManager's connection.
 * Pass the transactional EntityManager (`em.transactional(tem => enqueue(tem, ...))`) so that
 * the job commits or rolls back together with the rows it concerns. The job key comes from the job map.
 *
 * Inside a transaction the statement goes straight to that transaction's own connection (its Kysely transaction,
 * which MikroORM hands out as the transaction context) with bound parameters. em.execute would send the same
 * statement on the same connection, but with every value inlined into the SQL text by MikroORM's formatter and
 * through its logging and result layers. Outside a transaction (no rows to commit with) it is em.execute, in
 * autocommit, as before.
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
  const statement = media ? STATEMENTS.media : STATEMENTS.plain;
  const queueParams = media
    ? [key ?? name, Math.max(1, opts.companyConcurrency ?? 1), (parsed as { videoId: string }).videoId]
    : [opts.queueName ?? null];
  const values = [
    name,
    JSON.stringify(parsed),
    ...queueParams,
    opts.delayS ?? 0,
    opts.maxAttempts ?? null,
    key,
    opts.priority ?? null,
    key ? (opts.jobKeyMode ?? 'replace') : null,
  ];
  const trx = em.getTransactionContext<Transaction<unknown>>();
  let rows: { id: string }[];
  if (trx) {
    try {
      rows = (await trx.executeQuery<{ id: string }>(CompiledQuery.raw(statement.text, values))).rows;
    } catch (e) {
      // The same typed errors em.execute throws (UniqueConstraintViolationException, …).
      throw em
        .getPlatform()
        .getExceptionConverter()
        .convertException(e as Error);
    }
  } else {
    rows = await em.execute<{ id: string }[]>(statement.sql, values);
  }
  const id = rows[0]?.id;
  if (!id) throw new Error(`graphile_worker.add_job returned no id for ${name}`);
  return { id };
}
