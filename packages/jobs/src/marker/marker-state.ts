// Publishing or failing one marker revision of an AR content item, under a row lock so a newer upload always wins.
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
import type { MarkerScore } from '@arvlite/marker';
import type { ObjectStore } from '@arvlite/storage';
import { LockMode } from '@mikro-orm/core';
import type { Logger } from 'pino';
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

export interface CompiledRevision {
  width: number;
  height: number;
  score: MarkerScore;
  matchingPoints: number;
  trackingPoints: number;
  compileMs: number;
  storedBytes: number;
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

/** Makes `revision` the published marker (READY), moves storage usage, then removes the revision it replaces. */
export async function publishMarker(
  em: EntityManager,
  storage: ObjectStore,
  log: Logger,
  ids: ArContentKeyIds,
  revision: number,
  result: CompiledRevision,
): Promise<boolean> {
  let replaced: number | null = null;
  const published = await em.transactional(async (tem) => {
    const content = await lock(tem, ids.arContentId);
    if (!isQueued(content, revision)) return false;
    replaced = content.markerPublishedRevision ?? null;
    await addUsage(tem, ids.companyId, result.storedBytes - content.markerStoredBytes);
    transitionArContent(content, 'READY');
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
    });
    await tem.flush();
    await emit(tem, {
      type: 'marker.published',
      ...eventIds(ids),
      revision,
      score: Math.round(result.score.score),
      rating: result.score.rating,
    });
    await checkQuotaWarnings(tem, ids.companyId);
    return true;
  });
  if (!published) await removeRevision(storage, log, ids, revision);
  else if (replaced !== null && replaced !== revision) await removeRevision(storage, log, ids, replaced);
  return published;
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
  const failed = await em.transactional(async (tem) => {
    const content = await lock(tem, ids.arContentId);
    if (!isQueued(content, revision)) return false;
    const hasPublished = content.markerPublishedRevision !== null && content.markerPublishedRevision !== undefined;
    transitionArContent(content, hasPublished ? 'READY' : 'DRAFT');
    tem.assign(content, {
      version: content.version + 1,
      markerQueuedRevision: null,
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
  return failed;
}

async function removeRevision(storage: ObjectStore, log: Logger, ids: ArContentKeyIds, revision: number) {
  try {
    // The original's private prefix, and the public one of its compiled files (the same for rows without an outputs id).
    await storage.deletePrefix(markerRevisionPrefix(ids, revision));
    if (ids.outputId) await storage.deletePrefix(markerOutputPrefix(ids, revision));
  } catch (err) {
    // Leftovers are removed with the item; they never reach a viewer.
    log.warn({ err, revision }, 'could not remove a marker revision');
  }
}
