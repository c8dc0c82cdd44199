// The AR content lifecycle: DRAFT until a marker is published, MARKER_PROCESSING while one compiles, READY once one
// is published, ARCHIVED for good. Every status change goes through transitionArContent().
import type { ArContentStatus } from '@arvlite/contract';
import { ConflictError } from './errors.ts';

const ALLOWED: Record<ArContentStatus, readonly ArContentStatus[]> = {
  // READY from DRAFT: an editor confirms a first marker that the detection gate held back.
  DRAFT: ['MARKER_PROCESSING', 'READY', 'ARCHIVED'],
  // A newer upload replaces the compile in flight; a compile ends READY, or back to DRAFT (or the published READY)
  // when it fails.
  MARKER_PROCESSING: ['MARKER_PROCESSING', 'READY', 'DRAFT'],
  READY: ['MARKER_PROCESSING', 'ARCHIVED'],
  ARCHIVED: [],
};

export function canTransitionArContent(from: ArContentStatus, to: ArContentStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function transitionArContent(content: { status: ArContentStatus }, to: ArContentStatus): void {
  if (!canTransitionArContent(content.status, to)) {
    throw new ConflictError(`AR content cannot go from ${content.status} to ${to}`, { from: content.status, to });
  }
  content.status = to;
}
