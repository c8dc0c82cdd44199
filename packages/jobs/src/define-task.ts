import type { ServiceConfig } from '@arvlite/config';
import { contextFromTraceparent, inSpan, jobDuration } from '@arvlite/telemetry';
import type { EntityManager, Orm } from '@arvlite/db';
import type { ObjectStore } from '@arvlite/storage';
import type { JobHelpers, Task } from 'graphile-worker';
import type { Logger } from 'pino';
import { isMediaJob } from './enqueue.ts';
import { jobSchema, type JobName, type ParsedJobPayload } from './job-map.ts';
import { stoppedOnEveryAttempt } from './reap-workers.ts';

/** What every task gets from the worker process. */
export interface TaskDeps {
  config: ServiceConfig;
  orm: Orm;
  storage: ObjectStore;
  log: Logger;
}

export interface TaskContext<N extends JobName> {
  payload: ParsedJobPayload<N>;
  /** A fresh EntityManager for this job only (forked on first use). */
  readonly em: EntityManager;
  helpers: JobHelpers;
  /** The job's child logger (made on first use). */
  readonly log: Logger;
  deps: TaskDeps;
  signal: AbortSignal;
}

/**
 * Tasks that fail their video or marker with a reason in the attempt the reaper grants after their worker stopped
 * under them on the last one (media steps through runStep, marker:compile); other tasks just end spent.
 */
const recordsWorkerStops = (name: JobName) => isMediaJob(name) || name === 'marker:compile';

export class InvalidJobPayloadError extends Error {
  constructor(name: string, detail: string) {
    super(`Invalid payload for ${name}: ${detail}`);
    this.name = 'InvalidJobPayloadError';
  }
}

export type TaskHandler<N extends JobName> = (ctx: TaskContext<N>) => Promise<void>;

/**
 * Wraps a handler so that it parses its payload with the job map's schema before anything else.
 * A payload that does not parse fails the job permanently: retrying cannot fix it.
 * Each run is timed (arvlite_job_duration_seconds) and, with tracing on, is a span continuing the trace that queued it.
 */
export function defineTask<N extends JobName>(name: N, handler: TaskHandler<N>) {
  return (deps: TaskDeps): Task => {
    const run = runTask(name, handler, deps);
    return async (raw, helpers) => {
      const started = performance.now();
      const traceparent = (raw as { traceparent?: unknown } | null)?.traceparent;
      let outcome: 'success' | 'failure' = 'failure';
      try {
        await inSpan(
          `job ${name}`,
          { 'arvlite.job.task': name, 'arvlite.job.id': helpers.job.id, 'arvlite.job.attempt': helpers.job.attempts },
          async () => {
            await run(raw, helpers);
          },
          contextFromTraceparent(typeof traceparent === 'string' ? traceparent : undefined),
        );
        outcome = 'success';
      } finally {
        jobDuration.observe({ task: name, outcome }, (performance.now() - started) / 1000);
      }
    };
  };
}

/** The handler behind its payload check. */
function runTask<N extends JobName>(name: N, handler: TaskHandler<N>, deps: TaskDeps): Task {
  return async (raw, helpers) => {
    const parsed = jobSchema(name).safeParse(raw);
    // The job's logger and EntityManager are made on first use: a fork and a pino child cost about 10 µs a job
    // together (the queue throughput bench's profile), and many tasks never touch one or the other.
    let jobLog: Logger | undefined;
    const log = () => (jobLog ??= deps.log.child({ job: name, jobId: helpers.job.id, attempt: helpers.job.attempts }));
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      await helpers.query('update graphile_worker._private_jobs set max_attempts = attempts where id = $1', [
        helpers.job.id,
      ]);
      log().error({ detail }, 'invalid job payload');
      throw new InvalidJobPayloadError(name, detail);
    }
    if (stoppedOnEveryAttempt(helpers.job) && !recordsWorkerStops(name)) {
      // The reaper's extra attempt, for tasks that have no failure of their own to record: end spent, saying why.
      await helpers.query('update graphile_worker._private_jobs set max_attempts = attempts where id = $1', [
        helpers.job.id,
      ]);
      log().error({ lastError: helpers.job.last_error }, 'the worker stopped under this job on every attempt');
      throw new Error(`Not run again: ${helpers.job.last_error}`);
    }
    let em: EntityManager | undefined;
    await handler({
      payload: parsed.data,
      get em() {
        return (em ??= deps.orm.fork());
      },
      helpers,
      get log() {
        return log();
      },
      deps,
      signal: helpers.abortSignal,
    });
  };
}
