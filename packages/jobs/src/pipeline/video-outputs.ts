// Moving step outputs from a scratch directory to storage (their record, VideoOutputs, is in @arvlite/contract).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredRendition } from '@arvlite/contract';
import type { Rendition } from '@arvlite/media';
import type { Logger } from 'pino';
import type { ObjectStore } from '@arvlite/storage';
import type { EntityManager, Video } from '@arvlite/db';
import {
  addUsage,
  chargeUsage,
  QuotaExceededError,
  videoKeyIds,
  videoOutputKey,
  type VideoKeyIds,
} from '@arvlite/domain';
import { PermanentStepError } from './run-step.ts';

const TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  mp4: 'video/mp4',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  vtt: 'text/vtt',
};

export function contentTypeOf(file: string): string {
  return TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream';
}

/**
 * What a step has stored that no row records yet (`StepRun` carries it): the files under the video's output prefix,
 * and the bytes charged to the company for them. A step that fails, or finds its video deleted, removes these files
 * and refunds these bytes (`abandonOutputs`); recording them on the row (`recordOutputs` in steps.ts) hands them over.
 */
export interface UnrecordedOutputs {
  /** File names under the video's output prefix, in the order they were started. */
  partial: string[];
  /** Bytes charged for them and not yet recorded in the video's storedBytes. */
  charged: number;
  /** The video's storage key ids, known from the first publish on: the row may be gone when they are removed. */
  keys?: VideoKeyIds;
}

/** Uploads running at once for one publish: s3rver and S3 take parallel PUTs; the pass's 30-odd files go together. */
const PUT_CONCURRENCY = 4;

/**
 * Uploads files from `dir` under the video's out/ prefix; records each in `run.partial` first so a failure can remove
 * it. Their bytes are charged to the company's quota before the first upload (QUOTA_EXCEEDED, permanent, when they do
 * not fit), refunded if publishing fails, and otherwise added to `run.charged` until a row records them. Returns
 * those bytes: the files' sizes as charged (every store's putFile stores the file whole). The lanes sum nothing: a
 * shared `bytes += await put(…)` lost the lanes' additions when uploads first ran four at once.
 */
export async function publishFiles(
  em: EntityManager,
  storage: ObjectStore,
  video: Video,
  dir: string,
  files: string[],
  run: UnrecordedOutputs,
): Promise<number> {
  let size = 0;
  for (const f of files) size += (await stat(join(dir, f))).size;
  run.keys ??= videoKeyIds(video);
  try {
    await chargeUsage(em, video.company.id, size);
  } catch (e) {
    if (!(e instanceof QuotaExceededError)) throw e;
    throw new PermanentStepError(
      'QUOTA_EXCEEDED',
      `The processed files (${size} bytes) do not fit in the company's storage quota; free up space, then reprocess`,
    );
  }
  try {
    await putAll(storage, run.keys, dir, files, run.partial);
    run.charged += size;
    return size;
  } catch (e) {
    await addUsage(em, video.company.id, -size);
    throw e;
  }
}

/**
 * Puts the files, `PUT_CONCURRENCY` at a time. On a failure, waits for the uploads already started to end (so none
 * lands after the caller removed `partial`), starts no more, and throws the first error.
 */
async function putAll(storage: ObjectStore, keys: VideoKeyIds, dir: string, files: string[], partial: string[]) {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const lane = async () => {
    while (!failed && next < files.length) {
      const f = files[next++]!;
      partial.push(f);
      const immutable = !f.endsWith('.m3u8') && !f.endsWith('.vtt');
      try {
        await storage.putFile(
          videoOutputKey(keys, f),
          join(dir, f),
          contentTypeOf(f),
          immutable ? 'public, max-age=31536000' : 'no-cache',
        );
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, files.length) }, lane));
  if (failed) throw failed.error;
}

/**
 * Removes what a step stored and no row records (best effort: a file left behind goes with the video's output prefix,
 * on a reprocess or the video's deletion) and refunds its bytes. The step's record of them is then empty.
 */
export async function abandonOutputs(
  em: EntityManager,
  storage: ObjectStore,
  run: UnrecordedOutputs,
  log: Logger,
): Promise<void> {
  const { keys } = run;
  const files = run.partial.splice(0);
  const charged = run.charged;
  run.charged = 0;
  if (!keys) return;
  for (const f of files)
    await storage.delete(videoOutputKey(keys, f)).catch((err: unknown) => {
      log.warn({ err, file: f }, 'could not remove an output of a failed step; the output prefix takes it later');
    });
  if (charged > 0)
    await addUsage(em, keys.companyId, -charged).catch((err: unknown) => {
      log.warn({ err, bytes: charged }, 'could not refund the bytes of a failed step');
    });
}

export function storedRendition(r: Rendition, ladder: boolean): StoredRendition {
  const { segments: _segments, ...rest } = r;
  return { ...rest, ladder };
}
