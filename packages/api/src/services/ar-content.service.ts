// AR content items: create, list, read, update, archive, delete; the marker upload handshake; QR codes and viewer links.
import { randomBytes } from 'node:crypto';
import {
  MARKER_CONTENT_TYPES,
  MARKER_MAX_BYTES,
  markerDetectionScore,
  type MarkerContentType,
} from '@arvlite/contract';
import { ArContent, type ArContentStatus, type EntityManager } from '@arvlite/db';
import { arContentKeyIds, isPublicKey, markerKey, markerUploadKey, transitionArContent } from '@arvlite/domain';
import {
  awaitingMarker,
  closeAttempts,
  enqueue,
  jobKey,
  markerKeyIds,
  openAttempt,
  publishMarkerLocked,
  readMarkerReport,
  removeMarkerRevision,
} from '@arvlite/jobs';
import { qrPng, qrSvg, viewerLinks as links } from '@arvlite/marker/qr';
import { LockMode } from '@mikro-orm/core';
import { fileTypeFromBuffer } from 'file-type';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit, diff } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError, ValidationError, type DomainError } from '../errors.ts';
import { findPage } from '../paginate.ts';
import { ObjectChangedError, sameEtag } from '@arvlite/storage';
import { presignInWindow } from './playback.service.ts';
import { copiedToOriginal, storageCall } from './video.service.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};

/** 96 random bits as 16 URL-safe characters: unguessable, short enough for a QR code that scans from afar. */
export function newPublicId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * A stored object's URL: under MEDIA_PUBLIC_BASE_URL when set and the key is under the public prefix (outputs only),
 * else presigned for MEDIA_URL_TTL_S. A key with tenant ids (an original, or a row older than output ids) is never
 * published.
 */
export async function objectUrl(
  deps: Pick<Context, 'config' | 'storage'>,
  key: string | null | undefined,
): Promise<string | null> {
  if (!key) return null;
  const { publicBaseUrl } = deps.config.media;
  return publicBaseUrl && isPublicKey(key) ? `${publicBaseUrl}/${key}` : presignInWindow(deps, key);
}

/** Where a revision's detection report is: measured, still measuring (a marker:report job will run), or not coming. */
export type MarkerReportStatus = 'READY' | 'MEASURING' | 'UNAVAILABLE';

/** Revisions of the item whose marker:report job can still run (queued, running, or with attempts left). */
async function reportsComing(em: EntityManager, c: ArContent): Promise<Set<number>> {
  const revisions = [c.markerAwaitingRevision, c.markerPublishedRevision].filter((r): r is number => r != null);
  if (revisions.length === 0) return new Set();
  const keys = revisions.map((revision) => jobKey('marker:report', { arContentId: c.id, revision }));
  const rows = await em.execute<{ key: string }[]>(
    `select key from graphile_worker._private_jobs
      where key in (select jsonb_array_elements_text(?::jsonb)) and attempts < max_attempts`,
    [JSON.stringify(keys)],
  );
  const alive = new Set(rows.map((r) => r.key));
  return new Set(revisions.filter((_, i) => alive.has(keys[i]!)));
}

function reportView(stored: unknown, revision: number, coming: ReadonlySet<number>) {
  const report = readMarkerReport(stored);
  const status: MarkerReportStatus = report ? 'READY' : coming.has(revision) ? 'MEASURING' : 'UNAVAILABLE';
  return { revision, status, report };
}

/** The calibrated 0–100 score of a stored report (markerDetectionScore), or null while there is none. */
function detectionScoreOf(stored: unknown): number | null {
  const report = readMarkerReport(stored);
  return report ? markerDetectionScore(report) : null;
}

/**
 * The compiled revision the detection gate held back (not detected head-on at 30 cm at its printed size), with what
 * the operator needs to decide: its image, score, the gate's measurement and (detail) its report.
 */
async function awaitingView(
  ctx: Pick<Context, 'config' | 'storage'>,
  c: ArContent,
  coming: ReadonlySet<number> | null,
) {
  const a = awaitingMarker(c);
  if (!a) return null;
  const ids = arContentKeyIds(c);
  return {
    revision: a.revision,
    imageUrl: await objectUrl(ctx, markerKey(ids, a.revision, 'image')),
    thumbnailUrl: await objectUrl(ctx, markerKey(ids, a.revision, 'thumbnail')),
    width: a.width,
    height: a.height,
    score: Math.round(a.score.score),
    rating: a.score.rating,
    detectionScore: detectionScoreOf(c.markerAwaitingReport),
    advice: a.score.advice,
    featureCount: a.score.featureCount,
    matchingPoints: a.matchingPoints,
    trackingPoints: a.trackingPoints,
    compileMs: a.compileMs,
    gate: a.gate,
    /** Detail only (empty and null in lists). */
    keypoints: coming ? a.score.keypoints : [],
    report: coming ? reportView(c.markerAwaitingReport, a.revision, coming) : null,
  };
}

export async function arContentView(
  ctx: Pick<Context, 'config' | 'storage'>,
  c: ArContent,
  opts: { detail?: boolean; reportsComing?: ReadonlySet<number> } = {},
) {
  const now = Date.now();
  const coming = opts.detail ? (opts.reportsComing ?? new Set<number>()) : null;
  return {
    id: c.id,
    projectId: c.project.id,
    title: c.title,
    description: c.description ?? null,
    publicId: c.publicId,
    status: c.status,
    activeFrom: c.activeFrom ?? null,
    expiresAt: c.expiresAt ?? null,
    expired: !!c.expiresAt && c.expiresAt.getTime() <= now,
    customer: {
      name: c.customerName ?? null,
      email: c.customerEmail ?? null,
      phone: c.customerPhone ?? null,
      orderRef: c.orderRef ?? null,
      /** The language mails to the customer are written in (null: the company's). */
      language: c.customerLanguage ?? null,
      /** When and to whom the viewer link was last sent (`arContent.sendToCustomer`). */
      linkSentAt: c.customerLinkSentAt ?? null,
      linkSentTo: c.customerLinkSentTo ?? null,
    },
    playback: { autoplay: c.autoplay, loop: c.loop, muted: c.muted },
    marker: {
      widthMm: c.widthMm ?? null,
      published: c.markerPublishedRevision != null,
      imageUrl: await objectUrl(ctx, c.markerImageKey),
      thumbnailUrl: await objectUrl(ctx, c.markerThumbnailKey),
      mindUrl: await objectUrl(ctx, c.markerMindKey),
      width: c.markerWidthPx ?? null,
      height: c.markerHeightPx ?? null,
      /** The ORB feature score and its rating (good | fair | poor | unusable): kept for compatibility; it does not predict detection. */
      score: c.markerScore ?? null,
      rating: c.markerRating ?? null,
      /** The published revision's measured detection score, 0–100 (markerDetectionScore); null until measured. */
      detectionScore:
        c.markerPublishedRevision != null && c.markerReportRevision === c.markerPublishedRevision
          ? detectionScoreOf(c.markerReport)
          : null,
      advice: c.markerAdvice ?? [],
      featureCount: c.markerFeatureCount ?? null,
      matchingPoints: c.markerMatchingPoints ?? null,
      trackingPoints: c.markerTrackingPoints ?? null,
      compileMs: c.markerCompileMs ?? null,
      processedAt: c.markerProcessedAt ?? null,
      failure: c.markerFailureCode ? { code: c.markerFailureCode, message: c.markerFailureMessage ?? '' } : null,
      /** A newer compiled revision waiting for an editor's confirmation (`confirmMarker`), or null. */
      awaitingConfirmation: await awaitingView(ctx, c, coming),
      ...(opts.detail ? { keypoints: c.markerKeypoints ?? [] } : {}),
      /** The published revision's detection report (detail only; null in lists and without a published marker). */
      report:
        coming && c.markerPublishedRevision != null
          ? reportView(
              c.markerReportRevision === c.markerPublishedRevision ? c.markerReport : null,
              c.markerPublishedRevision,
              coming,
            )
          : null,
    },
    links: links(ctx.config.http.publicUrl, c.publicId),
    version: c.version,
    archivedAt: c.archivedAt ?? null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

interface CustomerInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  orderRef?: string | null;
}
interface PlaybackInput {
  autoplay?: boolean;
  loop?: boolean;
  muted?: boolean;
}
interface ContentFields {
  title?: string;
  description?: string | null;
  activeFrom?: Date | null;
  expiresAt?: Date | null;
  customer?: CustomerInput;
  playback?: PlaybackInput;
  widthMm?: number | null;
}

/** Input fields as entity properties; undefined means "leave as is". */
function patchOf(input: ContentFields) {
  const patch = {
    title: input.title,
    description: input.description,
    activeFrom: input.activeFrom,
    expiresAt: input.expiresAt,
    customerName: input.customer?.name,
    customerEmail: input.customer?.email,
    customerPhone: input.customer?.phone,
    orderRef: input.customer?.orderRef,
    autoplay: input.playback?.autoplay,
    loop: input.playback?.loop,
    muted: input.playback?.muted,
    widthMm: input.widthMm,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<ArContent>;
}

function checkValidity(activeFrom: Date | null | undefined, expiresAt: Date | null | undefined) {
  if (activeFrom && expiresAt && expiresAt <= activeFrom) {
    throw new ValidationError('expiresAt must be after activeFrom', { reason: 'INVALID_VALIDITY' });
  }
}

export async function createArContent(ctx: Ctx, input: ContentFields & { projectId: string; title: string }) {
  return ctx.em.transactional(async (tem) => {
    const { project, company } = await ctx.access.project(input.projectId);
    if (project.archivedAt) throw new ConflictError('This project is archived');
    checkValidity(input.activeFrom, input.expiresAt);
    const content = tem.create(ArContent, {
      company,
      project,
      createdBy: ctx.caller.userId,
      publicId: newPublicId(),
      ...patchOf(input),
      title: input.title,
    } as ArContent);
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'ar-content.create',
      targetType: 'ar-content',
      targetId: content.id,
      changes: { title: { from: null, to: input.title } },
    });
    await tem.flush();
    return arContentView(ctx, content);
  });
}

export async function listArContent(
  ctx: Ctx,
  input: {
    projectId: string;
    cursor?: string;
    limit: number;
    status?: ArContentStatus;
    includeArchived?: boolean;
    search?: string;
  },
) {
  const { project } = await ctx.access.project(input.projectId);
  // `%`, `_` and `\` in the search are taken literally.
  const like = input.search ? `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const { items, nextCursor } = await findPage(
    ctx.em,
    ArContent,
    {
      project,
      deletedAt: null,
      ...(like
        ? {
            $or: [
              { customerName: { $ilike: like } },
              { customerEmail: { $ilike: like } },
              { customerPhone: { $ilike: like } },
              { orderRef: { $ilike: like } },
            ],
          }
        : {}),
      ...(input.status
        ? { status: input.status }
        : input.includeArchived
          ? {}
          : { status: { $ne: 'ARCHIVED' as const } }),
    },
    input,
  );
  return { items: await Promise.all(items.map((c) => arContentView(ctx, c))), nextCursor };
}

export async function getArContent(ctx: Ctx, input: { id: string }) {
  const { arContent } = await ctx.access.arContent(input.id);
  return arContentView(ctx, arContent, { detail: true, reportsComing: await reportsComing(ctx.em, arContent) });
}

/**
 * Publishes a revision the detection gate held back, exactly as the compile job publishes one that passes (the same
 * code: READY, storage usage, `marker.published`); the revision it replaces is removed after commit. CONFLICT when the
 * revision is not the one awaiting confirmation (published already, refused, or superseded by a newer upload).
 */
export async function confirmMarker(ctx: Ctx, input: { id: string; revisionId: number }) {
  let leftover: number[] = [];
  let ids: ReturnType<typeof arContentKeyIds> | null = null;
  const view = await ctx.em.transactional(async (tem) => {
    const content = await lockContent(ctx, tem, input.id);
    if (content.status === 'ARCHIVED') throw new ConflictError('This AR content is archived', { reason: 'ARCHIVED' });
    const awaiting = awaitingMarker(content);
    const newer = content.markerQueuedRevision != null || (awaiting && awaiting.revision > input.revisionId);
    if (!awaiting || awaiting.revision !== input.revisionId || content.markerQueuedRevision != null) {
      throw new ConflictError(
        newer || input.revisionId < content.markerRevision
          ? 'A newer marker upload replaced this revision'
          : 'This marker revision is not awaiting confirmation',
        {
          reason: newer || input.revisionId < content.markerRevision ? 'SUPERSEDED' : 'NOT_AWAITING',
          awaitingRevision: awaiting?.revision ?? null,
          publishedRevision: content.markerPublishedRevision ?? null,
        },
      );
    }
    const from = content.markerPublishedRevision ?? null;
    const report = readMarkerReport(content.markerAwaitingReport);
    ids = markerKeyIds(content);
    leftover = await publishMarkerLocked(tem, content, ids, awaiting.revision, awaiting, { report });
    audit(tem, actor(ctx), {
      companyId: content.company.id,
      action: 'ar-content.marker-confirm',
      targetType: 'ar-content',
      targetId: content.id,
      changes: {
        markerPublishedRevision: { from, to: awaiting.revision },
        headOn30cmRate: { from: null, to: awaiting.gate.headOn30cmRate },
      },
    });
    return arContentView(ctx, content, { detail: true, reportsComing: await reportsComing(tem, content) });
  });
  for (const r of leftover) if (ids) await removeMarkerRevision(ctx.storage, ctx.log, ids, r);
  return view;
}

/** Locks the item for a read-modify-write after the access check. */
export async function lockContent(ctx: { access: Access }, tem: EntityManager, id: string) {
  const { arContent } = await ctx.access.arContent(id);
  return tem.findOneOrFail(ArContent, { id: arContent.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

export async function updateArContent(ctx: Ctx, input: ContentFields & { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const content = await lockContent(ctx, tem, input.id);
    if (content.status === 'ARCHIVED') throw new ConflictError('This AR content is archived');
    const patch = patchOf(input);
    checkValidity(
      patch.activeFrom === undefined ? content.activeFrom : patch.activeFrom,
      patch.expiresAt === undefined ? content.expiresAt : patch.expiresAt,
    );
    const changes = diff(content, patch);
    if (Object.keys(changes).length > 0) {
      tem.assign(content, patch);
      // A new expiry in the future makes the item viewable again; the cron records the next expiry.
      if (patch.expiresAt !== undefined && (!content.expiresAt || content.expiresAt.getTime() > Date.now()))
        content.expiredAt = null;
      content.version += 1;
      audit(tem, actor(ctx), {
        companyId: content.company.id,
        action: 'ar-content.update',
        targetType: 'ar-content',
        targetId: content.id,
        changes,
      });
    }
    return arContentView(ctx, content);
  });
}

export async function archiveArContent(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const content = await lockContent(ctx, tem, input.id);
    if (content.status === 'MARKER_PROCESSING')
      throw new ConflictError('A marker is being processed; archive the item when it is done');
    if (content.status !== 'ARCHIVED') {
      const from = content.status;
      transitionArContent(content, 'ARCHIVED');
      content.archivedAt = new Date();
      content.version += 1;
      audit(tem, actor(ctx), {
        companyId: content.company.id,
        action: 'ar-content.archive',
        targetType: 'ar-content',
        targetId: content.id,
        changes: { status: { from, to: 'ARCHIVED' } },
      });
    }
    return arContentView(ctx, content);
  });
}

/** Hides the item at once (the viewer answers NOT_FOUND); ar-content:delete removes its objects and the row. */
export async function deleteArContent(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const content = await lockContent(ctx, tem, input.id);
    content.deletedAt = new Date();
    content.version += 1;
    await enqueue(tem, 'ar-content:delete', { arContentId: content.id });
    audit(tem, actor(ctx), {
      companyId: content.company.id,
      action: 'ar-content.delete',
      targetType: 'ar-content',
      targetId: content.id,
      changes: { title: { from: content.title, to: null } },
    });
    return { ok: true as const };
  });
}

/** A presigned PUT for a new marker image; each upload is a new revision, so a published marker never changes under a viewer. */
export async function createMarkerUpload(
  ctx: Ctx,
  input: { id: string; contentType: MarkerContentType; size: number },
) {
  let abandoned: string | null = null;
  const result = await ctx.em.transactional(async (tem) => {
    const content = await lockContent(ctx, tem, input.id);
    if (content.status === 'ARCHIVED') throw new ConflictError('This AR content is archived');
    if (content.status === 'MARKER_PROCESSING') {
      throw new ConflictError('A marker is being processed; upload a new one when it is done', {
        status: content.status,
      });
    }
    abandoned = content.markerUploadKey ?? null;
    return openMarkerUpload(ctx, tem, content, input);
  });
  // An earlier upload that was never completed is replaced by this one.
  if (abandoned)
    await ctx.storage
      .delete(abandoned)
      .catch((err: unknown) => ctx.log.warn({ err }, 'could not remove an abandoned marker upload'));
  return result;
}

/**
 * In the caller's transaction, on a locked (or just created) item that is neither archived nor processing: a new
 * marker revision and the presigned PUT for it (one key, the declared size and type, UPLOAD_URL_TTL_S).
 */
export async function openMarkerUpload(
  ctx: Ctx,
  tem: EntityManager,
  content: ArContent,
  input: { contentType: MarkerContentType; size: number },
) {
  const abandoned = content.markerUploadKey ?? null;
  if (abandoned) await closeAttempts(tem, { key: abandoned });
  content.markerRevision += 1;
  // The client writes to a key of this attempt only; completion copies it into the revision.
  const attemptId = crypto.randomUUID();
  const key = markerUploadKey(arContentKeyIds(content), attemptId);
  const ttl = ctx.config.uploads.urlTtlS;
  const urlExpiresAt = new Date(Date.now() + ttl * 1000);
  openAttempt(tem, { id: attemptId, companyId: content.company.id, key, urlsExpireAt: urlExpiresAt });
  content.markerUploadKey = key;
  content.markerUploadContentType = input.contentType;
  content.markerUploadBytes = input.size;
  const url = await storageCall(ctx, 'presignPut', () =>
    ctx.storage.presignPut(key, input.contentType, ttl, { contentLength: input.size, createOnly: true }),
  );
  audit(tem, actor(ctx), {
    companyId: content.company.id,
    action: 'ar-content.create-marker-upload',
    targetType: 'ar-content',
    targetId: content.id,
    changes: {
      markerRevision: { from: content.markerRevision - 1, to: content.markerRevision },
      size: { from: null, to: input.size },
    },
  });
  return {
    url,
    headers: { 'content-type': input.contentType, 'if-none-match': '*' },
    expiresAt: urlExpiresAt,
    maxBytes: MARKER_MAX_BYTES,
  };
}

const IMAGE_TYPES = new Set<string>(MARKER_CONTENT_TYPES);

type CompleteOutcome = { ok: Awaited<ReturnType<typeof arContentView>> } | { fail: DomainError };

/**
 * Copies the upload into its revision (a key no client can write), checks the copy (size, image type) and records its
 * ETag for marker:compile's If-Match read, then in one transaction MARKER_PROCESSING and the marker:compile job.
 */
export async function completeMarkerUpload(ctx: Ctx, input: { id: string; widthMm?: number; etag?: string }) {
  const outcome: CompleteOutcome = await ctx.em.transactional(async (tem) => {
    const content = await lockContent(ctx, tem, input.id);
    if (content.status === 'MARKER_PROCESSING' && content.markerQueuedRevision === content.markerRevision) {
      return { ok: await arContentView(ctx, content) }; // completing twice answers the same, with one job
    }
    if (content.status === 'ARCHIVED') throw new ConflictError('This AR content is archived');
    const key = content.markerUploadKey;
    if (!key)
      throw new ConflictError('No marker upload is waiting; call createMarkerUpload first', { reason: 'NO_UPLOAD' });

    const original = markerKey(arContentKeyIds(content), content.markerRevision, 'original');
    const fail = async (code: string, message: string, details: Record<string, unknown> = {}) => {
      await storageCall(ctx, 'delete', async () => {
        await ctx.storage.delete(key);
        if (original !== key) await ctx.storage.delete(original);
      });
      await closeAttempts(tem, { key });
      tem.assign(content, {
        markerUploadKey: null,
        markerUploadContentType: null,
        markerUploadBytes: null,
        markerFailureCode: code,
        markerFailureMessage: message,
      });
      audit(tem, actor(ctx), {
        companyId: content.company.id,
        action: 'ar-content.marker-rejected',
        targetType: 'ar-content',
        targetId: content.id,
        changes: { reason: { from: null, to: code } },
      });
      return { fail: new ValidationError(message, { reason: code, ...details }) };
    };

    const upload = await storageCall(ctx, 'head', () => ctx.storage.head(key));
    // An earlier completion copied the upload into the revision and removed the upload key, but never committed.
    const copy = upload ? null : await copiedToOriginal(ctx, key, original, content.markerUploadBytes);
    const uploaded = upload ?? copy;
    const copied = copy !== null;
    if (!uploaded)
      throw new ValidationError('Storage holds no file for this upload yet; upload it, then complete', {
        reason: 'NOT_UPLOADED',
      });
    // (A copy's ETag need not be the upload's: Azure gives every blob its own.)
    if (input.etag && !copied && !sameEtag(uploaded.etag, input.etag))
      return fail('UPLOAD_CHANGED', 'Storage holds another file than the one this upload sent; upload it again');
    const sizeMismatch = (size: number) =>
      fail('UPLOAD_SIZE_MISMATCH', `Uploaded ${size} bytes but ${content.markerUploadBytes} were declared`, {
        storedBytes: size,
        declaredBytes: content.markerUploadBytes,
      });
    if (uploaded.size !== content.markerUploadBytes || uploaded.size > MARKER_MAX_BYTES)
      return sizeMismatch(uploaded.size);
    // From here on only the copy counts: old URLs can still write to the upload key, never into the revision.
    let etag = uploaded.etag ?? null;
    if (original !== key && !copied) {
      etag = await storageCall(ctx, 'copy', () =>
        ctx.storage.copy(key, original, { size: uploaded.size, ifMatch: uploaded.etag }).catch((e: unknown) => {
          if (e instanceof ObjectChangedError) return null;
          throw e;
        }),
      );
      if (!etag) return fail('UPLOAD_CHANGED', 'The uploaded file changed while it was checked; upload it again');
    }
    const head = await storageCall(ctx, 'head', () => ctx.storage.head(original));
    if (!head || !sameEtag(head.etag, etag))
      return fail('UPLOAD_CHANGED', 'The uploaded file changed while it was checked; upload it again');
    if (head.size !== content.markerUploadBytes) return sizeMismatch(head.size);
    const firstBytes = await storageCall(ctx, 'sniff', () =>
      ctx.storage.getBytes(original, { start: 0, end: Math.min(head.size, 4100) - 1 }, { ifMatch: etag }),
    );
    const type = await fileTypeFromBuffer(firstBytes);
    if (!type || !IMAGE_TYPES.has(type.mime)) {
      return fail(
        'UNSUPPORTED_IMAGE',
        `The file is ${type ? `${type.mime} (.${type.ext})` : 'not a recognizable image'}; upload a JPEG, PNG or WebP photo`,
        { detected: type?.mime ?? null },
      );
    }

    const from = content.status;
    transitionArContent(content, 'MARKER_PROCESSING');
    if (original !== key) {
      await storageCall(ctx, 'delete', () => ctx.storage.delete(key));
      await closeAttempts(tem, { key });
    }
    tem.assign(content, {
      markerUploadKey: null,
      markerOriginalEtag: etag,
      markerQueuedRevision: content.markerRevision,
      markerFailureCode: null,
      markerFailureMessage: null,
      version: content.version + 1,
      ...(input.widthMm !== undefined ? { widthMm: input.widthMm } : {}),
    });
    await enqueue(
      tem,
      'marker:compile',
      { arContentId: content.id, revision: content.markerRevision },
      { maxAttempts: ctx.config.media.jobMaxAttempts },
    );
    audit(tem, actor(ctx), {
      companyId: content.company.id,
      action: 'ar-content.marker-upload-complete',
      targetType: 'ar-content',
      targetId: content.id,
      changes: { status: { from, to: 'MARKER_PROCESSING' }, imageType: { from: null, to: type.mime } },
    });
    return { ok: await arContentView(ctx, content) };
  });
  if ('fail' in outcome) throw outcome.fail;
  return outcome.ok;
}

export async function viewerLinks(ctx: Ctx, input: { id: string }) {
  const { arContent } = await ctx.access.arContent(input.id);
  return { publicId: arContent.publicId, ...links(ctx.config.http.publicUrl, arContent.publicId) };
}

/** The QR code opens the web viewer URL (which hands over to the app when installed); the deep link is for in-app sharing. */
export async function qrCode(
  ctx: Ctx,
  input: { id: string; format: 'png' | 'svg'; sizePx?: number; errorCorrection?: 'M' | 'Q' },
) {
  const { arContent } = await ctx.access.arContent(input.id);
  const { url, deepLink } = links(ctx.config.http.publicUrl, arContent.publicId);
  const options = { sizePx: input.sizePx, errorCorrection: input.errorCorrection };
  if (input.format === 'svg') {
    return { format: 'svg' as const, url, deepLink, svg: await qrSvg(url, options), dataUrl: null };
  }
  const png = await qrPng(url, options);
  return {
    format: 'png' as const,
    url,
    deepLink,
    svg: null,
    dataUrl: `data:image/png;base64,${png.toString('base64')}`,
  };
}
