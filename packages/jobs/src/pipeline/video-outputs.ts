// Moving step outputs from a scratch directory to storage (their record, VideoOutputs, is in @arvlite/contract).
import { join } from 'node:path';
import type { StoredRendition } from '@arvlite/contract';
import type { Rendition } from '@arvlite/media';
import type { ObjectStorage } from '@arvlite/storage';
import type { Video } from '@arvlite/db';
import { videoKeyIds, videoOutputKey } from '@arvlite/domain';

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

/** Uploads files from `dir` under the video's out/ prefix; records each in `partial` first so a failure can remove it. */
export async function publishFiles(
  storage: ObjectStorage,
  video: Video,
  dir: string,
  files: string[],
  partial: string[],
): Promise<number> {
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
