// Where processing picks up again after a failure, and starting it over: the step → job mapping of the pipeline.
// Contract side: it needs the database and the job map only, so the API can import it without the media stack.
import { STEP } from '@arvlite/contract';
import { randomBytes } from 'node:crypto';
import { Video, VideoStep, type EntityManager } from '@arvlite/db';
import { transition } from '@arvlite/domain';
import { enqueue, mediaJobOptions } from '../enqueue.ts';

/** What queuing media jobs needs of the media config. */
export type MediaJobConfig = Parameters<typeof mediaJobOptions>[0];

/**
 * Queues processing from the original (probe first); the task resets the video's steps and outputs. A READY or FAILED
 * video (locked by the caller, inside its transaction) is restarted with a new token on the row, which only this job
 * carries (Video.restartToken); an UPLOADED one needs none.
 */
export async function restartProcessing(
  em: EntityManager,
  videoId: string,
  media: MediaJobConfig,
  opts: { restart: boolean },
): Promise<void> {
  const restart = opts.restart ? randomBytes(16).toString('hex') : undefined;
  if (restart) await em.nativeUpdate(Video, { id: videoId }, { restartToken: restart });
  await enqueue(em, 'video:process', restart ? { videoId, restart } : { videoId }, mediaJobOptions(media));
}

/** Queues the job that runs one step again (probe and playable are redone only by a restart). */
async function requeueStep(em: EntityManager, videoId: string, step: string, media: MediaJobConfig): Promise<void> {
  const opts = mediaJobOptions(media);
  if (step.startsWith('rendition:')) {
    await enqueue(em, 'video:rendition', { videoId, rung: step.slice('rendition:'.length) }, opts);
  } else if (step === STEP.images) {
    await enqueue(em, 'video:images', { videoId }, opts);
  } else if (step === STEP.analysis) {
    await enqueue(em, 'video:analyze', { videoId }, opts);
  } else if (step === STEP.finalize) {
    await enqueue(em, 'video:finalize', { videoId }, opts);
  }
}

/**
 * Resumes a FAILED video (locked by the caller, inside its transaction) from the steps that failed, and those that
 * never ran: what was done is kept; a failed probe or playable step starts over from the original.
 */
export async function resumeProcessing(
  em: EntityManager,
  video: Video,
  media: MediaJobConfig,
): Promise<{ fromScratch: boolean; steps: string[] }> {
  const steps = await em.find(VideoStep, { video }, { orderBy: { position: 'asc' } });
  const failed = steps.filter((s) => s.status === 'failed' || s.status === 'retrying');
  const fromScratch = failed.length === 0 || failed.some((s) => s.name === STEP.probe || s.name === STEP.playable);
  if (fromScratch) {
    await restartProcessing(em, video.id, media, { restart: true });
    return { fromScratch, steps: [STEP.probe] };
  }
  transition(video, 'PROCESSING');
  // Steps whose jobs ran after the video had failed did nothing and are still pending: they run again too, or finalize
  // (queued once every other step is done) would wait for them for ever.
  const redo = steps.filter((s) => failed.includes(s) || (s.status === 'pending' && s.name !== STEP.finalize));
  for (const s of redo) {
    s.status = 'pending';
    s.progress = 0;
    s.errorCode = null;
    s.errorMessage = null;
    await requeueStep(em, video.id, s.name, media);
  }
  return { fromScratch, steps: redo.map((s) => s.name) };
}
