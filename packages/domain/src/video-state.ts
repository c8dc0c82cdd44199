// The video lifecycle as a small state machine; every status change goes through transition().
import type { VideoStatus } from '@arvlite/contract';
import { ConflictError } from './errors.ts';

const ALLOWED: Record<VideoStatus, readonly VideoStatus[]> = {
  AWAITING_UPLOAD: ['UPLOADED', 'FAILED'],
  UPLOADED: ['PROCESSING', 'FAILED'],
  PROCESSING: ['READY', 'FAILED', 'PROCESSING'],
  READY: ['PROCESSING'], // reprocess from the kept original
  FAILED: ['PROCESSING'], // retry
};

/** What a status change writes: the status, and why it failed (cleared on any other status). */
export interface VideoStateFields {
  status: VideoStatus;
  failureCode?: string | null;
  failureMessage?: string | null;
}

export function canTransition(from: VideoStatus, to: VideoStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function transition(
  video: VideoStateFields,
  to: VideoStatus,
  failure?: { code: string; message: string },
): void {
  if (!canTransition(video.status, to)) {
    throw new ConflictError(`A video cannot go from ${video.status} to ${to}`, { from: video.status, to });
  }
  video.status = to;
  video.failureCode = to === 'FAILED' ? (failure?.code ?? 'UNKNOWN') : null;
  video.failureMessage = to === 'FAILED' ? (failure?.message.slice(0, 1000) ?? 'Processing failed') : null;
}
