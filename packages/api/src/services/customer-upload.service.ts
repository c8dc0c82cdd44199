// The customer upload link (README, "The customer uploads their own video"): an operator gives their customer a
// capability to upload the video of one AR content item, up to a size, until a time, once. The public side reuses the
// video upload flow (video.service.ts) through an Access that knows only the link's item, project and video, so every
// check of that flow (per-part signed lengths, short URL life, completion's copy and If-Match reads) applies as is.
import { createHash } from 'node:crypto';
import {
  CUSTOMER_UPLOAD_DEFAULT_HOURS,
  CUSTOMER_UPLOAD_DEFAULT_MAX_BYTES,
  CUSTOMER_UPLOAD_MAX_OPEN_LINKS,
  type CustomerUploadClosedReason,
  type CustomerUploadState,
  type Language,
} from '@arvlite/contract';
import {
  ArContent,
  Company,
  CustomerUploadLink,
  Project,
  UploadSession,
  User,
  Video,
  type EntityManager,
  type VideoRecord,
} from '@arvlite/db';
import { customerUploadToken } from '@arvlite/domain';
import { emit, queueMail } from '@arvlite/jobs';
import { qrSvg } from '@arvlite/marker/qr';
import { LockMode } from '@mikro-orm/core';
import { guardSuspension, type Access, type Caller } from '../access.ts';
import { actorOf, audit } from '../audit.ts';
import { clientIpBucket, hitRateLimit } from '../auth/rate-limit.ts';
import type { Context } from '../context.ts';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../errors.ts';
import { getPlaylist, setPlaylist } from './playlist.service.ts';
import * as videos from './video.service.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};
type PublicCtx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'>;

/** Public calls per client IP per minute (describe, start, sign, list, complete together). */
export const CUSTOMER_UPLOAD_RATE_PER_MINUTE = 120;
/** Links listed per item (newest first). */
const LIST_MAX = 50;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function uploadLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/u#${token}`;
}

function stateOf(link: CustomerUploadLink, video: { status: string } | null, now = new Date()): CustomerUploadState {
  if (link.approvedAt) return 'APPROVED';
  if (link.rejectedAt) return 'REJECTED';
  if (link.usedAt) return 'UPLOADED';
  if (link.revokedAt) return 'REVOKED';
  if (link.expiresAt <= now) return 'EXPIRED';
  if (video && video.status === 'AWAITING_UPLOAD') return 'UPLOADING';
  return 'OPEN';
}

function linkView(link: CustomerUploadLink, video: VideoRecord | Video | null) {
  return {
    id: link.id,
    arContentId: link.arContent.id,
    state: stateOf(link, video),
    maxBytes: link.maxBytes,
    expiresAt: link.expiresAt,
    revokedAt: link.revokedAt ?? null,
    usedAt: link.usedAt ?? null,
    approvedAt: link.approvedAt ?? null,
    rejectedAt: link.rejectedAt ?? null,
    sentTo: link.sentTo ?? null,
    createdAt: link.createdAt,
    video: video
      ? {
          id: video.id,
          title: video.title,
          status: video.status,
          sizeBytes: video.sizeBytes,
          failure: video.failureCode ? { code: video.failureCode, message: video.failureMessage ?? '' } : null,
        }
      : null,
  };
}

async function liveItem(ctx: Ctx, tem: EntityManager, id: string) {
  const { arContent } = await ctx.access.arContent(id);
  const item = await tem.findOneOrFail(
    ArContent,
    { id: arContent.id },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (item.deletedAt || item.archivedAt || item.status === 'ARCHIVED') {
    throw new ConflictError('This AR content is archived', { reason: 'AR_CONTENT_NOT_LIVE' });
  }
  return item;
}

// ---- Operator side ---------------------------------------------------------------------------------------------

export async function createUploadLink(
  ctx: Ctx,
  input: { id: string; expiresInHours?: number; maxBytes?: number; sendTo?: string; language?: Language },
) {
  const limit = ctx.config.uploads.maxBytes;
  const maxBytes = input.maxBytes ?? Math.min(CUSTOMER_UPLOAD_DEFAULT_MAX_BYTES, limit);
  if (maxBytes > limit) {
    throw new ValidationError(`The size limit can be at most ${limit} bytes`, { reason: 'TOO_LARGE', maxBytes: limit });
  }
  const hours = input.expiresInHours ?? CUSTOMER_UPLOAD_DEFAULT_HOURS;
  return ctx.em.transactional(async (tem) => {
    const item = await liveItem(ctx, tem, input.id);
    const open = await tem.count(CustomerUploadLink, {
      arContent: item.id,
      revokedAt: null,
      usedAt: null,
      expiresAt: { $gt: new Date() },
    });
    if (open >= CUSTOMER_UPLOAD_MAX_OPEN_LINKS) {
      throw new ConflictError(`An item has at most ${CUSTOMER_UPLOAD_MAX_OPEN_LINKS} open upload links; revoke one`, {
        reason: 'TOO_MANY_LINKS',
      });
    }
    const id = crypto.randomUUID();
    const token = customerUploadToken(ctx.config.auth.customerUploadKey, id);
    const company = await tem.findOneOrFail(Company, { id: item.company.id });
    const language: Language = input.language ?? item.customerLanguage ?? company.language;
    const link = tem.create(CustomerUploadLink, {
      id,
      company,
      arContent: item,
      tokenHash: sha256(token),
      maxBytes,
      expiresAt: new Date(Date.now() + hours * 3_600_000),
      createdBy: ctx.caller.userId,
      sentTo: input.sendTo ?? null,
      language: input.sendTo ? language : null,
    });
    let emailMessageId: string | null = null;
    if (input.sendTo) {
      const mail = await queueMail(tem, {
        kind: 'customer-upload',
        to: input.sendTo,
        language,
        companyId: company.id,
        params: {
          linkId: id,
          title: item.title,
          customerName: item.customerName ?? null,
          expiresAt: link.expiresAt.toISOString(),
          maxBytes,
        },
      });
      emailMessageId = mail.id;
    }
    audit(tem, actorOf(ctx), {
      companyId: company.id,
      action: 'ar-content.upload-link-create',
      targetType: 'ar-content',
      targetId: item.id,
      changes: { linkId: id, maxBytes, expiresAt: link.expiresAt, ...(emailMessageId ? { emailMessageId } : {}) },
    });
    await tem.flush();
    const url = uploadLinkUrl(ctx.config.http.publicUrl, token);
    return {
      link: linkView(link, null),
      /** Shown once: only its SHA-256 is kept. */
      token,
      url,
      qrSvg: await qrSvg(url, { errorCorrection: 'M' }),
      emailMessageId,
    };
  });
}

export async function listUploadLinks(ctx: Ctx, input: { id: string }) {
  const { arContent } = await ctx.access.arContent(input.id);
  const links = await ctx.em.find(
    CustomerUploadLink,
    { arContent: arContent.id },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: LIST_MAX, populate: ['video'] },
  );
  return { items: links.map((l) => linkView(l, l.video && !l.video.deletedAt ? l.video : null)) };
}

/** A link of an item the caller may reach; another company's link answers NOT_FOUND. */
async function operatorLink(ctx: Ctx, tem: EntityManager, linkId: string) {
  const found = await tem.findOne(CustomerUploadLink, { id: linkId });
  if (!found) throw new NotFoundError('Upload link');
  await ctx.access.arContent(found.arContent.id); // NOT_FOUND for other companies, FORBIDDEN below editor
  return tem.findOneOrFail(
    CustomerUploadLink,
    { id: linkId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, populate: ['video'] },
  );
}

/** Revokes a link; an upload in progress through it is aborted (its reserved quota released). */
export async function revokeUploadLink(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const link = await operatorLink(ctx, tem, input.id);
    if (link.usedAt) throw new ConflictError('The customer has already uploaded through this link', { reason: 'USED' });
    if (!link.revokedAt) {
      link.revokedAt = new Date();
      const video = link.video;
      if (video && video.status === 'AWAITING_UPLOAD' && !video.deletedAt) {
        await videos.abortUpload({ ...ctx, em: tem }, { videoId: video.id });
      }
      audit(tem, actorOf(ctx), {
        companyId: link.company.id,
        action: 'ar-content.upload-link-revoke',
        targetType: 'ar-content',
        targetId: link.arContent.id,
        changes: { linkId: link.id },
      });
      await tem.flush();
    }
    return linkView(link, link.video ?? null);
  });
}

async function reviewableLink(ctx: Ctx, tem: EntityManager, input: { id: string; videoId: string }) {
  await ctx.access.arContent(input.id);
  const link = await tem.findOne(
    CustomerUploadLink,
    { arContent: input.id, video: input.videoId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['video'] },
  );
  if (!link || !link.video || link.video.deletedAt) throw new NotFoundError('Customer video');
  if (!link.usedAt) throw new ConflictError('The customer has not finished the upload yet', { reason: 'NOT_UPLOADED' });
  if (link.approvedAt || link.rejectedAt) {
    throw new ConflictError('This video was already reviewed', {
      reason: link.approvedAt ? 'APPROVED' : 'REJECTED',
    });
  }
  return { link, video: link.video };
}

/** The customer's video goes live: it joins the playlist and becomes the item's default video. */
export async function approveCustomerVideo(ctx: Ctx, input: { id: string; videoId: string }) {
  return ctx.em.transactional(async (tem) => {
    const { link, video } = await reviewableLink(ctx, tem, input);
    if (video.status === 'FAILED') {
      throw new ConflictError('This video failed processing and cannot go live', { reason: 'VIDEO_FAILED' });
    }
    const inner = { ...ctx, em: tem };
    const playlist = await getPlaylist(inner, { id: input.id });
    const current = playlist.items.map((i) => i.videoId);
    await setPlaylist(inner, {
      id: input.id,
      videoIds: current.includes(video.id) ? current : [...current, video.id],
      defaultVideoId: video.id,
    });
    link.approvedAt = new Date();
    link.reviewedBy = ctx.caller.userId ? tem.getReference(User, ctx.caller.userId) : null;
    audit(tem, actorOf(ctx), {
      companyId: link.company.id,
      action: 'ar-content.customer-video-approve',
      targetType: 'ar-content',
      targetId: input.id,
      changes: { linkId: link.id, videoId: video.id },
    });
    await tem.flush();
    return linkView(link, video);
  });
}

/** The customer's video stays off the item; the operator may send a new link. */
export async function rejectCustomerVideo(ctx: Ctx, input: { id: string; videoId: string }) {
  return ctx.em.transactional(async (tem) => {
    const { link, video } = await reviewableLink(ctx, tem, input);
    link.rejectedAt = new Date();
    link.reviewedBy = ctx.caller.userId ? tem.getReference(User, ctx.caller.userId) : null;
    audit(tem, actorOf(ctx), {
      companyId: link.company.id,
      action: 'ar-content.customer-video-reject',
      targetType: 'ar-content',
      targetId: input.id,
      changes: { linkId: link.id, videoId: video.id },
    });
    await tem.flush();
    return linkView(link, video);
  });
}

// ---- Public side (the token is the only credential) ----------------------------------------------------------

async function limitPerIp(ctx: PublicCtx) {
  await hitRateLimit(ctx.em, {
    key: `customer-upload:ip:${clientIpBucket(ctx.ip)}`,
    max: CUSTOMER_UPLOAD_RATE_PER_MINUTE,
    windowS: 60,
  });
}

/** A link that cannot take an upload (the public answers' reason; unknown and malformed tokens are NOT_FOUND). */
export class UploadLinkClosedError extends DomainError {
  constructor(reason: CustomerUploadClosedReason) {
    const messages: Record<CustomerUploadClosedReason, string> = {
      NOT_FOUND: 'Upload link not found',
      EXPIRED: 'This upload link has expired',
      REVOKED: 'This upload link was withdrawn',
      USED: 'A video was already uploaded through this link',
    };
    super(reason === 'NOT_FOUND' ? 'NOT_FOUND' : 'FORBIDDEN', messages[reason], { reason });
  }
}

function closedReason(link: CustomerUploadLink, now = new Date()): CustomerUploadClosedReason | null {
  if (link.usedAt) return 'USED';
  if (link.revokedAt) return 'REVOKED';
  if (link.expiresAt <= now) return 'EXPIRED';
  return null;
}

async function findByToken(em: EntityManager, token: string, lock: boolean) {
  return em.findOne(
    CustomerUploadLink,
    { tokenHash: sha256(token) },
    lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {},
  );
}

/** The link, open; or the typed error saying why not. */
async function openLink(em: EntityManager, token: string, lock = false) {
  const link = await findByToken(em, token, lock);
  if (!link) throw new UploadLinkClosedError('NOT_FOUND');
  const reason = closedReason(link);
  if (reason) throw new UploadLinkClosedError(reason);
  const item = await em.findOne(ArContent, { id: link.arContent.id }, { populate: ['project', 'company'] });
  if (!item || item.deletedAt || item.archivedAt || item.status === 'ARCHIVED')
    throw new UploadLinkClosedError('NOT_FOUND');
  return { link, item };
}

/**
 * The Access the reused upload flow runs with: it knows the link's item, its project and the video this link
 * created, and nothing else (any other id is NOT_FOUND). The link acts with the editor role of its company.
 */
function linkAccess(em: EntityManager, item: ArContent, videoId: string | null): Access {
  const company = item.company;
  const findVideo = async (id: string) => {
    const video =
      videoId && id === videoId
        ? await em.findOne(Video, { id, company: company.id, deletedAt: null }, { populate: ['company', 'project'] })
        : null;
    if (!video) throw new NotFoundError('Video');
    return video;
  };
  return {
    minRole: 'editor',
    async company(companyId) {
      if (companyId !== company.id) throw new NotFoundError('Company');
      return { company, membership: null, role: 'editor' };
    },
    async project(projectId) {
      if (projectId !== item.project.id) throw new NotFoundError('Project');
      const project = await em.findOneOrFail(Project, { id: projectId }, { populate: ['company'] });
      return { project, company: project.company, role: 'editor' };
    },
    async video(id) {
      const video = await findVideo(id);
      return { video, company: video.company, role: 'editor' };
    },
    async videoRecord(id) {
      return { video: await findVideo(id), role: 'editor' };
    },
    async arContent(id) {
      if (id !== item.id) throw new NotFoundError('AR content');
      return { arContent: item, company, role: 'editor' };
    },
  };
}

function linkCtx(ctx: PublicCtx, em: Ctx['em'], item: ArContent, videoId: string | null): Ctx {
  // Every customer step changes something: a suspended company takes none (COMPANY_SUSPENDED), like its members' changes.
  return { ...ctx, em, access: guardSuspension(linkAccess(em, item, videoId), 'mutation'), caller: { userId: null } };
}

/** What the customer's page shows: the item's title, the company's name, the limits and the expiry; nothing else. */
export async function describeLink(ctx: PublicCtx, input: { token: string }) {
  await limitPerIp(ctx);
  const link = await findByToken(ctx.em, input.token, false);
  if (!link) return { ok: false as const, reason: 'NOT_FOUND' as const };
  const reason = closedReason(link);
  if (reason) return { ok: false as const, reason };
  const item = await ctx.em.findOne(ArContent, { id: link.arContent.id }, { populate: ['company'] });
  if (!item || item.deletedAt || item.archivedAt || item.status === 'ARCHIVED')
    return { ok: false as const, reason: 'NOT_FOUND' as const };
  const video = link.video ? await ctx.em.findOne(Video, { id: link.video.id, deletedAt: null }) : null;
  const session = video && video.status === 'AWAITING_UPLOAD' ? await ctx.em.findOne(UploadSession, { video }) : null;
  const open = session && !session.completedAt && !session.abortedAt && session.expiresAt > new Date();
  return {
    ok: true as const,
    title: item.title,
    companyName: item.company.name,
    maxBytes: link.maxBytes,
    expiresAt: link.expiresAt,
    /** An upload started through this link and not finished: the page resumes it with the same file. */
    upload:
      open && video
        ? {
            fileName: video.fileName,
            sizeBytes: video.sizeBytes,
            kind: session.kind,
            partSize: session.partSize ?? null,
            partCount: session.partCount ?? null,
          }
        : null,
  };
}

/**
 * Starts the upload (video.createUpload in the item's project). Starting again replaces an unfinished upload of this
 * link (it is aborted and its quota released), so a customer who picked the wrong file or lost a single PUT can retry.
 */
export async function startUpload(
  ctx: PublicCtx,
  input: { token: string; fileName: string; contentType: string; size: number },
) {
  await limitPerIp(ctx);
  return ctx.em.transactional(async (tem) => {
    const { link, item } = await openLink(tem, input.token, true);
    if (input.size > link.maxBytes) {
      throw new ValidationError(`The video is larger than this link allows (${link.maxBytes} bytes)`, {
        reason: 'TOO_LARGE',
        maxBytes: link.maxBytes,
      });
    }
    if (link.video) {
      const previous = await tem.findOne(Video, { id: link.video.id, deletedAt: null });
      if (previous && previous.status === 'AWAITING_UPLOAD') {
        await videos.abortUpload(linkCtx(ctx, tem, item, previous.id), { videoId: previous.id });
      }
    }
    const created = await videos.createUpload(linkCtx(ctx, tem, item, null), {
      projectId: item.project.id,
      fileName: input.fileName,
      contentType: input.contentType,
      size: input.size,
      title: `${item.title}`.slice(0, 200),
    });
    link.video = tem.getReference(Video, created.videoId);
    audit(tem, actorOf(ctx), {
      companyId: item.company.id,
      action: 'ar-content.customer-upload-start',
      targetType: 'ar-content',
      targetId: item.id,
      changes: { linkId: link.id, videoId: created.videoId, size: input.size },
    });
    await tem.flush();
    return created;
  });
}

/** The link's open upload: the video it created, still waiting for its bytes. */
async function linkUpload(ctx: PublicCtx, token: string) {
  const { link, item } = await openLink(ctx.em, token);
  if (!link.video) {
    throw new ConflictError('No upload was started through this link', { reason: 'NOT_STARTED' });
  }
  return { link, item, videoId: link.video.id, inner: linkCtx(ctx, ctx.em, item, link.video.id) };
}

export async function signUploadParts(ctx: PublicCtx, input: { token: string; partNumbers: number[] }) {
  await limitPerIp(ctx);
  const { videoId, inner } = await linkUpload(ctx, input.token);
  return videos.signUploadParts(inner, { videoId, partNumbers: input.partNumbers });
}

export async function signUpload(ctx: PublicCtx, input: { token: string }) {
  await limitPerIp(ctx);
  const { videoId, inner } = await linkUpload(ctx, input.token);
  return videos.signUpload(inner, { videoId });
}

export async function listUploadedParts(ctx: PublicCtx, input: { token: string }) {
  await limitPerIp(ctx);
  const { videoId, inner } = await linkUpload(ctx, input.token);
  return videos.listUploadedParts(inner, { videoId });
}

/**
 * Completes the upload with video.completeUpload (its verification and its own transaction: a rejected file is
 * abandoned for good), then uses the link up and announces it. A completion that got through but was not recorded on
 * the link (a crash between the two) is recorded by the next call, since completing a video twice answers the same.
 */
export async function completeUpload(
  ctx: PublicCtx,
  input: { token: string; etag?: string; parts?: { partNumber: number; etag: string }[] },
) {
  await limitPerIp(ctx);
  const { link, item, videoId, inner } = await linkUpload(ctx, input.token);
  await videos.completeUpload(inner, { videoId, etag: input.etag, parts: input.parts });
  await ctx.em.transactional(async (tem) => {
    const locked = await tem.findOneOrFail(
      CustomerUploadLink,
      { id: link.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (locked.usedAt || locked.video?.id !== videoId) return;
    if (locked.revokedAt) throw new UploadLinkClosedError('REVOKED');
    locked.usedAt = new Date();
    await emit(tem, {
      type: 'customer-upload.completed',
      companyId: item.company.id,
      projectId: item.project.id,
      arContentId: item.id,
      videoId,
      linkId: link.id,
    });
    audit(tem, actorOf(ctx), {
      companyId: item.company.id,
      action: 'ar-content.customer-upload-complete',
      targetType: 'ar-content',
      targetId: item.id,
      changes: { linkId: link.id, videoId },
    });
    await tem.flush();
  });
  return { ok: true as const, title: item.title };
}
