// What processing looks like from outside: step status and progress, media metadata, outputs, playback; retry and reprocess.
import { isTerminalVideoStatus, parseStepName, type VideoStatusEvent } from '@arvlite/contract';
import type { MediaInfo } from '@arvlite/contract';
import { Video, type EntityManager, type VideoRecord } from '@arvlite/db';
import { restartProcessing, resumeProcessing } from '@arvlite/jobs';
import { LockMode } from '@mikro-orm/core';
import { TRPCError } from '@trpc/server';
import { createAccess, type Access, type Caller } from '../access.ts';
import { actorOf, audit } from '../audit.ts';
import type { Context } from '../context.ts';
import { hitRateLimit } from '../auth/rate-limit.ts';
import { ConflictError, DomainError, RateLimitedError } from '../errors.ts';
import { changeEvents } from '../change-events.ts';
import { playbackUrls } from './playback.service.ts';
import { videoView } from './video.service.ts';

type Ctx = Pick<Context, 'em' | 'orm' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};

/** Pass `loaded` when the caller has just read the video in this request; otherwise it is re-read fresh. */
export async function statusView(
  em: EntityManager,
  videoId: string,
  loaded?: Pick<VideoRecord, 'id' | 'status' | 'failureCode' | 'failureMessage' | 'playableAt' | 'readyAt'>,
): Promise<VideoStatusEvent> {
  const video = loaded ?? (await em.findOneOrFail(Video, { id: videoId }, { refresh: true }));
  const steps = await em.getRepository(Video).readSteps(videoId);
  const weights = steps.map((s) => {
    const kind = parseStepName(s.name)?.kind;
    return kind === 'rendition' || kind === 'playable' ? 3 : 1;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const progress = total
    ? Math.round(
        steps.reduce(
          (n, s, i) => n + (s.status === 'done' || s.status === 'skipped' ? 100 : s.progress) * weights[i]!,
          0,
        ) / total,
      )
    : video.status === 'READY'
      ? 100
      : 0;
  return {
    id: video.id,
    status: video.status,
    failure: video.failureCode ? { code: video.failureCode, message: video.failureMessage ?? '' } : null,
    progress: video.status === 'READY' ? 100 : progress,
    playableAt: video.playableAt ?? null,
    readyAt: video.readyAt ?? null,
    steps: steps.map((s) => ({
      name: s.name,
      status: s.status,
      progress: s.status === 'done' ? 100 : s.progress,
      attempts: s.attempts,
      startedAt: s.startedAt ?? null,
      finishedAt: s.finishedAt ?? null,
      durationMs: s.startedAt && s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null,
      error: s.errorCode ? { code: s.errorCode, message: s.errorMessage ?? '' } : null,
    })),
  };
}

/** What the dashboard shows of the probe (the rest is internal to processing). */
function mediaView(media: MediaInfo | null | undefined) {
  if (!media) return null;
  return {
    durationS: media.durationS,
    width: media.width,
    height: media.height,
    rotation: media.rotation,
    fps: media.fps,
    isVfr: media.isVfr,
    videoCodec: media.videoCodec,
    pixFmt: media.pixFmt,
    bitDepth: media.bitDepth,
    hasAudio: media.hasAudio,
    audioCodec: media.audioCodec,
    bitrate: media.bitrate,
    isHdr: media.isHdr,
    container: media.container,
    isStandard: media.isStandard,
  };
}

/** Read-only: the video and its steps come as plain rows, so nothing enters the EntityManager. */
export async function videoDetail(ctx: Ctx, videoId: string) {
  const { video } = await ctx.access.videoRecord(videoId);
  const status = await statusView(ctx.em, video.id, video);
  const outputs = video.outputs ?? {};
  return {
    ...videoView(video),
    progress: status.progress,
    steps: status.steps,
    media: mediaView(video.media),
    analysis: video.analysis ?? null,
    renditions: Object.values(outputs.renditions ?? {})
      .filter((r) => r.ladder)
      .map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bandwidth: r.bandwidth,
        codecs: r.codecs,
        sizeBytes: r.sizeBytes,
        hasAudio: r.hasAudio,
        durationS: r.durationS,
      })),
    storedBytes: video.storedBytes,
    playback: await playbackUrls(ctx, video),
  };
}

/** How often an open status stream checks that its subscriber may still see the video, events or not. */
export const STATUS_ACCESS_RECHECK_MS = 5000;

/**
 * Streams status until READY or FAILED: the current state first, then every change NOTIFY reports. The caller's
 * access is checked again before every event and every STATUS_ACCESS_RECHECK_MS: once they are no longer a member
 * (or the video is gone), the stream ends with NOT_FOUND, as a new request would.
 */
export async function* watchStatus(ctx: Ctx, videoId: string, signal: AbortSignal | undefined) {
  const { video } = await ctx.access.video(videoId);
  const events = changeEvents(ctx.config.database.url, ctx.log);
  await events.ready();
  let wake: (() => void) | undefined;
  let dirty = true;
  const unsubscribe = events.subscribe('video', video.id, () => {
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  const recheck = setInterval(() => wake?.(), STATUS_ACCESS_RECHECK_MS);
  try {
    let last = '';
    while (!signal?.aborted) {
      if (!dirty) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (signal?.aborted) break;
      await recheckAccess(ctx, video.id);
      if (!dirty) continue;
      dirty = false;
      const snapshot = await statusView(ctx.orm.fork(), video.id);
      const key = JSON.stringify(snapshot);
      if (key !== last) {
        last = key;
        yield snapshot;
      }
      if (isTerminalVideoStatus(snapshot.status)) return;
    }
  } finally {
    clearInterval(recheck);
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The live membership check of a new request, from inside a stream: a TRPCError, since tRPC maps nothing there. */
async function recheckAccess(ctx: Ctx, videoId: string) {
  try {
    await createAccess(ctx.orm.fork(), ctx.caller, ctx.access.minRole).videoRecord(videoId);
  } catch (e) {
    if (e instanceof DomainError) throw new TRPCError({ code: e.code, message: e.message, cause: e });
    throw e;
  }
}

/**
 * Each retry or reprocess starts ffmpeg over the company's videos again: at most VIDEO_REPROCESS_PER_HOUR per company
 * per hour (counted in Postgres, so across server instances), whoever of its members asks. Called before the
 * caller's transaction, so that a call refused later (a video still processing) counts too.
 */
async function limitReprocessing(ctx: Ctx, companyId: string) {
  try {
    await hitRateLimit(ctx.em, {
      key: `reprocess:company:${companyId}`,
      max: ctx.config.media.reprocessPerHour,
      windowS: 3600,
    });
  } catch (e) {
    if (!(e instanceof RateLimitedError)) throw e;
    throw new DomainError('TOO_MANY_REQUESTS', 'This company has reprocessed too many videos in the last hour', {
      reason: 'REPROCESS_LIMIT',
      retryAfterS: e.details?.retryAfterS,
    });
  }
}

/** Resumes a failed video from the step that failed (renditions, images, analysis or finalize keep what was done). */
export async function retryVideo(ctx: Ctx, videoId: string) {
  await limitReprocessing(ctx, (await ctx.access.video(videoId)).video.company.id);
  return ctx.em.transactional(async (tem) => {
    const { video: found } = await ctx.access.video(videoId);
    const video = await tem.findOneOrFail(
      Video,
      { id: found.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (video.status !== 'FAILED' || !video.uploadedAt)
      throw new ConflictError('Only a video that failed processing can be retried', { status: video.status });
    const resumed = await resumeProcessing(tem, video, ctx.config.media);
    audit(tem, actorOf(ctx), {
      companyId: video.company.id,
      action: 'video.retry',
      targetType: 'video',
      targetId: video.id,
      changes: { fromStep: { from: null, to: resumed.steps.join(',') } },
    });
    return { ok: true as const, resumedFrom: resumed.fromScratch ? 'probe' : resumed.steps };
  });
}

/** Processes a READY (or FAILED) video again from its kept original. */
export async function reprocessVideo(ctx: Ctx, videoId: string) {
  await limitReprocessing(ctx, (await ctx.access.video(videoId)).video.company.id);
  return ctx.em.transactional(async (tem) => {
    const { video } = await ctx.access.video(videoId);
    if (video.status !== 'READY' && video.status !== 'FAILED')
      throw new ConflictError('Only a READY or FAILED video can be reprocessed', { status: video.status });
    if (!video.uploadedAt) throw new ConflictError('This video was never uploaded');
    await restartProcessing(tem, video.id, ctx.config.media, { restart: true });
    audit(tem, actorOf(ctx), {
      companyId: video.company.id,
      action: 'video.reprocess',
      targetType: 'video',
      targetId: video.id,
    });
    return { ok: true as const };
  });
}
