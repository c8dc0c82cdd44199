// Runs one pipeline step: marks it running, reports throttled progress, retries with backoff, fails the video at the end.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stepFailureCode } from '@arvlite/contract';
import { inSpan, observeFfmpegSpeed } from '@arvlite/telemetry';
import { Video } from '@arvlite/db';
import { InvalidMediaError, MediaLimitError, MediaTimeoutError } from '@arvlite/media';
import type { TaskContext } from '../define-task.ts';
import { stoppedOnEveryAttempt } from '../reap-workers.ts';
import { extendForTransient, transientReason } from '../transient.ts';
import type { JobName } from '../job-map.ts';
import { failVideo, updateStep } from './pipeline-state.ts';
import { abandonOutputs, type UnrecordedOutputs } from './video-outputs.ts';

/** A failure that retrying cannot fix (bad media, a missing original). */
export class PermanentStepError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PermanentStepError';
    this.code = code;
  }
}

/**
 * A scratch directory of one job's own: a random suffix (mkdtemp, mode 0700) under the scratch root (0700 too), so no
 * other job, and no playlist or path inside a user's file, can name it in advance. The label (video id and step) is
 * kept in front so operators and tests can tell whose ffmpeg a process is. The caller removes it.
 */
export async function privateScratchDir(root: string, label: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  return mkdtemp(join(root, `${label.replace(/[^\w-]/g, '-')}-`));
}

/** Failures that retrying cannot fix, with the code the video fails with. */
function permanentCode(e: unknown): string | null {
  if (e instanceof PermanentStepError) return e.code;
  if (e instanceof MediaLimitError) return e.code;
  if (e instanceof MediaTimeoutError) return e.code;
  if (e instanceof InvalidMediaError) return 'INVALID_MEDIA';
  return null;
}

/** A step's try: its scratch directory, its progress, and what it stored that no row records yet. */
export interface StepRun extends UnrecordedOutputs {
  /** A scratch directory of this job's own, removed afterwards. */
  dir: string;
  progress: (percent: number) => void;
}

export interface StepOptions {
  /** A directory of the caller's (kept afterwards) instead of a scratch directory of the step's own. */
  dir?: string;
  /** The own scratch directory's label after the video id (default: the step's name). */
  label?: string;
}

const PROGRESS_EVERY_MS = 1000;

/**
 * Runs one processing step (a span of the job's trace when tracing is on): status, progress, failure handling. `step`
 * may name several steps one job makes together (the one-pass ladder): they share status, progress and failure.
 */
export async function runStep<N extends JobName, T>(
  ctx: TaskContext<N>,
  videoId: string,
  step: string | readonly string[],
  fn: (run: StepRun) => Promise<T>,
  opts: StepOptions = {},
): Promise<T> {
  const label = typeof step === 'string' ? step : step.join(',');
  return inSpan(`step ${label}`, { 'arvlite.step': label, 'arvlite.video.id': videoId }, () =>
    runStepInner(ctx, videoId, step, fn, opts),
  );
}

/**
 * One ffmpeg run of a step: a span, and its speed (media seconds per wall second) in arvlite_ffmpeg_speed_ratio.
 * Call it inside the encode slot, so waiting for a slot is not counted.
 */
export async function ffmpegRun<T>(
  kind: 'encode' | 'remux',
  rung: string,
  mediaSeconds: number,
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(`ffmpeg ${kind} ${rung}`, { 'arvlite.ffmpeg.rung': rung, 'arvlite.ffmpeg.kind': kind }, async () => {
    const started = performance.now();
    const result = await fn();
    observeFfmpegSpeed(rung, kind, mediaSeconds, performance.now() - started);
    return result;
  });
}

/**
 * Waits before a step that failed on a passing fault (storage or the database away, the scratch disk full) runs again
 * in the same attempt: about 50 s in all, each wait at most 8 s. graphile-worker's own retry waits e^attempts s, and a
 * step cut by one short fault after another reaches long waits (4th attempt 55 s, 5th 148 s): in chaos scenario 10 a
 * worker cut off from S3 for 10 s four times, nothing ran for 139 s after the last cut had ended. A fault outlasting
 * these waits ends the attempt as before (the transient attempts, with graphile-worker's backoff).
 */
export const TRANSIENT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000, 8_000];

/** Thrown by one try of a step that failed on a passing fault and is to run again in this attempt. */
class RetryInAttempt extends Error {
  readonly failure: unknown;
  readonly delayMs: number;
  constructor(failure: unknown, delayMs: number) {
    super('retry in this attempt');
    this.failure = failure;
    this.delayMs = delayMs;
  }
}

async function runStepInner<N extends JobName, T>(
  ctx: TaskContext<N>,
  videoId: string,
  step: string | readonly string[],
  fn: (run: StepRun) => Promise<T>,
  opts: StepOptions,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await runStepOnce(ctx, videoId, step, fn, opts, TRANSIENT_RETRY_DELAYS_MS[retry]);
    } catch (e) {
      if (!(e instanceof RetryInAttempt)) throw e;
      try {
        await sleep(e.delayMs, undefined, { signal: ctx.helpers.abortSignal });
      } catch {
        // Shutting down while waiting: the job goes back to the queue and this step runs again from the start.
        await updateStep(ctx.em, videoId, step, { status: 'pending', progress: 0 }).catch(() => {});
        throw e.failure;
      }
    }
  }
}

/** One try of a step; `retryInMs`: a passing fault runs it again after that long, in this attempt (none: no more). */
async function runStepOnce<N extends JobName, T>(
  ctx: TaskContext<N>,
  videoId: string,
  step: string | readonly string[],
  fn: (run: StepRun) => Promise<T>,
  opts: StepOptions,
  retryInMs: number | undefined,
): Promise<T> {
  const { em, helpers, deps, log } = ctx;
  const ownDir = !opts.dir;

  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  const run: StepRun = {
    dir: opts.dir ?? '',
    partial: [],
    charged: 0,
    progress: (percent) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS || percent >= 100) return;
      last = now;
      const p = Math.max(0, Math.min(99, Math.round(percent)));
      pending = pending.then(() =>
        updateStep(em, videoId, step, { progress: p }).catch((err) => log.warn({ err }, 'progress update failed')),
      );
    },
  };

  try {
    await updateStep(em, videoId, step, {
      status: 'running',
      progress: 0,
      attempts: helpers.job.attempts,
      startedAt: new Date(),
      finishedAt: null,
      errorCode: null,
      errorMessage: null,
    });
    // The worker stopped under this step on every attempt (killed, crashed, out of memory): fail it with that reason
    // rather than crash another worker with it.
    if (stoppedOnEveryAttempt(helpers.job))
      throw new PermanentStepError(
        stepFailureCode(primaryStep(step)),
        `${humanStep(step)} stopped the worker processing it on each of its ${helpers.job.attempts - 1} attempts ` +
          '(killed, crashed or out of memory)',
      );
    // Made inside the step, so a disk too full for even a directory fails the step with its reason (and a retry).
    if (ownDir)
      run.dir = await privateScratchDir(deps.config.media.scratchDir, `${videoId}-${opts.label ?? primaryStep(step)}`);
    const result = await fn(run);
    await pending;
    await updateStep(em, videoId, step, { status: 'done', progress: 100, finishedAt: new Date() });
    return result;
  } catch (e) {
    await pending;
    // Whatever happens next (a retry, another attempt, the video failed or deleted, a shutdown), this try's outputs
    // that no row records go, and their bytes leave the quota: a later try stores them again and charges them again.
    await abandonOutputs(em, deps.storage, run, log);
    const err = e as Error;
    if (helpers.abortSignal.aborted) {
      // Shutting down: the job goes back to the queue and this step runs again from the start.
      await updateStep(em, videoId, step, { status: 'pending', progress: 0 }).catch(() => {});
      throw e;
    }
    // A passing fault: the step runs again shortly, in this attempt (the database may be away: its status is best
    // effort). Its scratch directory goes first, so a full disk is not kept full while it waits.
    const passing = permanentCode(e) === null ? transientReason(e) : null;
    if (passing && retryInMs !== undefined) {
      if (ownDir && run.dir) {
        await rm(run.dir, { recursive: true, force: true });
        run.dir = '';
      }
      log.warn({ err, step, attempt: helpers.job.attempts, transient: passing, retryInMs }, 'processing step retrying');
      await updateStep(em, videoId, step, {
        status: 'retrying',
        errorCode: stepFailureCode(primaryStep(step)),
        errorMessage: `${humanStep(step)} failed: ${passing}; retrying in ${Math.ceil(retryInMs / 1000)} s`,
      }).catch(() => {});
      throw new RetryInAttempt(e, retryInMs);
    }
    const stillThere = await em.fork().findOne(Video, { id: videoId, deletedAt: null });
    if (!stillThere) {
      // Deleted while processing: nothing to fail and nothing to retry.
      await helpers.query('update graphile_worker._private_jobs set max_attempts = attempts where id = $1', [
        helpers.job.id,
      ]);
      throw e;
    }
    const permanentAs = permanentCode(e);
    const permanent = permanentAs !== null;
    // A transient fault (storage or the database away, the scratch disk full) earns more attempts, up to
    // MEDIA_JOB_TRANSIENT_ATTEMPTS, with graphile-worker's growing backoff: an outage passes without failing the video.
    const transient = permanent ? null : await extendForTransient(helpers, e, deps.config.media.jobTransientAttempts);
    const finalAttempt = permanent || helpers.job.attempts >= helpers.job.max_attempts;
    const code = permanentAs ?? stepFailureCode(primaryStep(step));
    const message = permanent
      ? err.message
      : transient
        ? `${humanStep(step)} failed: ${transient}; ${finalAttempt ? 'gave up' : 'retrying'}`
        : `${humanStep(step)} failed: ${err.message.split('\n')[0]?.slice(0, 300)}`;
    log.warn({ err, step, attempt: helpers.job.attempts, finalAttempt, transient }, 'processing step failed');
    if (finalAttempt) {
      await failVideo(
        em,
        deps.storage,
        videoId,
        step,
        { code, message },
        {
          // Over the quota: every output goes, not only this step's, and its bytes leave the quota.
          removeOutputs: code === 'QUOTA_EXCEEDED',
        },
      );
      if (permanent) {
        await helpers.query('update graphile_worker._private_jobs set max_attempts = attempts where id = $1', [
          helpers.job.id,
        ]);
      }
    } else {
      await updateStep(em, videoId, step, {
        status: 'retrying',
        errorCode: code,
        errorMessage: message.slice(0, 1000),
      });
    }
    throw e;
  } finally {
    if (ownDir && run.dir) await rm(run.dir, { recursive: true, force: true });
  }
}

const primaryStep = (step: string | readonly string[]) => (typeof step === 'string' ? step : step[0]!);

function humanStep(step: string | readonly string[]): string {
  if (typeof step !== 'string') {
    const rungs = step.filter((s) => s.startsWith('rendition:')).map((s) => s.slice(10));
    const images = step.includes('images');
    if (rungs.length === 0) return humanStep(step[0]!);
    const what = `Encoding the ${rungs.join(', ')} rendition${rungs.length > 1 ? 's' : ''}`;
    return images ? `${what}, the poster and the storyboard` : what;
  }
  if (step.startsWith('rendition:')) return `Encoding the ${step.slice(10)} rendition`;
  return (
    {
      probe: 'Reading the video',
      playable: 'Making the video playable',
      images: 'Making the poster and storyboard',
      analysis: 'Analysis',
      finalize: 'Finishing',
    }[step] ?? step
  );
}
