// Runs graphile-worker with our task list, keeps this process's heartbeat row fresh, and reaps dead peers.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ServiceConfig } from '@arvlite/config';
import { WorkerHeartbeat, type Orm } from '@arvlite/db';
import { createTaskList, cronItemsFor, mediaToolkit, reapDeadWorkers, repairCronClock } from '@arvlite/jobs/runtime';
import type { ObjectStore } from '@arvlite/storage';
import { EventEmitter } from 'node:events';
import { parseCronItems, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type { Logger } from 'pino';
import { graphileLogger } from './graphile-logger.ts';

/** Keeps the named tasks (all when none are named); an unknown name is a configuration error. */
function onlyTasks(list: TaskList, names: string[]): TaskList {
  if (names.length === 0) return list;
  const unknown = names.filter((n) => !(n in list));
  if (unknown.length) throw new Error(`WORKER_TASKS names unknown tasks: ${unknown.join(', ')}`);
  return Object.fromEntries(Object.entries(list).filter(([n]) => names.includes(n)));
}

export interface WorkerDeps {
  config: ServiceConfig;
  orm: Orm;
  storage: ObjectStore;
  log: Logger;
}

export interface WorkerProcess {
  id: string;
  runner: Runner;
  /** Finishes running jobs (or releases them after the grace period) and marks the heartbeat stopped. */
  stop(): Promise<void>;
}

/** When the pool is notified again after a job of a named queue completes (ms after; see nudgeAfterQueueRelease). */
const QUEUE_RELEASE_NUDGES_MS = [25, 250];

export async function startWorker(
  deps: WorkerDeps,
  opts: {
    concurrency?: number;
    tasks?: string[];
    /** Tasks of the caller's own besides the platform's (tests: a task that ends when the test says). */
    extraTasks?: TaskList;
  } = {},
): Promise<WorkerProcess> {
  const { config, orm, log } = deps;
  const id = `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const graphileIds = new Set<string>();
  const counters = { completed: 0, failed: 0, running: 0 };

  const em = orm.fork();
  em.create(WorkerHeartbeat, { id, hostname: hostname().slice(0, 255), pid: process.pid, graphileWorkerIds: [] });
  await em.flush();

  const taskList = {
    ...onlyTasks(createTaskList({ config, orm, storage: deps.storage, log }), opts.tasks ?? config.worker.tasks),
    ...opts.extraTasks,
  };
  // In production a worker that runs media tasks needs a maintained ffmpeg (≥ 5, not the npm-shipped 4.1): say so at
  // start, before taking a job, rather than fail every video.
  if (config.env === 'production' && Object.keys(taskList).some((n) => n.startsWith('video:'))) {
    await mediaToolkit({ config, orm, storage: deps.storage, log });
  }
  // Cron items only for tasks this worker runs.
  const cron = parseCronItems(cronItemsFor(config).filter((item) => item.task in taskList));
  // Subscribed before run() so that worker:create (which fires during startup) is seen.
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  // Jobs are locked by the pool's id (batched fetching) or a worker's; a crash must release both.
  events.on('pool:create', ({ workerPool }) => graphileIds.add(workerPool.id));
  events.on('worker:create', ({ worker }) => graphileIds.add(worker.workerId));
  events.on('job:start', () => counters.running++);
  events.on('job:complete', () => (counters.running = Math.max(0, counters.running - 1)));
  events.on('job:success', () => counters.completed++);
  events.on('job:complete', ({ job }) => {
    if (job.job_queue_id !== null) nudgeAfterQueueRelease();
  });
  events.on('job:error', ({ error, job }) => {
    counters.failed++;
    log.warn({ jobId: job.id, task: job.task_identifier, attempt: job.attempts, err: error }, 'job failed');
  });
  /**
   * A job of a named queue (a media lane, `media:<company>:<n>`) holds the queue until its completion is written, and
   * graphile-worker looks for its next job without waiting for that write; add_job's notification for a job queued
   * behind it in the same lane came while the lane was still held. So video:ladder after video:process, or
   * video:finalize after the ladder, in one lane, started only at the next poll, up to WORKER_POLL_INTERVAL_MS later
   * (1.7 s of 9.4 s to READY in a pipeline bench run; 0.2–0.3 s with a 200 ms poll). After such a job the pool is
   * notified again, as add_job notifies, once the completion has had time to be written (and once more later).
   */
  const nudgeAfterQueueRelease = () => {
    for (const ms of QUEUE_RELEASE_NUDGES_MS) {
      setTimeout(() => {
        // Best effort: a worker shutting down (its ORM closed) just skips it; the poll still finds the job.
        Promise.resolve()
          .then(() => orm.fork().execute(`select pg_notify('jobs:insert', '{"count":1}')`))
          .catch(() => {});
      }, ms).unref();
    }
  };
  const concurrency = opts.concurrency ?? config.worker.concurrency;
  const startRunner = () =>
    run({
      events,
      connectionString: config.database.url,
      concurrency,
      pollInterval: config.worker.pollIntervalMs,
      noHandleSignals: true,
      // Completions and failures through graphile-worker's batchers (0 ms: sent at once), because stop() waits for the
      // batchers to flush. Without them a job's completion is sent unawaited, and a worker that exits right after
      // stop() could leave a finished job locked, to run again once reaped (tests/integration/test/shutdown.test.ts).
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      taskList,
      parsedCronItems: cron,
      // graphile-worker's own messages go through our pino logger (job failures are logged once, below).
      logger: graphileLogger(log),
    });
  let runner = await startRunner();
  /** The current runner's pool has ended (by itself; stop() is then only the heartbeat's). */
  let runnerEnded = false;
  let stopping = false;
  let restarting: Promise<void> | undefined;

  /**
   * graphile-worker 0.18.0 shuts its whole pool down when one batched completion or failure cannot be written: the
   * batcher's retry loop leaves after the first failure (graphile/worker#636), so a job that ends while the database
   * is away (stopped, restarting, our connection terminated) stops the pool for good, with "Could not completeJobs;
   * queue is in an inconsistent state". This process would then keep beating its heartbeat (so no peer reaps it) and
   * take no job again, and the job it finished stays locked for graphile-worker's 4 hours. Instead, once the pool has
   * ended on its own, this worker waits for the database, releases the locks the ended pool still holds (its jobs run
   * again: at-least-once, as after a crash) and starts a new pool.
   */
  const supervise = (r: Runner) => {
    const ended = (err?: unknown) => {
      if (r !== runner) return;
      runnerEnded = true;
      if (stopping) return;
      log.error({ err }, 'job queue stopped by itself; restarting it once the database answers');
      restarting = restart().finally(() => (restarting = undefined));
    };
    r.promise.then(() => ended(), ended);
  };
  async function restart() {
    const ended = [...graphileIds];
    for (let delay = 1_000; !stopping; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopping) return;
      try {
        await orm.fork().execute('select graphile_worker.force_unlock_workers(array[?]::text[])', [ended]);
        for (const id of ended) graphileIds.delete(id);
        counters.running = 0;
        runner = await startRunner();
        runnerEnded = false;
        supervise(runner);
        log.warn({ released: ended }, 'job queue restarted');
        return;
      } catch (err) {
        log.warn({ err, retryInMs: Math.min(delay * 2, 10_000) }, 'job queue restart failed; trying again');
      }
    }
  }
  supervise(runner);

  /**
   * Since when (performance.now()) this worker's beats have been getting through; undefined while they fail. A peer
   * is judged dead only once this worker has beaten for WORKER_DEAD_AFTER_MS itself: while the database was away every
   * worker's beats failed alike, and the first to beat again would otherwise take every peer for dead. Chaos scenario
   * 3 (Postgres stopped 10 s, 2 workers): after each outage one live worker reaped the other, whose running jobs were
   * released and started again on the reaper while the first still ran them.
   */
  let beatingSince: number | undefined;
  async function beat() {
    const fork = orm.fork();
    try {
      await recordBeat(fork);
    } catch (err) {
      beatingSince = undefined;
      throw err;
    }
    beatingSince ??= performance.now();
    if (performance.now() - beatingSince >= config.worker.deadAfterMs) {
      const reaped = await reapDeadWorkers(fork, config.worker.deadAfterMs, config.media.jobTransientAttempts);
      if (reaped.workers.length > 0) log.warn(reaped, 'released jobs of dead workers');
    }
    const repaired = await repairCronClock(fork);
    if (repaired.length > 0)
      log.warn({ crontabs: repaired }, 'recurring jobs stamped in the future (a clock ahead); pulled back');
  }
  async function recordBeat(fork: ReturnType<typeof orm.fork>) {
    await fork.nativeUpdate(
      WorkerHeartbeat,
      { id },
      {
        graphileWorkerIds: [...graphileIds],
        jobsCompleted: counters.completed,
        jobsFailed: counters.failed,
        jobsRunning: counters.running,
        concurrency,
        taskNames: Object.keys(taskList).sort(),
      },
    );
    // The beat's time is the database's (see WorkerHeartbeatRepository), not this process's clock.
    await fork.getRepository(WorkerHeartbeat).touch(id);
  }
  await beat();
  const timer = setInterval(() => {
    beat().catch((err) => log.error({ err }, 'heartbeat failed'));
  }, config.worker.heartbeatIntervalMs);

  let stopped: Promise<void> | undefined;
  return {
    id,
    get runner() {
      return runner;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(timer);
        await restarting;
        // graphile-worker aborts each running job's AbortSignal; tasks kill their ffmpeg children on it.
        if (!runnerEnded) await runner.stop();
        await orm.fork().nativeUpdate(WorkerHeartbeat, { id }, { stoppedAt: new Date(), lastSeenAt: new Date() });
      })();
      return stopped;
    },
  };
}
