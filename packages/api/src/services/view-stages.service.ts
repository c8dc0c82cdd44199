// The stages of one view (page opened → camera or plain player → detected → playing → completed), for the funnel in
// analytics. A viewer reports each stage once, in order, in milliseconds from the page opening; the end of a view
// carries the stages again, so one delivered late (offline, a page that died) still records them.
import {
  VIEW_STAGE_AFTER,
  VIEW_STAGES,
  type ReportedViewStage,
  type ViewFallbackReason,
  type ViewStageReport,
} from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import { emit } from '@arvlite/jobs';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';

/** Slack for the network and clocks when checking a stage's time against the session's age on the server. */
const AGE_SLACK_MS = 5000;

const COLUMN: Record<ReportedViewStage, string> = {
  camera: 'camera_ms',
  fallback: 'fallback_ms',
  detected: 'detected_ms',
  playing: 'playing_ms',
  completed: 'completed_ms',
};

interface SessionRow {
  id: string;
  company_id: string;
  project_id: string;
  ar_content_id: string;
  platform: string;
  from_open: boolean;
  ended: boolean;
  content_deleted: boolean;
  age_ms: number;
  camera_ms: number | null;
  fallback_ms: number | null;
  detected_ms: number | null;
  playing_ms: number | null;
  completed_ms: number | null;
}

/** The session, locked for the stage update; NOT_FOUND when unknown or its item was deleted. */
async function lockSession(tem: EntityManager, sessionId: string): Promise<SessionRow> {
  const [row] = await tem.execute<SessionRow[]>(
    `select s.id, s.company_id, s.project_id, s.ar_content_id, s.platform, s.from_open, s.ended_at is not null as ended,
            c.deleted_at is not null as content_deleted,
            (extract(epoch from now() - s.started_at) * 1000)::float8 as age_ms,
            s.camera_ms, s.fallback_ms, s.detected_ms, s.playing_ms, s.completed_ms
       from view_session s join ar_content c on c.id = s.ar_content_id
      where s.id = ? for update of s`,
    [sessionId],
  );
  if (!row || row.content_deleted) throw new NotFoundError('Session');
  return row;
}

const rank = (stage: ReportedViewStage) => VIEW_STAGES.indexOf(stage);

const msOf = (row: SessionRow, stage: ReportedViewStage | 'opened'): number | null =>
  stage === 'opened' ? 0 : row[COLUMN[stage] as keyof SessionRow & `${string}_ms`];

/**
 * Whether `report` may be recorded on `row` now: a stage once, after a stage it needs (not earlier in time), and not
 * later than the session is old. Returns the reason it may not, or null.
 */
function refusal(
  row: SessionRow,
  report: ViewStageReport,
): { kind: 'once' | 'order' | 'time'; message: string } | null {
  if (msOf(row, report.stage) !== null) return { kind: 'once', message: `The ${report.stage} stage is recorded` };
  const before = VIEW_STAGE_AFTER[report.stage].map((s) => msOf(row, s)).filter((ms): ms is number => ms !== null);
  if (before.length === 0)
    return {
      kind: 'order',
      message: `The ${report.stage} stage comes after ${VIEW_STAGE_AFTER[report.stage].join(' or ')}`,
    };
  if (report.atMs < Math.min(...before))
    return { kind: 'order', message: `The ${report.stage} stage cannot be earlier than the stage before it` };
  if (report.atMs > row.age_ms + AGE_SLACK_MS)
    return { kind: 'time', message: 'A stage cannot be later than the session is old' };
  return null;
}

async function record(tem: EntityManager, row: SessionRow, report: ViewStageReport): Promise<void> {
  const column = COLUMN[report.stage];
  const reason: ViewFallbackReason | null = report.stage === 'fallback' ? report.reason! : null;
  await tem.execute(
    `update view_session set ${column} = ?,
       fallback_reason = case when ? then ? else fallback_reason end,
       played = played or ?
     where id = ?`,
    [report.atMs, report.stage === 'fallback', reason, report.stage === 'playing', row.id],
  );
  (row as unknown as Record<string, number>)[column] = report.atMs;
  if (report.stage === 'playing') {
    // One event per view at most (the stage is recorded once): metrics observe the time to the first frame.
    await emit(tem, {
      type: 'view.first-frame',
      companyId: row.company_id,
      projectId: row.project_id,
      arContentId: row.ar_content_id,
      sessionId: row.id,
      platform: row.platform as 'ios' | 'android' | 'web' | 'other',
      firstFrameMs: report.atMs,
      detectedMs: row.detected_ms,
    });
  }
}

/** `viewer.reportStage`: one stage of a running view. Refused once its session ended (the end carries the stages). */
export async function reportStage(em: EntityManager, input: { sessionId: string } & ViewStageReport) {
  return em.transactional(async (tem) => {
    const row = await lockSession(tem, input.sessionId);
    if (!row.from_open) throw new ConflictError('This session records no stages');
    if (row.ended) throw new ConflictError('This session has ended');
    const refused = refusal(row, input);
    if (refused?.kind === 'once') throw new ConflictError(refused.message, { stage: input.stage });
    if (refused) throw new ValidationError(refused.message, { stage: input.stage });
    await record(tem, row, input);
    return { ok: true as const };
  });
}

/**
 * The stages sent with a view's end (in the end's transaction, before it is ended): those recorded already are skipped,
 * since the viewer cannot know which of its reports arrived; the others must fit the order, or the end is refused.
 * `endedAgoMs` makes the session's age on the viewer's side shorter than the server's.
 */
export async function recordStagesAtEnd(tem: EntityManager, sessionId: string, stages: readonly ViewStageReport[]) {
  if (stages.length === 0) return;
  const row = await lockSession(tem, sessionId);
  if (!row.from_open) throw new ConflictError('This session records no stages');
  if (row.ended) return;
  // In time order, so each finds the stage it follows.
  for (const report of [...stages].sort((a, b) => a.atMs - b.atMs || rank(a.stage) - rank(b.stage))) {
    const refused = refusal(row, report);
    if (refused?.kind === 'once') continue;
    if (refused) throw new ValidationError(refused.message, { stage: report.stage });
    await record(tem, row, report);
  }
}
