// The states clients see and filter by; the database columns take their values from here.
import { z } from 'zod';

/** AWAITING_UPLOAD → UPLOADED → PROCESSING → READY | FAILED; the domain's state machine guards the moves. */
export const VIDEO_STATUSES = ['AWAITING_UPLOAD', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];
export const videoStatusSchema = z.enum(VIDEO_STATUSES);

/** A video in one of these changes no more on its own: live status streams end here. */
export const TERMINAL_VIDEO_STATUSES = ['READY', 'FAILED'] as const satisfies readonly VideoStatus[];
export function isTerminalVideoStatus(status: VideoStatus): boolean {
  return (TERMINAL_VIDEO_STATUSES as readonly VideoStatus[]).includes(status);
}

export const STEP_STATUSES = ['pending', 'running', 'retrying', 'done', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const stepStatusSchema = z.enum(STEP_STATUSES);

/** DRAFT → MARKER_PROCESSING → READY → ARCHIVED; a failed marker compile goes back to DRAFT (or READY when an older marker is published). */
export const AR_CONTENT_STATUSES = ['DRAFT', 'MARKER_PROCESSING', 'READY', 'ARCHIVED'] as const;
export type ArContentStatus = (typeof AR_CONTENT_STATUSES)[number];
export const arContentStatusSchema = z.enum(AR_CONTENT_STATUSES);

/** How a video's original is sent: one PUT, or parts that can resume. */
export const UPLOAD_KINDS = ['single', 'multipart'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];
