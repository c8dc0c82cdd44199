// The pipeline's steps as plain functions; the graphile-worker tasks in ../tasks call them.
import { LockMode } from '@mikro-orm/core';
import { join } from 'node:path';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { STEP, type AnalyzerRecord, type VideoAnalysis, type VideoOutputs } from '@arvlite/contract';
import { Video, VideoStep, type EntityManager } from '@arvlite/db';
import { addUsage, newOutputId, transition, videoKeyIds, videoOutputKey, videoOutputPrefix } from '@arvlite/domain';
import {
  buildMasterPlaylist,
  canAnalyzeInPass,
  describeSegments,
  encodeLadder,
  encodeRendition,
  encodeStackedAlpha,
  generatePoster,
  generateStoryboard,
  planLadder,
  mediaPlaylist,
  probe,
  remuxProgressive,
  runAnalyzers,
  writeMasterPlaylist,
  type AcceptedContainer,
  type AnalyzerOutcome,
  type HlsSegment,
  type MediaInfo,
  type Rendition,
  type Rung,
} from '@arvlite/media';
import { isNotFound, ObjectChangedError } from '@arvlite/storage';
import { inSpan } from '@arvlite/telemetry';
import type { TaskContext } from '../define-task.ts';
import { enqueue, mediaJobOptions } from '../enqueue.ts';
import type { JobName } from '../job-map.ts';
import { emit } from '../outbox/emit.ts';
import { checkQuotaWarnings } from '../outbox/quota-warning.ts';
import { mediaToolkit } from './media-toolkit.ts';
import { openOriginalReader, type OriginalReader } from './original-reader.ts';
import { ensureSteps, lockLiveVideo, lockVideo, notifyVideo, updateStep } from './pipeline-state.ts';
import { ffmpegRun, PermanentStepError, privateScratchDir, runStep, type StepRun } from './run-step.ts';
import { abandonOutputs, contentTypeOf, publishFiles, storedRendition } from './video-outputs.ts';

type Ctx<N extends JobName> = TaskContext<N>;

/** HLS segment length of the playable remux (remuxProgressive's default). */
const SEGMENT_SECONDS = 4;

/**
 * The original exactly as verified at completion (If-Match on the ETag recorded then), at `path`: from this worker's
 * cache of originals when an earlier job of the video downloaded it (keyed by that ETag), else downloaded.
 */
async function downloadOriginal(ctx: Ctx<JobName>, video: Video, path: string) {
  const { originals } = await mediaToolkit(ctx.deps);
  const etag = video.originalEtag ?? null;
  await originals.place(video.originalKey, etag, video.sizeBytes, path, async (to) => {
    try {
      await ctx.deps.storage.download(video.originalKey, to, ctx.signal, { ifMatch: etag });
    } catch (e) {
      throw originalReadError(e);
    }
  });
}

/** The original read in place (no download first), with the same checks: the ETag recorded at completion. */
async function openOriginal(ctx: Ctx<JobName>, video: Video, keepTo?: string): Promise<OriginalReader> {
  try {
    const etag = video.originalEtag ?? null;
    return await openOriginalReader(ctx.deps.storage, video.originalKey, etag, video.sizeBytes, keepTo);
  } catch (e) {
    throw originalReadError(e);
  }
}

/** A read of the original failed: changed or missing for good (permanent), else the storage error itself. */
function originalReadError(e: unknown): unknown {
  if (e instanceof ObjectChangedError)
    return new PermanentStepError(
      'UPLOAD_CHANGED',
      'The stored original is not the file that was uploaded and checked; upload the video again',
    );
  if (isNotFound(e))
    return new PermanentStepError(
      'ORIGINAL_MISSING',
      'The uploaded original is missing from storage; upload the video again',
    );
  return e;
}

async function downloadOutput(ctx: Ctx<JobName>, video: Video, file: string, path: string) {
  await ctx.deps.storage.download(videoOutputKey(videoKeyIds(video), file), path, ctx.signal);
}

/** The container the upload was accepted as (set at completion); the probe refuses bytes of another one. */
function acceptedContainer(container: string | null | undefined): AcceptedContainer {
  if (container === 'mp4' || container === 'mov' || container === 'webm' || container === 'mkv') return container;
  throw new PermanentStepError('INVALID_MEDIA', 'The upload was never accepted as a video');
}

function outputsOf(video: Video): VideoOutputs {
  return video.outputs ?? {};
}

/** The MP4 the poster, storyboard and analyzers read: the playable one (upright, small, already decoded once). */
function workingRendition(outputs: VideoOutputs) {
  const all = Object.values(outputs.renditions ?? {});
  return all.find((r) => !r.ladder) ?? all.sort((a, b) => a.height * a.width - b.height * b.width)[0];
}

/** Queues `video:finalize` once every other step of a processing video is done. */
async function afterStep(ctx: Ctx<JobName>, videoId: string) {
  const { em } = ctx;
  await em.transactional(async (tem) => {
    const video = await lockLiveVideo(tem, videoId);
    if (video?.status !== 'PROCESSING') return;
    const steps = await tem.find(VideoStep, { video });
    const open = steps.filter((s) => s.name !== STEP.finalize && s.status !== 'done' && s.status !== 'skipped');
    if (open.length === 0) await enqueue(tem, 'video:finalize', { videoId }, mediaJobOptions(ctx.deps.config.media));
  });
}

/** Loads a video that is processing; null when it was deleted or failed meanwhile (the job has nothing to do). */
async function processingVideo(em: EntityManager, videoId: string) {
  const video = await em.findOne(Video, { id: videoId }, { populate: ['project'] });
  if (!video || video.deletedAt || video.status !== 'PROCESSING') return null;
  return video;
}

/**
 * Records a step's published files on the video, in one transaction under the row lock, unless the video was deleted
 * while the step ran (soft-deleted, or already swept by video:delete, which releases only the bytes the row records):
 * then the files are removed again, their bytes leave the quota, and the step ends without error, as there is
 * nothing to retry. False when the video was deleted. `bytes`: what `record` adds to the row's storedBytes, of what
 * the step has charged so far (`run.charged`).
 */
async function recordOutputs(
  ctx: Ctx<JobName>,
  video: Video,
  run: StepRun,
  bytes: number,
  record: (tem: EntityManager, live: Video) => Promise<void>,
): Promise<boolean> {
  const kept = await ctx.em.transactional(async (tem) => {
    const live = await lockLiveVideo(tem, video.id);
    if (!live) return false;
    await record(tem, live);
    return true;
  });
  if (kept) {
    // The row records these bytes now; once it records all that was charged, the files are its own too.
    run.charged -= bytes;
    if (run.charged <= 0) {
      run.charged = 0;
      run.partial.length = 0;
    }
  } else {
    const charged = run.charged;
    await abandonOutputs(ctx.em, ctx.deps.storage, run, ctx.log);
    ctx.log.info({ videoId: video.id, bytes: charged }, 'video deleted while processing; its new outputs removed');
  }
  return kept;
}

/** video:process: probe, then make the video playable as fast as possible, then fan out the rest. */
export async function processVideo(ctx: Ctx<'video:process'>) {
  const { em, deps, signal } = ctx;
  const videoId = ctx.payload.videoId;
  const started = await em.transactional(async (tem) => {
    const video = await tem.findOne(
      Video,
      { id: videoId },
      { populate: ['project'], lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!video || video.deletedAt) return null;
    let fresh = false;
    const earlierOutputs = videoOutputPrefix(videoKeyIds(video));
    // READY or FAILED: restarted only by the job of the restart asked for. A late retry of an earlier job (its worker
    // killed after it had fanned out, the rest of the pipeline finished meanwhile) would process a finished video again
    // and announce it READY twice (chaos scenario 1 caught a second video.ready).
    const restart = ctx.payload.restart !== undefined && ctx.payload.restart === video.restartToken;
    if (video.status === 'UPLOADED' || ((video.status === 'FAILED' || video.status === 'READY') && restart)) {
      fresh = video.status !== 'UPLOADED';
      video.restartToken = null;
      // A row from before output ids gets one now: its new outputs go under pub/, its old ones are deleted below.
      if (!video.outputId) video.outputId = newOutputId();
      transition(video, 'PROCESSING');
      await tem.nativeDelete(VideoStep, { video });
      video.outputs = null;
      video.analysis = null;
      video.playableAt = null;
      video.readyAt = null;
    } else if (video.status !== 'PROCESSING') {
      return null; // still uploading, or finished and not asked to start again: nothing to do
    }
    await tem.flush();
    await ensureSteps(tem, video, [{ name: STEP.probe }, { name: STEP.playable }]);
    await notifyVideo(tem, videoId, { status: 'PROCESSING' });
    return { video, fresh, earlierOutputs };
  });
  if (!started) return;
  const { video } = started;
  if (started.fresh) {
    // Reprocessing starts again from the original; earlier outputs go (and their bytes leave the quota).
    await deps.storage.deletePrefix(started.earlierOutputs);
    await em.transactional(async (tem) => {
      const v = await lockVideo(tem, videoId);
      await addUsage(tem, v.company.id, -(v.storedBytes - v.sizeBytes));
      v.storedBytes = v.sizeBytes;
    });
  }

  const tk = await mediaToolkit(deps);
  // The job's scratch directory is made inside the probe step, so a disk too full for even a directory fails that step
  // with its reason and a retry, instead of the job outside any step. The original is read in place (openOriginal):
  // probing and the playable remux start at once, whatever the file's length.
  let jobDir: string | undefined;
  let reader: OriginalReader | undefined;
  const readFailure = (e: unknown) => {
    const cause = reader?.failure();
    return cause ? originalReadError(cause) : e;
  };
  try {
    const info = await runStep(ctx, videoId, STEP.probe, async () => {
      // Once per job: a probe run again in the same attempt (a passing fault) keeps the directory it made.
      jobDir ??= await privateScratchDir(deps.config.media.scratchDir, `${videoId}-process`);
      await reader?.close(); // a step run again in the same attempt opens its own
      // What the reader serves is kept in the job's directory: after a whole remux, the worker's copy of the original.
      // Not when the cache could not take it: writing a copy only to delete it costs the remux disk bandwidth (a
      // 1.26 GB 10-minute clip over the 1 GiB default reached playable in 4.48 s in a full bench run, 3.1 s before).
      const keep = !!video.originalEtag && video.sizeBytes <= deps.config.media.originalCacheBytes;
      reader = await openOriginal(ctx, video, keep ? join(jobDir, 'original-read') : undefined);
      const media = await probe(tk.bin, reader.input, {
        signal,
        cwd: jobDir,
        container: acceptedContainer(video.container),
        limits: { maxDurationS: deps.config.media.maxDurationS, maxPixelRate: deps.config.media.maxPixelRate },
      }).catch((e: unknown) => {
        throw readFailure(e);
      });
      await em.nativeUpdate(Video, { id: videoId, deletedAt: null }, { media });
      return media;
    });

    await runStep(
      ctx,
      videoId,
      STEP.playable,
      async (run) => {
        const ladder = planLadder(info);
        const isLadder = (r: Rendition) => ladder.some((l) => l.name === r.name);
        let first: Rendition;
        const stored: StoredSegments = { segments: [], bytes: 0 };
        if (info.isStandard) {
          // A remux while reading: playable once its first segments are stored, however long the source is.
          const made = await ffmpegRun('remux', 'source', info.durationS, () =>
            remuxProgressive(tk.bin, reader!.input, info, run.dir, {
              signal,
              onProgress: run.progress,
              name: 'source',
              segmentSeconds: SEGMENT_SECONDS,
              onSegments: (dir, segments) => publishSegments(ctx, video, info, run, dir, segments, stored),
            }),
          ).catch(async (e: unknown) => {
            await reader!.discard();
            throw readFailure(e);
          });
          if (!made) return; // deleted while processing: what it stored is gone again
          first = made;
          // The remux read every byte: that copy becomes this worker's cached original, before the next jobs are
          // queued, so the ladder (or the analysis) on this worker need not download it again.
          const copy = await reader!.kept();
          if (copy) await tk.originals.adopt(video.originalKey, video.originalEtag ?? null, copy);
        } else {
          const local = join(jobDir!, 'original');
          await downloadOriginal(ctx, video, local);
          const lowest = ladder.at(-1)!;
          first = await tk.encodes.use(
            () =>
              ffmpegRun('encode', lowest.name, info.durationS, () =>
                encodeRendition(tk.bin, local, info, lowest, run.dir, {
                  signal,
                  onProgress: run.progress,
                  preset: deps.config.media.x264Preset,
                }),
              ),
            signal,
          );
        }
        // A source with transparency also gets its colour and matte side by side in H.264, which every browser
        // plays: the viewers compose them, so the photo shows where the video is transparent.
        const alpha = info.hasAlpha
          ? await tk.encodes.use(
              () =>
                ffmpegRun('encode', 'alpha', info.durationS, () =>
                  encodeStackedAlpha(tk.bin, join(jobDir!, 'original'), info, run.dir, {
                    signal,
                    preset: deps.config.media.x264Preset,
                  }),
                ),
              signal,
            )
          : null;
        await writeMasterPlaylist(run.dir, [first]);
        // Segments published while the remux ran are not published again; the playlists are (now the final ones).
        const done = new Set(stored.segments.map((seg) => seg.uri));
        const files = [...first.files, 'master.m3u8', ...(alpha ? [alpha.mp4] : [])].filter((f) => !done.has(f));
        const bytes = stored.bytes + (await publishFiles(em, deps.storage, video, run.dir, files, run));
        await recordOutputs(ctx, video, run, bytes, async (tem, v) => {
          v.outputs = {
            master: 'master.m3u8',
            renditions: { [first.name]: storedRendition(first, isLadder(first)) },
            ...(alpha ? { alpha } : {}),
          };
          const early = v.playableAt !== null && v.playableAt !== undefined;
          v.playableAt ??= new Date();
          v.storedBytes += bytes;
          await tem.flush();
          const rest = ladder.filter((r) => r.name !== first.name);
          await ensureSteps(tem, v, [
            ...ladder.map((r) => ({
              name: STEP.rendition(r.name),
              status: r.name === first.name ? ('done' as const) : undefined,
            })),
            { name: STEP.images },
            { name: STEP.analysis },
            { name: STEP.finalize },
          ]);
          const opts = mediaJobOptions(deps.config.media);
          if (onePass(deps.config.media, info)) {
            // One decode of the original for the rest of the ladder, the poster, the storyboard and (when every
            // configured analyzer can run as filters of it) the analysis.
            const analysis = canAnalyzeInPass(tk.analyzers);
            const names = rest.map((r) => r.name);
            await enqueue(tem, 'video:ladder', { videoId, rungs: names, images: true, analysis }, opts);
            if (!analysis) await enqueue(tem, 'video:analyze', { videoId }, opts);
          } else {
            for (const r of rest) {
              await enqueue(tem, 'video:rendition', { videoId, rung: r.name }, opts);
            }
            await enqueue(tem, 'video:images', { videoId }, opts);
            await enqueue(tem, 'video:analyze', { videoId }, opts);
          }
          if (!early) await notifyVideo(tem, videoId, { playable: true });
        });
      },
      {},
    );
  } finally {
    await reader?.close();
    if (jobDir) await rm(jobDir, { recursive: true, force: true });
  }
}

/** The playable remux's segments stored so far, and the bytes charged for them. */
interface StoredSegments {
  segments: HlsSegment[];
  bytes: number;
}

/**
 * Publishes segments the playable remux has just finished, then the growing (EVENT) playlist over every segment stored
 * so far; after the first ones also the master playlist, and the video becomes playable. False: the video was deleted
 * meanwhile (what this step stored is removed again, its bytes leave the quota) and the remux should stop.
 */
async function publishSegments(
  ctx: Ctx<'video:process'>,
  video: Video,
  info: MediaInfo,
  run: StepRun,
  dir: string,
  segments: HlsSegment[],
  stored: StoredSegments,
): Promise<boolean> {
  const { em, deps } = ctx;
  const uris = segments.map((seg) => seg.uri);
  stored.bytes += await publishFiles(em, deps.storage, video, dir, uris, run);
  const first = stored.segments.length === 0;
  stored.segments.push(...segments);
  // Players reload the growing playlist: stored no-cache, as every playlist is (a CDN in front must not keep it).
  const put = async (file: string, text: string) => {
    if (!run.partial.includes(file)) run.partial.push(file);
    const local = join(run.dir, `live-${file}`);
    await writeFile(local, text);
    await deps.storage.putFile(videoOutputKey(videoKeyIds(video), file), local, contentTypeOf(file), 'no-cache');
  };
  await put('source.m3u8', mediaPlaylist(stored.segments, SEGMENT_SECONDS, false));
  if (!first) return true;
  // The variant as far as it is known now: the codecs of the first segment, the bit rate of those stored.
  const variant = await describeSegments((await mediaToolkit(deps)).bin, dir, 'source', stored.segments, info);
  await put('master.m3u8', buildMasterPlaylist([variant]));
  // Records no bytes yet: the step's last record does, for every segment (`stored.bytes` is part of its count).
  return recordOutputs(ctx, video, run, 0, async (tem, v) => {
    v.outputs = { master: 'master.m3u8' };
    const early = !!v.playableAt;
    v.playableAt ??= new Date();
    await tem.flush();
    if (!early) await notifyVideo(tem, video.id, { playable: true });
  });
}

/** The probed media of a video a step works on, and the named rungs of its ladder (a rung it has not: permanent). */
function probedRungs(video: Video, names: readonly string[]): { info: MediaInfo; rungs: Rung[] } {
  const info = video.media;
  if (!info) throw new PermanentStepError('INVALID_MEDIA', 'The video was never probed');
  const planned = planLadder(info);
  const rungs = names.map((name) => {
    const rung = planned.find((r) => r.name === name);
    if (!rung)
      throw new PermanentStepError('ENCODE_FAILED', `No ${name} rung for a ${info.width}x${info.height} source`);
    return rung;
  });
  return { info, rungs };
}

/** video:rendition: one rung of the ladder from the original. */
export async function renderRung(ctx: Ctx<'video:rendition'>) {
  const { em, deps, signal, payload } = ctx;
  const video = await processingVideo(em, payload.videoId);
  if (!video) return;
  const { info, rungs } = probedRungs(video, [payload.rung]);
  const rung = rungs[0]!;
  const tk = await mediaToolkit(deps);
  await runStep(ctx, video.id, STEP.rendition(rung.name), async (run) => {
    const local = join(run.dir, 'original');
    await downloadOriginal(ctx, video, local);
    const out = join(run.dir, 'out');
    await mkdir(out);
    const r = await tk.encodes.use(
      () =>
        ffmpegRun('encode', rung.name, info.durationS, () =>
          encodeRendition(tk.bin, local, info, rung, out, {
            signal,
            onProgress: run.progress,
            preset: deps.config.media.x264Preset,
          }),
        ),
      signal,
    );
    const bytes = await publishFiles(em, deps.storage, video, out, r.files, run);
    await recordOutputs(ctx, video, run, bytes, async (tem, v) => {
      const outputs = outputsOf(v);
      const previous = outputs.renditions?.[r.name]?.sizeBytes ?? 0;
      v.outputs = { ...outputs, renditions: { ...outputs.renditions, [r.name]: storedRendition(r, true) } };
      v.storedBytes += bytes - previous;
      // The new files were charged as they were published; the ones they overwrote leave the quota.
      await addUsage(tem, v.company.id, -previous);
    });
  });
  await afterStep(ctx, video.id);
}

/**
 * Whether a clip's ladder and images are made in one ffmpeg pass (video:ladder) rather than one job per rung: one
 * decode instead of one per rung and image, so less CPU and a shorter time to READY on one worker; per-rung jobs let
 * several workers share a long clip (and keep each job short). The crossover is MEDIA_LADDER_ONE_PASS_MAX_S.
 */
export function onePass(media: { ladderOnePassMaxS: number }, info: Pick<MediaInfo, 'durationS'>): boolean {
  return info.durationS <= media.ladderOnePassMaxS;
}

/**
 * video:ladder: the given rungs and (with `images`) the poster and storyboard from one ffmpeg pass over the original.
 * Their steps run, fail and retry together; the outputs are recorded as video:rendition and video:images record them.
 */
export async function renderLadder(ctx: Ctx<'video:ladder'>) {
  const { em, deps, signal, payload } = ctx;
  const video = await processingVideo(em, payload.videoId);
  if (!video) return;
  const { info, rungs } = probedRungs(video, payload.rungs);
  const steps = [
    ...rungs.map((r) => STEP.rendition(r.name)),
    ...(payload.images ? [STEP.images] : []),
    ...(payload.analysis ? [STEP.analysis] : []),
  ];
  if (steps.length === 0) return afterStep(ctx, video.id);
  const tk = await mediaToolkit(deps);
  const label = { label: 'ladder' };
  await runStep(
    ctx,
    video.id,
    steps,
    async (run) => {
      const local = join(run.dir, 'original');
      await downloadOriginal(ctx, video, local);
      const out = join(run.dir, 'out');
      await mkdir(out);
      const made = await tk.encodes.use(
        () =>
          ffmpegRun('encode', 'ladder', info.durationS, () =>
            encodeLadder(tk.bin, local, info, rungs, out, {
              signal,
              onProgress: run.progress,
              preset: deps.config.media.x264Preset,
              images: payload.images,
              analyzers: payload.analysis ? tk.analyzers : [],
            }),
          ),
        signal,
      );
      const { poster, storyboard } = made;
      let bytes = 0;
      for (const r of made.renditions) bytes += await publishFiles(em, deps.storage, video, out, r.files, run);
      const posterBytes = poster
        ? await publishFiles(em, deps.storage, video, out, [poster.jpeg, poster.webp], run)
        : 0;
      const boardBytes = storyboard
        ? await publishFiles(em, deps.storage, video, out, [storyboard.sprite, storyboard.vtt], run)
        : 0;
      bytes += posterBytes + boardBytes;
      await recordOutputs(ctx, video, run, bytes, async (tem, v) => {
        const outputs = outputsOf(v);
        const renditions = { ...outputs.renditions };
        let previous = 0;
        for (const r of made.renditions) {
          previous += renditions[r.name]?.sizeBytes ?? 0;
          renditions[r.name] = storedRendition(r, true);
        }
        const next: VideoOutputs = { ...outputs, renditions };
        if (poster) {
          previous += outputs.poster?.sizeBytes ?? 0;
          next.poster = { ...poster, sizeBytes: posterBytes };
        }
        if (storyboard) {
          previous += outputs.storyboard?.sizeBytes ?? 0;
          next.storyboard = { ...storyboard, sizeBytes: boardBytes };
        }
        v.outputs = next;
        if (payload.analysis) v.analysis = analysisRecord(made.analysis);
        v.storedBytes += bytes - previous;
        // The new files were charged as they were published; the ones they overwrote leave the quota.
        await addUsage(tem, v.company.id, -previous);
      });
    },
    label,
  );
  await afterStep(ctx, video.id);
}

/** video:images: poster (JPEG + WebP) and storyboard sprite + WebVTT. */
export async function makeImages(ctx: Ctx<'video:images'>) {
  const { em, deps, signal, payload } = ctx;
  const video = await processingVideo(em, payload.videoId);
  if (!video) return;
  const tk = await mediaToolkit(deps);
  await runStep(ctx, video.id, STEP.images, async (run) => {
    const source = workingRendition(outputsOf(video));
    if (!source) throw new Error('No playable rendition to take images from');
    const local = join(run.dir, 'input.mp4');
    await downloadOutput(ctx, video, source.mp4, local);
    const info = await probe(tk.bin, local, { signal, container: 'mp4' });
    const out = join(run.dir, 'out');
    await mkdir(out);
    const poster = await inSpan('ffmpeg poster', {}, () => generatePoster(tk.bin, local, info, out, { signal }));
    run.progress(50);
    const board = await inSpan('ffmpeg storyboard', {}, () => generateStoryboard(tk.bin, local, info, out, { signal }));
    const posterBytes = await publishFiles(em, deps.storage, video, out, [poster.jpeg, poster.webp], run);
    const boardBytes = await publishFiles(em, deps.storage, video, out, [board.sprite, board.vtt], run);
    await recordOutputs(ctx, video, run, posterBytes + boardBytes, async (tem, v) => {
      const outputs = outputsOf(v);
      const previous = (outputs.poster?.sizeBytes ?? 0) + (outputs.storyboard?.sizeBytes ?? 0);
      v.outputs = {
        ...outputs,
        poster: {
          jpeg: poster.jpeg,
          webp: poster.webp,
          width: poster.width,
          height: poster.height,
          timeS: poster.timeS,
          sizeBytes: posterBytes,
        },
        storyboard: { ...board, sizeBytes: boardBytes },
      };
      v.storedBytes += posterBytes + boardBytes - previous;
      await addUsage(tem, v.company.id, -previous);
    });
  });
  await afterStep(ctx, video.id);
}

/** What the video records of its analyzers' outcomes: each result, or its error's message. */
function analysisRecord(outcomes: readonly AnalyzerOutcome[]): VideoAnalysis {
  return Object.fromEntries(
    outcomes.map((o): [string, AnalyzerRecord] => [
      o.name,
      o.ok
        ? { ok: true, durationMs: Math.round(o.durationMs), result: o.result }
        : { ok: false, durationMs: Math.round(o.durationMs), error: o.error.message.slice(0, 500) },
    ]),
  );
}

/** video:analyze: the configured analyzers; one failing analyzer is recorded, not fatal. */
export async function analyze(ctx: Ctx<'video:analyze'>) {
  const { em, deps, signal, payload } = ctx;
  const video = await processingVideo(em, payload.videoId);
  if (!video) return;
  const tk = await mediaToolkit(deps);
  await runStep(ctx, video.id, STEP.analysis, async (run) => {
    const source = workingRendition(outputsOf(video));
    if (!source) throw new Error('No playable rendition to analyze');
    const local = join(run.dir, 'input.mp4');
    await downloadOutput(ctx, video, source.mp4, local);
    const info = await probe(tk.bin, local, { signal, container: 'mp4' });
    const outcomes = await inSpan('analyzers', {}, () => runAnalyzers(tk.analyzers, local, info, { signal }));
    await em.nativeUpdate(Video, { id: video.id, deletedAt: null }, { analysis: analysisRecord(outcomes) });
  });
  await afterStep(ctx, video.id);
}

/** video:finalize: the full master playlist, storage accounting, READY. */
export async function finalize(ctx: Ctx<'video:finalize'>) {
  const { em, deps, payload } = ctx;
  const video = await processingVideo(em, payload.videoId);
  if (!video) return;
  await runStep(ctx, video.id, STEP.finalize, async (run) => {
    const outputs = outputsOf(video);
    const ladder = Object.values(outputs.renditions ?? {}).filter((r) => r.ladder);
    const variants = ladder.length ? ladder : Object.values(outputs.renditions ?? {});
    const master = buildMasterPlaylist(variants.map((r) => ({ ...r, segments: [] })));
    const masterKey = videoOutputKey(videoKeyIds(video), 'master.m3u8');
    await deps.storage.put(masterKey, master, 'application/vnd.apple.mpegurl');
    run.progress(50);
    const ready = await em.transactional(async (tem) => {
      // Deleted meanwhile: it stays deleted, never READY, and announces nothing.
      const v = await lockLiveVideo(tem, video.id);
      if (!v) return false;
      transition(v, 'READY');
      v.readyAt = new Date();
      await tem.flush();
      // Done in the same commit as READY: nobody sees a READY video with a step still running.
      await updateStep(tem, video.id, STEP.finalize, { status: 'done', progress: 100, finishedAt: v.readyAt });
      await emit(tem, { type: 'video.ready', companyId: v.company.id, projectId: v.project.id, videoId: v.id });
      await checkQuotaWarnings(tem, v.company.id);
      await notifyVideo(tem, video.id, { status: 'READY' });
      return true;
    });
    // A sweep that ran before this write would leave it behind.
    if (!ready) await deps.storage.delete(masterKey);
  });
}
