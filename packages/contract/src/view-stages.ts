// The stages of one view, for the analytics funnel: page opened → camera granted (or the plain player, with why) →
// marker detected → video playing → completed. Both the viewers (web, app) and the server parse with these schemas.
import { z } from 'zod';

/** In funnel order; `opened` is the session's start itself and is never reported on its own. */
export const VIEW_STAGES = ['opened', 'camera', 'fallback', 'detected', 'playing', 'completed'] as const;
export type ViewStage = (typeof VIEW_STAGES)[number];
/** The stages a viewer reports after the start. */
export const REPORTED_VIEW_STAGES = ['camera', 'fallback', 'detected', 'playing', 'completed'] as const;
export type ReportedViewStage = (typeof REPORTED_VIEW_STAGES)[number];

/**
 * Why the plain player was shown: no secure context, no camera API, no WebGL, the camera denied, missing or busy, the
 * target could not load, the camera view failed otherwise, or the visitor chose "Play without camera".
 */
export const VIEW_FALLBACK_REASONS = [
  'insecure',
  'no-camera-api',
  'no-webgl',
  'denied',
  'no-camera',
  'busy',
  'target',
  'failed',
  'chosen',
] as const;
export type ViewFallbackReason = (typeof VIEW_FALLBACK_REASONS)[number];

/**
 * The stage each one needs first: a stage is recorded only after it (and not earlier in time). `playing` follows
 * either a detection or the plain player; `fallback` may follow the camera (the camera view failed or was left).
 */
export const VIEW_STAGE_AFTER: Record<ReportedViewStage, readonly ViewStage[]> = {
  camera: ['opened'],
  fallback: ['opened'],
  detected: ['camera'],
  playing: ['detected', 'fallback'],
  completed: ['playing'],
};

/** Stage times are milliseconds since the page opened; a view longer than a day is not one view. */
export const VIEW_STAGE_MAX_MS = 86_400_000;

export const viewStageAtMs = z.int().min(0).max(VIEW_STAGE_MAX_MS);

const stageFields = {
  stage: z.enum(REPORTED_VIEW_STAGES),
  atMs: viewStageAtMs,
  reason: z.enum(VIEW_FALLBACK_REASONS).optional(),
};
const reasonWithFallback: [
  (s: { stage: ReportedViewStage; reason?: ViewFallbackReason }) => boolean,
  { message: string; path: string[] },
] = [
  (s) => (s.stage === 'fallback') === (s.reason !== undefined),
  { message: 'a reason goes with the fallback stage, and only with it', path: ['reason'] },
];

/** One stage as a viewer reports it: `reason` is given with `fallback` and only with it. */
export const viewStageReportSchema = z.strictObject(stageFields).refine(...reasonWithFallback);
export type ViewStageReport = z.infer<typeof viewStageReportSchema>;

/** `viewer.reportStage`'s input: one stage of a running view. */
export const viewerReportStageInputSchema = z
  .strictObject({ sessionId: z.uuid(), ...stageFields })
  .refine(...reasonWithFallback);

/** Every stage a view reached, as sent with its end (delivered late too): each stage at most once. */
export const viewStageListSchema = z
  .array(viewStageReportSchema)
  .max(REPORTED_VIEW_STAGES.length)
  .refine((list) => new Set(list.map((s) => s.stage)).size === list.length, { message: 'a stage appears once' });

/**
 * The stages one view reached, kept the way the server accepts them (each once, after a stage it follows, never
 * earlier than it), so a viewer never sends what would be refused. Times are ms from the view's start.
 */
export class ViewStageRecorder {
  readonly #reached = new Map<ReportedViewStage, ViewStageReport>();

  /** Records a stage if it is new and follows one reached already; returns the report to send, or null. */
  reach(stage: ReportedViewStage, atMs: number, reason?: ViewFallbackReason): ViewStageReport | null {
    if (this.#reached.has(stage) || !Number.isFinite(atMs)) return null;
    const before = VIEW_STAGE_AFTER[stage]
      .map((s) => (s === 'opened' ? 0 : this.#reached.get(s)?.atMs))
      .filter((ms): ms is number => ms !== undefined);
    if (before.length === 0) return null;
    const ms = Math.min(VIEW_STAGE_MAX_MS, Math.max(Math.min(...before), Math.round(atMs)));
    const report: ViewStageReport = stage === 'fallback' ? { stage, atMs: ms, reason } : { stage, atMs: ms };
    this.#reached.set(stage, report);
    return report;
  }

  has(stage: ReportedViewStage): boolean {
    return this.#reached.has(stage);
  }

  list(): ViewStageReport[] {
    return [...this.#reached.values()];
  }
}
