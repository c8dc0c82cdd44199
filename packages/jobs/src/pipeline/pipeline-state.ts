// Step bookkeeping for the processing pipeline: status, progress, failures, and NOTIFY for live status.
import { Video, VideoStep, type EntityManager, type StepStatus } from '@arvlite/db';
import { addUsage, transition, videoKeyIds, videoOutputPrefix } from '@arvlite/domain';
import type { ObjectStore } from '@arvlite/storage';
import { LockMode } from '@mikro-orm/core';
import { emit } from '../outbox/emit.ts';

export const VIDEO_CHANNEL = 'arvlite_video';

/** Tells every server instance that a video changed (they re-read it for their subscribers). */
export async function notifyVideo(em: EntityManager, videoId: string, extra: Record<string, unknown> = {}) {
  await em.execute(`select pg_notify('${VIDEO_CHANNEL}', ?)`, [JSON.stringify({ videoId, ...extra })]);
}

export async function ensureSteps(em: EntityManager, video: Video, names: { name: string; status?: StepStatus }[]) {
  const existing = await em.find(VideoStep, { video });
  const have = new Set(existing.map((s) => s.name));
  let position = existing.reduce((m, s) => Math.max(m, s.position), -1);
  for (const n of names) {
    if (have.has(n.name)) continue;
    em.create(VideoStep, {
      video,
      name: n.name,
      status: n.status ?? 'pending',
      progress: n.status === 'done' ? 100 : 0,
      position: ++position,
    });
  }
  await em.flush();
}

/** Updates one step, or several run by one job together (the one-pass ladder), and tells the servers. */
export async function updateStep(
  em: EntityManager,
  videoId: string,
  name: string | readonly string[],
  patch: Partial<
    Pick<VideoStep, 'status' | 'progress' | 'attempts' | 'startedAt' | 'finishedAt' | 'errorCode' | 'errorMessage'>
  >,
) {
  const names = typeof name === 'string' ? [name] : name;
  await em.nativeUpdate(VideoStep, { video: videoId, name: { $in: [...names] } }, patch);
  // One notice for the whole update: subscribers re-read the video once, whichever steps changed.
  const step = names.length === 1 ? names[0] : names;
  await notifyVideo(em, videoId, { step, status: patch.status, progress: patch.progress });
}

/**
 * FOR UPDATE of the video row alone, then its project by a query of its own. With the project populated in the
 * locking select (joined), FOR UPDATE locked the project's row too, so the steps of every video in one project queued
 * behind each other's transactions (chaos scenario "worker scaling", 3 workers: 17 of 188 samples found this select
 * waiting on a lock, and the locks not granted included the project's row).
 */
const LOCK_ROW = { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } as const;

/** Locks the video row for a read-modify-write of its outputs or status. */
export async function lockVideo(em: EntityManager, videoId: string): Promise<Video> {
  const video = await em.findOneOrFail(Video, { id: videoId }, LOCK_ROW);
  await em.populate(video, ['project']);
  return video;
}

/**
 * lockVideo for a step about to record what it did: null when the video was deleted meanwhile (soft-deleted, or its row
 * already removed by video:delete), so a step that ends after a deletion writes nothing on the row.
 */
export async function lockLiveVideo(em: EntityManager, videoId: string): Promise<Video | null> {
  const video = await em.findOne(Video, { id: videoId }, LOCK_ROW);
  if (!video || video.deletedAt) return null;
  await em.populate(video, ['project']);
  return video;
}

/**
 * Fails the video for good: FAILED with a code and a human message (the failed step has removed its own unrecorded
 * outputs: runStep). `step`: the step, or the steps one job ran together (the first is the one the event names).
 */
export async function failVideo(
  em: EntityManager,
  storage: ObjectStore,
  videoId: string,
  steps: string | readonly string[],
  error: { code: string; message: string },
  opts: { removeOutputs?: boolean } = {},
) {
  const names = typeof steps === 'string' ? [steps] : steps;
  const step = names[0]!;
  await em.transactional(async (tem) => {
    const video = await lockVideo(tem, videoId);
    if (opts.removeOutputs) {
      await storage.deletePrefix(videoOutputPrefix(videoKeyIds(video)));
      await addUsage(tem, video.company.id, -(video.storedBytes - video.sizeBytes));
      video.storedBytes = video.sizeBytes;
      video.outputs = null;
      video.playableAt = null;
    }
    const failing = video.status === 'PROCESSING' || video.status === 'UPLOADED';
    if (failing) transition(video, 'FAILED', error);
    await tem.nativeUpdate(
      VideoStep,
      { video: videoId, name: { $in: [...names] } },
      {
        status: 'failed',
        finishedAt: new Date(),
        errorCode: error.code,
        errorMessage: error.message.slice(0, 1000),
      },
    );
    await tem.flush();
    if (failing) {
      const ids = { companyId: video.company.id, projectId: video.project.id, videoId };
      await emit(tem, { type: 'video.failed', ...ids, reason: error.code, step });
    }
    await notifyVideo(tem, videoId, { status: 'FAILED', step });
  });
}
