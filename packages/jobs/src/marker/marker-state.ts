// Publishing or failing one marker revision of an AR content item, under a row lock so a newer upload always wins.
import {
  markerDetectionGateSchema,
  markerDetectionReportSchema,
  markerDetectionScore,
  type MarkerDetectionGate,
  type MarkerDetectionReport,
} from '@arvlite/contract';
import { ArContent, type EntityManager } from '@arvlite/db';
import {
  addUsage,
  arContentKeyIds,
  markerKey,
  markerOutputPrefix,
  markerRevisionPrefix,
  transitionArContent,
  type ArContentKeyIds,
} from '@arvlite/domain';
import type { ObjectStore } from '@arvlite/storage';
import { LockMode } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { z } from 'zod';
import { enqueue } from '../enqueue.ts';
import { emit } from '../outbox/emit.ts';
import { checkQuotaWarnings } from '../outbox/quota-warning.ts';

export function keyIds(content: ArContent): ArContentKeyIds {
  return arContentKeyIds(content);
}

/** Exactly the ids an event carries (events are strict objects). */
function eventIds(ids: ArContentKeyIds) {
  return { companyId: ids.companyId, projectId: ids.projectId, arContentId: ids.arContentId };
}

/** True while `revision` is the one queued for compiling: a newer upload, a delete or a recovery makes older jobs stale. */
export function isQueued(content: ArContent | null, revision: number): content is ArContent {
  return (
    !!content &&
    !content.deletedAt &&
    content.status === 'MARKER_PROCESSING' &&
    content.markerQueuedRevision === revision
  );
}

function lock(em: EntityManager, id: string) {
  return em.findOne(ArContent, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** A marker's score as @arvlite/marker's scoreMarker gives it (stated here so the API can use this file without the media stack). */
const scoreSchema = z.strictObject({
  score: z.number().min(0).max(100),
  rating: z.enum(['good', 'fair', 'poor', 'unusable']),
  advice: z.array(z.string().max(1000)).max(32),
  featureCount: z.int().min(0),
  coverage: z.number().min(0).max(1),
  contrast: z.number().min(0).max(255),
  keypoints: z.array(z.strictObject({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) })).max(10_000),
});
type MarkerScore = z.output<typeof scoreSchema>;

export interface CompiledRevision {
  width: number;
  height: number;
  score: MarkerScore;
  matchingPoints: number;
  trackingPoints: number;
  compileMs: number;
  storedBytes: number;
  /** The detection gate's result (absent: not measured, published as before). */
  gate?: MarkerDetectionGate;
  /** Wall time the gate took. */
  gateMs?: number;
}

/** What ar_content.marker_awaiting holds: enough to publish the revision later exactly as the job would have. */
const awaitingSchema = z.strictObject({
  revision: z.int().min(1),
  width: z.int().min(1).max(100_000),
  height: z.int().min(1).max(100_000),
  score: scoreSchema,
  matchingPoints: z.int().min(0),
  trackingPoints: z.int().min(0),
  compileMs: z.int().min(0),
  storedBytes: z.int().min(0),
  gate: markerDetectionGateSchema,
});
export type AwaitingMarker = z.output<typeof awaitingSchema>;

/** The revision held back by the gate, read back through its schema (null when none, or the row holds something else). */
export function awaitingMarker(content: ArContent): AwaitingMarker | null {
  if (content.markerAwaitingRevision == null || !content.markerAwaiting) return null;
  const parsed = awaitingSchema.safeParse(content.markerAwaiting);
  return parsed.success && parsed.data.revision === content.markerAwaitingRevision ? parsed.data : null;
}

/** A stored detection report, read back through the contract schema (null when absent or not a valid report). */
export function readReport(value: unknown): MarkerDetectionReport | null {
  if (!value) return null;
  const parsed = markerDetectionReportSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function scoreFields(score: MarkerScore) {
  return {
    markerScore: score.score,
    markerRating: score.rating,
    markerAdvice: score.advice,
    markerKeypoints: score.keypoints,
    markerFeatureCount: score.featureCount,
  };
}

/**
 * Makes `revision` the published marker (READY) on a row locked by the caller: its keys, sizes and score, storage usage
 * moved, `marker.published` and the `marker:report` job in the caller's transaction. Both ways a revision is published
 * go through here: the compile job (gate passed) and an editor's confirmation (`arContent.confirmMarker`). Returns the
 * revisions whose objects the caller removes after commit (the one it replaces, and a held-back one it supersedes).
 */
export async function publishLocked(
  tem: EntityManager,
  content: ArContent,
  ids: ArContentKeyIds,
  revision: number,
  result: CompiledRevision,
  /** A confirmed revision brings its report (null while `marker:report`, queued when it was held back, still measures). */
  confirmed?: { report: MarkerDetectionReport | null },
): Promise<number[]> {
  const report = confirmed?.report ?? null;
  const replaced = content.markerPublishedRevision ?? null;
  const awaiting = content.markerAwaitingRevision ?? null;
  await addUsage(tem, ids.companyId, result.storedBytes - content.markerStoredBytes);
  if (content.status !== 'READY') transitionArContent(content, 'READY');
  tem.assign(content, {
    version: content.version + 1,
    markerQueuedRevision: null,
    markerPublishedRevision: revision,
    markerUploadKey: null,
    markerUploadContentType: null,
    markerUploadBytes: null,
    markerImageKey: markerKey(ids, revision, 'image'),
    markerWebpKey: markerKey(ids, revision, 'webp'),
    markerThumbnailKey: markerKey(ids, revision, 'thumbnail'),
    markerMindKey: markerKey(ids, revision, 'mind'),
    markerWidthPx: result.width,
    markerHeightPx: result.height,
    ...scoreFields(result.score),
    markerMatchingPoints: result.matchingPoints,
    markerTrackingPoints: result.trackingPoints,
    markerCompileMs: result.compileMs,
    markerStoredBytes: result.storedBytes,
    markerFailureCode: null,
    markerFailureMessage: null,
    markerProcessedAt: new Date(),
    markerAwaitingRevision: null,
    markerAwaiting: null,
    markerAwaitingReport: null,
    markerReport: report ? markerDetectionReportSchema.parse(report) : null,
    markerReportRevision: report ? revision : null,
  });
  await tem.flush();
  await emit(tem, {
    type: 'marker.published',
    ...eventIds(ids),
    revision,
    score: Math.round(result.score.score),
    rating: result.score.rating,
  });
  if (!confirmed) await enqueueReport(tem, ids.arContentId, revision);
  await checkQuotaWarnings(tem, ids.companyId);
  return [replaced, awaiting].filter((r): r is number => r !== null && r !== revision);
}

/** The full detection report of one revision, measured after it is published or held back (`marker:report`). */
async function enqueueReport(tem: EntityManager, arContentId: string, revision: number) {
  // One graphile queue: reports run one at a time across the workers, so they never hold every worker slot while
  // compiles wait.
  await enqueue(tem, 'marker:report', { arContentId, revision }, { maxAttempts: 3, queueName: 'marker-report' });
}

/** Makes `revision` the published marker (READY), moves storage usage, then removes the revision it replaces. */
export async function publishMarker(
  em: EntityManager,
  storage: ObjectStore,
  log: Logger,
  ids: ArContentKeyIds,
  revision: number,
  result: CompiledRevision,
): Promise<boolean> {
  let leftover: number[] = [];
  const published = await em.transactional(async (tem) => {
    const content = await lock(tem, ids.arContentId);
    if (!isQueued(content, revision)) return false;
    leftover = await publishLocked(tem, content, ids, revision, result);
    return true;
  });
  if (!published) await removeRevision(storage, log, ids, revision);
  else for (const r of leftover) await removeRevision(storage, log, ids, r);
  return published;
}

/**
 * The gate held `revision` back: its outputs stay stored, unpublished, until an editor confirms it. The item goes back
 * to READY with its older published marker (which keeps serving), or to DRAFT without one. `marker.awaiting-confirmation`
 * and the `marker:report` job are written in the same transaction. A revision held back before this one is superseded.
 */
export async function holdMarker(
  em: EntityManager,
  storage: ObjectStore,
  log: Logger,
  ids: ArContentKeyIds,
  revision: number,
  result: CompiledRevision & { gate: MarkerDetectionGate },
): Promise<boolean> {
  let superseded: number | null = null;
  const held = await em.transactional(async (tem) => {
    const content = await lock(tem, ids.arContentId);
    if (!isQueued(content, revision)) return false;
    superseded = content.markerAwaitingRevision ?? null;
    const hasPublished = content.markerPublishedRevision !== null && content.markerPublishedRevision !== undefined;
    transitionArContent(content, hasPublished ? 'READY' : 'DRAFT');
    const awaiting: AwaitingMarker = awaitingSchema.parse({
      revision,
      width: result.width,
      height: result.height,
      score: result.score,
      matchingPoints: result.matchingPoints,
      trackingPoints: result.trackingPoints,
      compileMs: Math.round(result.compileMs),
      storedBytes: result.storedBytes,
      gate: result.gate,
    });
    tem.assign(content, {
      version: content.version + 1,
      markerQueuedRevision: null,
      markerUploadKey: null,
      markerUploadContentType: null,
      markerUploadBytes: null,
      markerFailureCode: null,
      markerFailureMessage: null,
      markerProcessedAt: new Date(),
      markerAwaitingRevision: revision,
      markerAwaiting: awaiting,
      markerAwaitingReport: null,
    });
    await tem.flush();
    await emit(tem, {
      type: 'marker.awaiting-confirmation',
      ...eventIds(ids),
      revision,
      headOn30cmRate: result.gate.headOn30cmRate,
    });
    await enqueueReport(tem, ids.arContentId, revision);
    return true;
  });
  if (!held) await removeRevision(storage, log, ids, revision);
  else if (superseded !== null && superseded !== revision) await removeRevision(storage, log, ids, superseded);
  return held;
}

/**
 * Stores `revision`'s detection report where it belongs: on the held-back revision, or as the published revision's
 * report. A revision that is neither any more (superseded, deleted) stores nothing. Validated with the contract schema.
 */
export async function storeReport(
  em: EntityManager,
  arContentId: string,
  revision: number,
  report: MarkerDetectionReport,
): Promise<'awaiting' | 'published' | null> {
  const valid = markerDetectionReportSchema.parse(report);
  return em.transactional(async (tem) => {
    const content = await lock(tem, arContentId);
    if (!content || content.deletedAt) return null;
    if (content.markerAwaitingRevision === revision) {
      content.markerAwaitingReport = valid;
      await tem.flush();
      return 'awaiting';
    }
    if (content.markerPublishedRevision === revision) {
      tem.assign(content, { markerReport: valid, markerReportRevision: revision });
      await tem.flush();
      await emit(tem, {
        type: 'marker.measured',
        ...eventIds(keyIds(content)),
        revision,
        detectionScore: markerDetectionScore(valid),
      });
      return 'published';
    }
    return null;
  });
}

/** True while `revision` is held back or published, i.e. worth measuring. */
export function isLive(content: ArContent | null, revision: number): content is ArContent {
  return (
    !!content &&
    !content.deletedAt &&
    (content.markerAwaitingRevision === revision || content.markerPublishedRevision === revision)
  );
}

/**
 * Ends a queued revision with a reason the customer can act on: back to DRAFT, or to READY when an older
 * marker is still published (it stays in service). The failed revision's objects are removed.
 */
export async function failMarker(
  em: EntityManager,
  storage: ObjectStore,
  log: Logger,
  ids: ArContentKeyIds,
  revision: number,
  failure: { code: string; message: string; score?: MarkerScore },
): Promise<boolean> {
  let superseded: number | null = null;
  const failed = await em.transactional(async (tem) => {
    const content = await lock(tem, ids.arContentId);
    if (!isQueued(content, revision)) return false;
    const hasPublished = content.markerPublishedRevision !== null && content.markerPublishedRevision !== undefined;
    superseded = content.markerAwaitingRevision ?? null;
    transitionArContent(content, hasPublished ? 'READY' : 'DRAFT');
    tem.assign(content, {
      version: content.version + 1,
      markerQueuedRevision: null,
      // A revision held back by the gate was superseded when this newer one was queued.
      markerAwaitingRevision: null,
      markerAwaiting: null,
      markerAwaitingReport: null,
      markerUploadKey: null,
      markerUploadContentType: null,
      markerUploadBytes: null,
      markerFailureCode: failure.code.slice(0, 64),
      markerFailureMessage: failure.message.slice(0, 1000),
      markerProcessedAt: new Date(),
      // The published marker keeps its own score; without one, the failed attempt's score explains the failure.
      ...(failure.score && !hasPublished ? scoreFields(failure.score) : {}),
    });
    await tem.flush();
    await emit(tem, { type: 'marker.failed', ...eventIds(ids), revision, reason: failure.code });
    return true;
  });
  if (failed) await removeRevision(storage, log, ids, revision);
  if (failed && superseded !== null && superseded !== revision) await removeRevision(storage, log, ids, superseded);
  return failed;
}

export async function removeRevision(storage: ObjectStore, log: Logger, ids: ArContentKeyIds, revision: number) {
  try {
    // The original's private prefix, and the public one of its compiled files (the same for rows without an outputs id).
    await storage.deletePrefix(markerRevisionPrefix(ids, revision));
    if (ids.outputId) await storage.deletePrefix(markerOutputPrefix(ids, revision));
  } catch (err) {
    // Leftovers are removed with the item; they never reach a viewer.
    log.warn({ err, revision }, 'could not remove a marker revision');
  }
}
