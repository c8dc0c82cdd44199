import { defineTask, type TaskHandler } from '../define-task.ts';
import type { JobName } from '../job-map.ts';
import { analyze, finalize, makeImages, processVideo, renderLadder, renderRung } from '../pipeline/steps.ts';
import { extendForTransient } from '../transient.ts';

/**
 * A passing fault outside any step (the database away while a task first loads its video) earns the job more attempts
 * too, as one inside a step does (runStep): on its last attempt graphile-worker would keep it spent, and its video
 * would stay UPLOADED or PROCESSING for good.
 */
const extendingForTransient =
  <N extends JobName>(handler: TaskHandler<N>): TaskHandler<N> =>
  async (ctx) => {
    try {
      await handler(ctx);
    } catch (e) {
      await extendForTransient(ctx.helpers, e, ctx.deps.config.media.jobTransientAttempts).catch(() => {});
      throw e;
    }
  };

export const videoProcess = defineTask('video:process', extendingForTransient(processVideo));
export const videoRendition = defineTask('video:rendition', extendingForTransient(renderRung));
export const videoLadder = defineTask('video:ladder', extendingForTransient(renderLadder));
export const videoImages = defineTask('video:images', extendingForTransient(makeImages));
export const videoAnalyze = defineTask('video:analyze', extendingForTransient(analyze));
export const videoFinalize = defineTask('video:finalize', extendingForTransient(finalize));
