// Moving step outputs from a scratch directory to storage (their record, VideoOutputs, is in @arvlite/contract).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredRendition } from '@arvlite/contract';
import type { Rendition } from '@arvlite/media';
import type { ObjectStore } from '@arvlite/storage';
import type { EntityManager, Video } from '@arvlite/db';
import { addUsage, chargeUsage, QuotaExceededError, videoKeyIds, videoOutputKey } from '@arvlite/domain';
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
 * Uploads files from `dir` under the video's out/ prefix; records each in `partial` first so a failure can remove it.
 * Their bytes are charged to the company's quota before the first upload (QUOTA_EXCEEDED, permanent, when they do not
 * fit) and refunded if publishing fails; the caller records them in the video's storedBytes.
 */
export async function publishFiles(
  em: EntityManager,
  storage: ObjectStore,
  video: Video,
  dir: string,
  files: string[],
  partial: string[],
): Promise<number> {
  let size = 0;
  for (const f of files) size += (await stat(join(dir, f))).size;
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
    return await putAll(storage, video, dir, files, partial);
  } catch (e) {
    await addUsage(em, video.company.id, -size);
    throw e;
  }
}

async function putAll(storage: ObjectStore, video: Video, dir: string, files: string[], partial: string[]) {
  let bytes = 0;
  for (const f of files) {
    partial.push(f);
    const immutable = !f.endsWith('.m3u8') && !f.endsWith('.vtt');
    bytes += await storage.putFile(
      videoOutputKey(videoKeyIds(video), f),
      join(dir, f),
      contentTypeOf(f),
      immutable ? 'public, max-age=31536000' : 'no-cache',
    );
  }
  return bytes;
}

export function storedRendition(r: Rendition, ladder: boolean): StoredRendition {
  const { segments: _segments, ...rest } = r;
  return { ...rest, ladder };
}
