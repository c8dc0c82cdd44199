// marker:compile: download the upload, normalize, score, compile the MindAR target, publish, load it back, READY.
// mind-ar ships no typings; @arvlite/marker declares them in a .d.ts only its own tsconfig includes, so programs that
// import the package need this reference (drop it once packages/marker references the file from its sources).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- see above
/// <reference path="../../../marker/src/mind-ar-modules.d.ts" />
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MARKER_MAX_BYTES } from '@arvlite/contract';
import { ArContent } from '@arvlite/db';
import { MARKER_FILES, markerKey, type ArContentKeyIds } from '@arvlite/domain';
import {
  ADVICE,
  compileMindTargetInThread,
  isMarkerError,
  loadMindFile,
  MarkerError,
  normalizeMarker,
  scoreMarker,
  type MarkerScore,
} from '@arvlite/marker';
import { isNotFound, ObjectChangedError, ObjectTooLargeError, type ObjectStore } from '@arvlite/storage';
import { inSpan } from '@arvlite/telemetry';
import { defineTask, type TaskDeps } from '../define-task.ts';
import { checkGateInThread } from '../marker/detection-thread.ts';
import {
  failMarker,
  holdMarker,
  isQueued,
  keyIds,
  publishMarker,
  type CompiledRevision,
} from '../marker/marker-state.ts';
import { Semaphore } from '../pipeline/media-toolkit.ts';
import { PermanentStepError } from '../pipeline/run-step.ts';
import { stoppedOnEveryAttempt } from '../reap-workers.ts';
import { extendForTransient } from '../transient.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

const slots = new WeakMap<TaskDeps, Semaphore>();

/** Compiles are CPU- and memory-heavy: at most MARKER_COMPILE_CONCURRENCY per process, the rest wait their turn. */
export function compileSlots(deps: TaskDeps): Semaphore {
  let s = slots.get(deps);
  if (!s) {
    s = new Semaphore(deps.config.markers.compileConcurrency);
    slots.set(deps, s);
  }
  return s;
}

export const markerCompile = defineTask('marker:compile', async ({ em, deps, payload, log, helpers, signal }) => {
  const content = await em.findOne(ArContent, { id: payload.arContentId }, { populate: ['project'] });
  if (!isQueued(content, payload.revision)) {
    log.info(
      { arContentId: payload.arContentId, revision: payload.revision },
      'marker revision no longer queued; skipping',
    );
    return;
  }
  const ids = keyIds(content);
  const dir = join(deps.config.media.scratchDir, 'markers', `${ids.arContentId}-${payload.revision}-${helpers.job.id}`);
  const seen: { score?: MarkerScore } = {};
  try {
    if (stoppedOnEveryAttempt(helpers.job))
      throw new PermanentStepError(
        'MARKER_FAILED',
        `Compiling the marker stopped the worker on each of its ${helpers.job.attempts - 1} attempts (killed, crashed ` +
          'or out of memory). Try a smaller or simpler photo.',
      );
    const result = await compileSlots(deps).use(
      () =>
        inSpan('marker compile', { 'arvlite.marker.revision': payload.revision }, () =>
          compileRevision(
            deps.storage,
            ids,
            payload.revision,
            content.markerOriginalEtag,
            content.widthMm ?? null,
            dir,
            seen,
            signal,
          ),
        ),
      signal,
    );
    // Below the gate (not detected head-on at 30 cm at its printed size) a marker is published only when an editor
    // confirms it; an older published marker keeps serving meanwhile.
    const gate = result.gate;
    const passes = !gate || gate.passes;
    const done = passes
      ? await publishMarker(em, deps.storage, log, ids, payload.revision, result)
      : await holdMarker(em, deps.storage, log, ids, payload.revision, { ...result, gate });
    log.info(
      {
        arContentId: ids.arContentId,
        revision: payload.revision,
        [passes ? 'published' : 'awaitingConfirmation']: done,
        score: result.score.score,
        compileMs: result.compileMs,
        gate,
        gateMs: result.gateMs,
      },
      'marker compiled',
    );
  } catch (e) {
    if (signal.aborted) throw e; // shutting down: the job runs again from the start
    const permanent = isMarkerError(e) || e instanceof PermanentStepError;
    // Storage or the database away, the scratch disk full: more attempts (MEDIA_JOB_TRANSIENT_ATTEMPTS) with backoff.
    if (!permanent) await extendForTransient(helpers, e, deps.config.media.jobTransientAttempts);
    const final = permanent || helpers.job.attempts >= helpers.job.max_attempts;
    if (permanent) log.info({ arContentId: ids.arContentId, code: (e as MarkerError).code }, 'marker refused');
    else log.warn({ err: e, arContentId: ids.arContentId, final }, 'marker compile failed');
    if (!final) throw e;
    const failure = permanent
      ? { code: (e as MarkerError | PermanentStepError).code, message: (e as Error).message }
      : {
          code: 'MARKER_FAILED',
          message: 'The marker could not be processed. Upload it again; if it keeps failing, try another photo.',
        };
    await failMarker(em, deps.storage, log, ids, payload.revision, { ...failure, score: seen.score });
    // An unusable image is an answer, not a job failure; anything else stays visible in the queue.
    if (!permanent) throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The revision's original as verified at completion (If-Match), streamed and cut off past MARKER_MAX_BYTES. */
async function readOriginal(storage: ObjectStore, key: string, etag: string | null | undefined): Promise<Buffer> {
  try {
    return await storage.getBytesBounded(key, MARKER_MAX_BYTES, { ifMatch: etag });
  } catch (e) {
    if (isNotFound(e))
      throw new PermanentStepError('UPLOAD_MISSING', 'The uploaded marker image is gone. Upload it again.');
    if (e instanceof ObjectTooLargeError)
      throw new PermanentStepError(
        'UPLOAD_TOO_LARGE',
        `The marker image is larger than ${MARKER_MAX_BYTES / 1024 / 1024} MiB. Upload a smaller photo.`,
      );
    if (e instanceof ObjectChangedError)
      throw new PermanentStepError(
        'UPLOAD_CHANGED',
        'The stored marker image is not the one that was uploaded and checked. Upload it again.',
      );
    throw e;
  }
}

async function compileRevision(
  storage: ObjectStore,
  ids: ArContentKeyIds,
  revision: number,
  etag: string | null | undefined,
  widthMm: number | null,
  dir: string,
  seen: { score?: MarkerScore },
  signal: AbortSignal,
): Promise<CompiledRevision> {
  const original = await readOriginal(storage, markerKey(ids, revision, 'original'), etag);
  const normalized = await normalizeMarker(original);
  // The compile in a thread of its own (seconds of CPU at a stretch would otherwise stall this process's other jobs)
  // while the score runs here: two cores at once. An image with nothing to track stops the compile at once.
  const stop = new AbortController();
  const compiling = compileMindTargetInThread(normalized.grey, { signal: AbortSignal.any([signal, stop.signal]) });
  compiling.catch(() => {}); // awaited below; a failure while the score runs must not go unhandled meanwhile
  let score: MarkerScore;
  try {
    score = await scoreMarker(normalized.jpeg);
    seen.score = score;
    if (score.featureCount === 0) throw new MarkerError('NO_FEATURES', ADVICE.noFeatures);
  } catch (e) {
    stop.abort(e);
    await compiling.catch(() => {});
    throw e;
  }
  const compiled = await compiling;

  await mkdir(dir, { recursive: true });
  const outputs = [
    ['image', normalized.jpeg, 'image/jpeg'],
    ['webp', normalized.webp, 'image/webp'],
    ['thumbnail', normalized.thumbnail, 'image/jpeg'],
    ['mind', compiled.mind, 'application/octet-stream'],
  ] as const;
  let storedBytes = original.length;
  for (const [file, body, contentType] of outputs) {
    const path = join(dir, MARKER_FILES[file]);
    await writeFile(path, body);
    storedBytes += await storage.putFile(markerKey(ids, revision, file), path, contentType, IMMUTABLE);
  }

  // The file viewers will download, loaded back the way MindAR loads it.
  const loaded = await loadMindFile(await storage.getBytes(markerKey(ids, revision, 'mind')));
  const [target] = loaded.targets;
  if (
    loaded.targets.length !== 1 ||
    target?.matchingPoints !== compiled.matchingPoints ||
    target.trackingPoints !== compiled.trackingPoints
  ) {
    throw new MarkerError(
      'COMPILE_FAILED',
      'The published AR marker does not match what was compiled. Upload the image again.',
    );
  }
  // The gate: detected head-on at 30 cm at its printed size, on the file viewers get (measured in a thread).
  const gateStarted = performance.now();
  const gate = await checkGateInThread({ pixels: normalized.jpeg, widthMm, mind: compiled.mind }, signal);
  const gateMs = Math.round(performance.now() - gateStarted);
  return {
    width: normalized.width,
    height: normalized.height,
    score,
    matchingPoints: compiled.matchingPoints,
    trackingPoints: compiled.trackingPoints,
    compileMs: compiled.durationMs,
    storedBytes,
    gate,
    gateMs,
  };
}
