// Direct-to-storage uploads (single PUT or resumable multipart), their verification, and video records.
import {
  UPLOAD_MAX_PARTS,
  UPLOAD_PART_MAX_BYTES,
  UPLOAD_PART_MIN_BYTES,
  VIDEO_CONTAINERS,
  VIDEO_CONTENT_TYPES,
  type ChromaKey,
  type UploadTransport,
} from '@arvlite/contract';
import { Project, UploadSession, Video, type VideoRecord, type VideoStatus } from '@arvlite/db';
import { commitQuota, originalKey, reserveQuota, transition, videoUploadKey } from '@arvlite/domain';
import { abandonUpload, closeAttempts, enqueue, extendAttempt, openAttempt, restartProcessing } from '@arvlite/jobs';
import { isNotFound, isUnavailable, ObjectChangedError, sameEtag, type StoredPart } from '@arvlite/storage';
import { LockMode } from '@mikro-orm/core';
import { fileTypeFromBuffer } from 'file-type';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit, diff } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError, DomainError, ServiceUnavailableError, ValidationError } from '../errors.ts';
import { findPage } from '../paginate.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};

const MiB = 1024 * 1024;

/** Storage calls that fail for availability reasons become a clear, retryable error. */
export async function storageCall<T>(ctx: Pick<Ctx, 'log'>, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (isUnavailable(e)) {
      ctx.log.warn({ err: e, what }, 'storage unavailable');
      throw new ServiceUnavailableError('Storage is unavailable right now; nothing was changed. Try again shortly', 5);
    }
    throw e;
  }
}

/** S3's rules: parts of 5 MiB to 5 GiB, at most 10,000 of them. */
export function planParts(size: number, preferred: number): { partSize: number; partCount: number } {
  let partSize = Math.max(preferred, UPLOAD_PART_MIN_BYTES, Math.ceil(size / UPLOAD_MAX_PARTS));
  partSize = Math.ceil(partSize / MiB) * MiB;
  if (partSize > UPLOAD_PART_MAX_BYTES) throw new ValidationError('File is too large for a multipart upload');
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** Part sizes follow from the declared size: every part is partSize bytes but the last, which holds the rest. */
export function partLength(size: number, partSize: number, partCount: number, partNumber: number): number {
  return partNumber < partCount ? partSize : size - partSize * (partCount - 1);
}

/** Takes a Video or a VideoRecord (read-only views). */
export function videoView(v: VideoRecord, session?: UploadSession | null) {
  return {
    id: v.id,
    projectId: v.project.id,
    title: v.title,
    description: v.description ?? null,
    status: v.status,
    failure: v.failureCode ? { code: v.failureCode, message: v.failureMessage ?? '' } : null,
    fileName: v.fileName,
    contentType: v.contentType,
    sizeBytes: v.sizeBytes,
    container: v.container ?? null,
    chromaKey: v.chromaKey ?? null,
    upload:
      session && !session.completedAt && !session.abortedAt
        ? {
            kind: session.kind,
            partSize: session.partSize ?? null,
            partCount: session.partCount ?? null,
            expiresAt: session.expiresAt,
          }
        : null,
    uploadedAt: v.uploadedAt ?? null,
    playableAt: v.playableAt ?? null,
    readyAt: v.readyAt ?? null,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}

export async function createUpload(
  ctx: Ctx,
  input: { projectId: string; fileName: string; contentType: string; size: number; title?: string },
) {
  const limits = ctx.config.uploads;
  if (input.size > limits.maxBytes) {
    throw new ValidationError(`File is larger than the ${limits.maxBytes}-byte limit`, { maxBytes: limits.maxBytes });
  }
  if (!(input.contentType in VIDEO_CONTAINERS)) {
    throw new ValidationError('Only MP4, MOV, WebM and MKV videos are accepted', {
      reason: 'UNSUPPORTED_MEDIA',
      accepted: VIDEO_CONTENT_TYPES,
    });
  }
  // A tus store (local disk) resumes a single upload itself: it never needs parts.
  const multipart = ctx.storage.uploadKind !== 'tus' && input.size >= limits.multipartThresholdBytes;
  const plan = multipart ? planParts(input.size, limits.partSizeBytes) : undefined;
  const expiresAt = new Date(Date.now() + limits.sessionTtlHours * 3_600_000);

  return ctx.em.transactional(async (tem) => {
    const { project, company } = await ctx.access.project(input.projectId);
    if (project.archivedAt) throw new ConflictError('This project is archived');
    await reserveQuota(tem, company.id, input.size);
    const video = tem.create(Video, {
      company,
      project,
      createdBy: ctx.caller.userId,
      title: (input.title ?? input.fileName.replace(/\.[^.]+$/, '')).slice(0, 200) || 'Untitled',
      fileName: input.fileName,
      contentType: input.contentType,
      sizeBytes: input.size,
      originalKey: '',
    });
    const ids = { companyId: company.id, projectId: project.id, videoId: video.id };
    video.originalKey = originalKey(ids);
    // The client writes to a key of this attempt only; completion copies the verified object to the original.
    const attemptId = crypto.randomUUID();
    const uploadKey = videoUploadKey(ids, attemptId);
    const urlExpiresAt = new Date(Date.now() + limits.urlTtlS * 1000);
    // Storage is called before commit: if it is down, the video and the reservation roll back.
    const s3UploadId = multipart
      ? await storageCall(ctx, 'createMultipartUpload', () =>
          ctx.storage.createMultipartUpload(uploadKey, input.contentType),
        )
      : null;
    openAttempt(tem, { id: attemptId, companyId: company.id, key: uploadKey, s3UploadId, urlsExpireAt: urlExpiresAt });
    tem.create(UploadSession, {
      video,
      kind: multipart ? 'multipart' : 'single',
      uploadKey,
      s3UploadId,
      partSize: plan?.partSize ?? null,
      partCount: plan?.partCount ?? null,
      reservedBytes: input.size,
      expiresAt,
    });
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'video.create-upload',
      targetType: 'video',
      targetId: video.id,
      changes: { fileName: { from: null, to: input.fileName }, size: { from: null, to: input.size } },
    });
    if (multipart) {
      return {
        kind: 'multipart' as const,
        videoId: video.id,
        uploadId: s3UploadId!,
        partSize: plan!.partSize,
        partCount: plan!.partCount,
        expiresAt,
        transport: uploadTransport(ctx, uploadKey, input.size, input.contentType),
      };
    }
    return {
      kind: 'single' as const,
      videoId: video.id,
      ...(await singleUpload(ctx, uploadKey, input.size, input.contentType)),
      expiresAt,
      urlExpiresAt,
    };
  });
}

/**
 * How the client writes to this store (the contract's upload transport): s3 and azure PUT to the URLs they are given;
 * a tus store (local disk) answers its endpoint and a signed, size-bound token valid UPLOAD_URL_TTL_S.
 */
function uploadTransport(ctx: Ctx, key: string, size: number, contentType: string): UploadTransport {
  const kind = ctx.storage.uploadKind;
  if (kind !== 'tus') return { kind };
  if (!ctx.storage.uploadTransport) throw new Error(`${ctx.storage.provider} storage gives no tus instructions`);
  return ctx.storage.uploadTransport(key, size, contentType, ctx.config.uploads.urlTtlS);
}

/** A single-request upload: the URL and headers to send (tus: the endpoint and its token headers) and the transport. */
async function singleUpload(ctx: Ctx, key: string, size: number, contentType: string) {
  const transport = uploadTransport(ctx, key, size, contentType);
  if (transport.kind === 'tus') return { url: transport.endpoint, headers: transport.headers, transport };
  const url = await storageCall(ctx, 'presignPut', () =>
    ctx.storage.presignPut(key, contentType, ctx.config.uploads.urlTtlS, { contentLength: size, createOnly: true }),
  );
  return { url, headers: ctx.storage.singleUploadHeaders(contentType, { createOnly: true }), transport };
}

/** An upload into a project archived since it started goes no further (it can still be aborted). */
async function refuseArchivedProject(em: Ctx['em'], projectId: string) {
  const project = await em.findOneOrFail(Project, { id: projectId }, { fields: ['archivedAt'] });
  if (project.archivedAt) throw new ConflictError('This project is archived');
}

async function openSession(ctx: Ctx, videoId: string) {
  const { video } = await ctx.access.video(videoId);
  const session = await ctx.em.findOne(UploadSession, { video });
  if (!session || session.completedAt || session.abortedAt || video.status !== 'AWAITING_UPLOAD') {
    throw new ConflictError('This video is not waiting for an upload', { status: video.status });
  }
  if (session.expiresAt < new Date()) {
    throw new ConflictError('The upload session has expired; start a new upload', { reason: 'UPLOAD_EXPIRED' });
  }
  await refuseArchivedProject(ctx.em, video.project.id);
  return { video, session };
}

/** The key the client uploads to (older sessions uploaded to the original itself). */
function uploadKeyOf(video: { originalKey: string }, session: UploadSession): string {
  return session.uploadKey ?? video.originalKey;
}

/** Fresh URLs for parts (on start and on every resume): each signs its part's exact size and lives UPLOAD_URL_TTL_S. */
export async function signUploadParts(ctx: Ctx, input: { videoId: string; partNumbers: number[] }) {
  const { video, session } = await openSession(ctx, input.videoId);
  if (session.kind !== 'multipart' || !session.s3UploadId)
    throw new ConflictError('This is a single-request upload; it has no parts');
  const bad = input.partNumbers.filter((n) => n > session.partCount!);
  if (bad.length) throw new ValidationError(`Part numbers out of range 1..${session.partCount}: ${bad.join(', ')}`);
  const ttl = ctx.config.uploads.urlTtlS;
  const expiresAt = new Date(Date.now() + ttl * 1000);
  const key = uploadKeyOf(video, session);
  await extendAttempt(ctx.em, key, expiresAt);
  const parts = await Promise.all(
    [...new Set(input.partNumbers)].map(async (partNumber) => ({
      partNumber,
      // Stores whose part uploads answer no ETag (Azure's Put Block): what the client reports on completion.
      ...(ctx.storage.partEtag(partNumber) !== null && { etag: ctx.storage.partEtag(partNumber)! }),
      url: await ctx.storage.presignUploadPart(
        key,
        session.s3UploadId!,
        partNumber,
        ttl,
        partLength(video.sizeBytes, session.partSize!, session.partCount!, partNumber),
      ),
    })),
  );
  return { parts, expiresAt };
}

/** A fresh URL for a single-request upload whose URL expired before it was sent (same key, size and conditions). */
export async function signUpload(ctx: Ctx, input: { videoId: string }) {
  const { video, session } = await openSession(ctx, input.videoId);
  if (session.kind !== 'single' || !session.uploadKey)
    throw new ConflictError('This upload has parts; sign them with signUploadParts');
  const ttl = ctx.config.uploads.urlTtlS;
  const urlExpiresAt = new Date(Date.now() + ttl * 1000);
  await extendAttempt(ctx.em, session.uploadKey, urlExpiresAt);
  return {
    ...(await singleUpload(ctx, session.uploadKey, video.sizeBytes, video.contentType)),
    expiresAt: session.expiresAt,
    urlExpiresAt,
  };
}

/**
 * The parts storage holds for a multipart upload, or where an earlier completion already assembled them. That
 * completion assembled the parts in storage (and maybe copied the result to the original), then its transaction
 * failed: the database went away before the commit. Storage holds no parts any more (S3 answers NoSuchUpload, Azure
 * lists no uncommitted blocks), so they can be neither listed nor assembled again; the assembled file, of the
 * declared size, is what the upload sent. A multipart upload whose parts are gone with nothing assembled is a
 * conflict (start again), not a server error.
 */
async function partsOrAssembled(
  ctx: Ctx,
  video: Video,
  session: UploadSession,
): Promise<{ parts: StoredPart[] } | { assembled: 'upload' | 'original' }> {
  const key = uploadKeyOf(video, session);
  let gone = false;
  const parts = await storageCall(ctx, 'listParts', () =>
    ctx.storage.listParts(key, session.s3UploadId!).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
      gone = true;
      return [];
    }),
  );
  if (parts.length >= session.partCount!) return { parts };
  const atUpload = await storageCall(ctx, 'head', () => ctx.storage.head(key));
  if (atUpload?.size === video.sizeBytes) return { assembled: 'upload' };
  if (key !== video.originalKey) {
    const atOriginal = await storageCall(ctx, 'head', () => ctx.storage.head(video.originalKey));
    if (atOriginal?.size === video.sizeBytes) return { assembled: 'original' };
  }
  if (gone)
    throw new ConflictError('Storage no longer holds the parts of this upload; start a new upload', {
      reason: 'UPLOAD_EXPIRED',
    });
  return { parts };
}

/**
 * An upload that an earlier completion already copied to the original (removing the upload key), while that
 * completion's transaction never committed: the database went away or timed out before the commit, or the process
 * was killed (chaos scenario 11, a power cut of `pnpm start`). Only a completion writes the original, after checking
 * the upload's ETag and size, so a copy of the declared size is what the upload sent. Videos and markers both use it.
 * Null otherwise (also when the upload key is the original itself).
 */
export async function copiedToOriginal(
  ctx: Ctx,
  uploadKey: string,
  originalKey: string,
  declaredBytes: number | null | undefined,
) {
  if (uploadKey === originalKey || declaredBytes == null) return null;
  const atOriginal = await storageCall(ctx, 'head', () => ctx.storage.head(originalKey));
  return atOriginal?.size === declaredBytes ? atOriginal : null;
}

export async function listUploadedParts(ctx: Ctx, input: { videoId: string }) {
  const { video, session } = await openSession(ctx, input.videoId);
  if (session.kind !== 'multipart' || !session.s3UploadId) {
    const head = await storageCall(ctx, 'head', () => ctx.storage.head(uploadKeyOf(video, session)));
    const copied = head
      ? null
      : await copiedToOriginal(ctx, uploadKeyOf(video, session), video.originalKey, video.sizeBytes);
    return { kind: 'single' as const, parts: [], uploadedBytes: head?.size ?? copied?.size ?? 0 };
  }
  const listed = await partsOrAssembled(ctx, video, session);
  // Already assembled: every part is there (storage no longer tells their ETags); what is left is to complete.
  const parts =
    'parts' in listed
      ? listed.parts
      : Array.from({ length: session.partCount! }, (_, i) => ({
          partNumber: i + 1,
          size: partLength(video.sizeBytes, session.partSize!, session.partCount!, i + 1),
          etag: '',
        }));
  return {
    kind: 'multipart' as const,
    partSize: session.partSize!,
    partCount: session.partCount!,
    parts,
    uploadedBytes: parts.reduce((n, p) => n + p.size, 0),
  };
}

type CompleteOutcome = { ok: ReturnType<typeof videoView> } | { fail: DomainError };

/**
 * Verifies the upload and makes it the original: the attempt object is copied to the original key (which no client
 * can write), the copy is what is checked (size, type), its ETag is recorded for the worker's If-Match reads, and the
 * attempt object goes. `etag` (single uploads) is what the client's PUT answered; another object there is refused.
 */
export async function completeUpload(
  ctx: Ctx,
  input: { videoId: string; etag?: string; parts?: { partNumber: number; etag: string }[] },
) {
  const outcome: CompleteOutcome = await ctx.em.transactional(async (tem) => {
    const { video: found } = await ctx.access.video(input.videoId);
    // Serializes concurrent completions of the same video.
    const video = await tem.findOneOrFail(
      Video,
      { id: found.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    const session = await tem.findOne(UploadSession, { video });
    if (session?.completedAt && video.status !== 'AWAITING_UPLOAD') {
      return { ok: videoView(video, session) }; // completing twice answers the same, with one job
    }
    if (!session || session.abortedAt || video.status !== 'AWAITING_UPLOAD') {
      throw new ConflictError('This video is not waiting for an upload', { status: video.status });
    }
    if (session.expiresAt < new Date()) {
      throw new ConflictError('The upload session has expired; start a new upload', { reason: 'UPLOAD_EXPIRED' });
    }
    await refuseArchivedProject(tem, video.project.id);
    const uploadKey = uploadKeyOf(video, session);
    const fail = async (code: string, message: string, details: Record<string, unknown> = {}) => {
      await storageCall(ctx, 'abandon', () => abandonUpload(tem, ctx.storage, video, { code, message }));
      audit(tem, actor(ctx), {
        companyId: video.company.id,
        action: 'video.upload-rejected',
        targetType: 'video',
        targetId: video.id,
        changes: { reason: { from: null, to: code } },
      });
      return { fail: new ValidationError(message, { reason: code, ...details }) };
    };

    const listed = session.kind === 'multipart' ? await partsOrAssembled(ctx, video, session) : undefined;
    const assembled = listed && 'assembled' in listed ? listed.assembled : undefined;
    if (listed && 'parts' in listed) {
      const stored = listed.parts;
      const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
      const expected = Array.from({ length: session.partCount! }, (_, i) => i + 1);
      const given = input.parts ?? stored.map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
      const counts = new Map<number, number>();
      for (const p of given) counts.set(p.partNumber, (counts.get(p.partNumber) ?? 0) + 1);
      const duplicate = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
      const missing = expected.filter((n) => !counts.has(n) || !byNumber.has(n));
      const extra = [...counts.keys()].filter((n) => n < 1 || n > session.partCount!);
      const strip = (e: string) => e.replaceAll('"', '');
      const wrongEtag = given
        .filter((p) => byNumber.has(p.partNumber) && strip(byNumber.get(p.partNumber)!.etag) !== strip(p.etag))
        .map((p) => p.partNumber);
      if (duplicate.length || missing.length || extra.length || wrongEtag.length) {
        // Not a failure of the video: the client can upload the missing parts and complete again.
        throw new ValidationError(
          [
            missing.length ? `missing parts: ${missing.join(', ')}` : '',
            duplicate.length ? `duplicate parts: ${duplicate.join(', ')}` : '',
            extra.length ? `unexpected parts: ${extra.join(', ')}` : '',
            wrongEtag.length ? `parts whose ETag does not match what storage holds: ${wrongEtag.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
          { reason: 'INCOMPLETE_UPLOAD', missing, duplicate, extra, wrongEtag },
        );
      }
      const storedSize = expected.reduce((n, k) => n + byNumber.get(k)!.size, 0);
      if (storedSize !== video.sizeBytes) {
        return fail('UPLOAD_SIZE_MISMATCH', `Uploaded ${storedSize} bytes but ${video.sizeBytes} were declared`, {
          storedBytes: storedSize,
          declaredBytes: video.sizeBytes,
        });
      }
      await storageCall(ctx, 'completeMultipartUpload', () =>
        ctx.storage.completeMultipartUpload(
          uploadKey,
          session.s3UploadId!,
          expected.map((k) => ({ partNumber: k, etag: byNumber.get(k)!.etag })),
          video.contentType,
        ),
      );
    }

    const sizeMismatch = (size: number) =>
      fail('UPLOAD_SIZE_MISMATCH', `Uploaded ${size} bytes but ${video.sizeBytes} were declared`, {
        storedBytes: size,
        declaredBytes: video.sizeBytes,
      });
    let etag: string | null;
    const uploaded =
      assembled === 'original' ? null : await storageCall(ctx, 'head', () => ctx.storage.head(uploadKey));
    const copied =
      !assembled && !uploaded && session.kind === 'single'
        ? await copiedToOriginal(ctx, uploadKey, video.originalKey, video.sizeBytes)
        : null;
    if (assembled === 'original' || copied) {
      // The earlier completion copied it to the original already (and removed the upload key): the copy is checked.
      // (A copy's ETag need not be the upload's: Azure gives every blob its own, so the client's is not compared.)
      etag = copied
        ? (copied.etag ?? null)
        : ((await storageCall(ctx, 'head', () => ctx.storage.head(video.originalKey)))?.etag ?? null);
    } else {
      if (!uploaded)
        throw new ValidationError('Storage holds no file for this upload yet; upload it, then complete', {
          reason: 'NOT_UPLOADED',
        });
      if (input.etag && !sameEtag(uploaded.etag, input.etag)) {
        return fail('UPLOAD_CHANGED', 'Storage holds another file than the one this upload sent; upload it again', {
          etag: input.etag,
        });
      }
      if (uploaded.size !== video.sizeBytes || uploaded.size > ctx.config.uploads.maxBytes)
        return sizeMismatch(uploaded.size);
      // From here on only the copy counts: old URLs can still write to the upload key, never to the original.
      etag = uploaded.etag ?? null;
      if (uploadKey !== video.originalKey) {
        etag = await storageCall(ctx, 'copy', () =>
          ctx.storage
            .copy(uploadKey, video.originalKey, { size: uploaded.size, ifMatch: uploaded.etag })
            .catch((e: unknown) => {
              if (e instanceof ObjectChangedError) return null;
              throw e;
            }),
        );
        if (!etag) return fail('UPLOAD_CHANGED', 'The uploaded file changed while it was checked; upload it again');
      }
    }
    const head = await storageCall(ctx, 'head', () => ctx.storage.head(video.originalKey));
    if (!head || !sameEtag(head.etag, etag))
      return fail('UPLOAD_CHANGED', 'The uploaded file changed while it was checked; upload it again');
    if (head.size !== video.sizeBytes) return sizeMismatch(head.size);
    const firstBytes = await storageCall(ctx, 'sniff', () =>
      ctx.storage.getBytes(video.originalKey, { start: 0, end: Math.min(head.size, 4100) - 1 }, { ifMatch: etag }),
    );
    const type = await fileTypeFromBuffer(firstBytes);
    const container = type ? VIDEO_CONTAINERS[type.mime as keyof typeof VIDEO_CONTAINERS] : undefined;
    if (!container) {
      return fail(
        'UNSUPPORTED_MEDIA',
        `The file is ${type ? `${type.mime} (.${type.ext})` : 'not a recognizable video'}; upload an MP4, MOV, WebM or MKV video`,
        { detected: type?.mime ?? null },
      );
    }

    transition(video, 'UPLOADED');
    video.uploadedAt = new Date();
    video.container = container;
    video.storedBytes = head.size;
    video.originalEtag = etag;
    session.etag = etag;
    session.completedAt = new Date();
    if (uploadKey !== video.originalKey) {
      await storageCall(ctx, 'delete', () => ctx.storage.delete(uploadKey));
      await closeAttempts(tem, { key: uploadKey });
    }
    await commitQuota(tem, video.company.id, session.reservedBytes, head.size);
    await restartProcessing(tem, video.id, ctx.config.media, { restart: false });
    audit(tem, actor(ctx), {
      companyId: video.company.id,
      action: 'video.upload-complete',
      targetType: 'video',
      targetId: video.id,
      changes: { container: { from: null, to: container } },
    });
    return { ok: videoView(video, session) };
  });
  if ('fail' in outcome) throw outcome.fail;
  return outcome.ok;
}

export async function abortUpload(ctx: Ctx, input: { videoId: string }) {
  return ctx.em.transactional(async (tem) => {
    const { video: found } = await ctx.access.video(input.videoId);
    const video = await tem.findOneOrFail(
      Video,
      { id: found.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (video.status !== 'AWAITING_UPLOAD')
      throw new ConflictError('Only an upload in progress can be aborted', { status: video.status });
    await storageCall(ctx, 'abort', () =>
      abandonUpload(tem, ctx.storage, video, { code: 'UPLOAD_ABORTED', message: 'The upload was cancelled' }),
    );
    audit(tem, actor(ctx), {
      companyId: video.company.id,
      action: 'video.abort-upload',
      targetType: 'video',
      targetId: video.id,
    });
    return videoView(video);
  });
}

export async function listVideos(
  ctx: Ctx,
  input: { projectId: string; cursor?: string; limit: number; status?: VideoStatus },
) {
  const { project } = await ctx.access.project(input.projectId);
  const { items, nextCursor } = await findPage(
    ctx.em,
    Video,
    { project, deletedAt: null, ...(input.status ? { status: input.status } : {}) },
    input,
  );
  return { items: items.map((v) => videoView(v)), nextCursor };
}

export async function updateVideo(
  ctx: Ctx,
  input: { id: string; title?: string; description?: string | null; chromaKey?: ChromaKey | null },
) {
  return ctx.em.transactional(async (tem) => {
    const { video } = await ctx.access.video(input.id);
    const patch = { title: input.title, description: input.description };
    const changes = diff(video, patch);
    tem.assign(video, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    if (input.chromaKey !== undefined && JSON.stringify(input.chromaKey) !== JSON.stringify(video.chromaKey ?? null)) {
      // Viewers see it at their next manifest (its ETag covers the whole answer). Every item that can play this video
      // gets a new manifest `version`, which viewers and apps compare to know the item changed (manifest-refresh.ts).
      changes.chromaKey = { from: video.chromaKey ?? null, to: input.chromaKey };
      video.chromaKey = input.chromaKey;
      await tem.execute(
        `update ar_content set version = version + 1
          where id in (select ar_content_id from ar_playlist_item where video_id = ?)
             or default_video_id = ?`,
        [video.id, video.id],
      );
    }
    audit(tem, actor(ctx), {
      companyId: video.company.id,
      action: 'video.update',
      targetType: 'video',
      targetId: video.id,
      changes,
    });
    return videoView(video);
  });
}

export async function deleteVideo(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const { video } = await ctx.access.video(input.id);
    video.deletedAt = new Date();
    await enqueue(tem, 'video:delete', { videoId: video.id });
    audit(tem, actor(ctx), {
      companyId: video.company.id,
      action: 'video.delete',
      targetType: 'video',
      targetId: video.id,
      changes: { title: { from: video.title, to: null }, storedBytes: { from: video.storedBytes, to: 0 } },
    });
    return { ok: true as const };
  });
}
