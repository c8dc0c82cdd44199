// A company's logo: a presigned PUT for one upload attempt, its completion (the bytes must be a PNG or JPEG of at most
// LOGO_MAX_BYTES, copied to a key no client can write), removal, and the short URL the company read gives for it.
import { LOGO_EXTENSIONS, LOGO_MAX_BYTES, type LogoContentType } from '@arvlite/contract';
import { Company, UploadAttempt } from '@arvlite/db';
import { companyLogoKey, companyLogoUploadKey } from '@arvlite/domain';
import { closeAttempts, openAttempt } from '@arvlite/jobs';
import { ObjectChangedError, sameEtag } from '@arvlite/storage';
import { LockMode } from '@mikro-orm/core';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit } from '../audit.ts';
import type { Context } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { storageCall } from './video.service.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};

/** How long the logo URL in a company read works. */
export const LOGO_URL_TTL_S = 900;

/** The logo's presigned GET (short-lived), or null without a logo. */
export async function companyLogoUrl(
  ctx: Pick<Context, 'config' | 'storage'>,
  company: { logoKey?: string | null },
): Promise<string | null> {
  if (!company.logoKey) return null;
  return ctx.storage.presignGet(company.logoKey, Math.min(LOGO_URL_TTL_S, ctx.config.media.urlTtlS));
}

/** The image type the first bytes announce, or null when they are neither PNG nor JPEG. */
export function sniffLogoType(bytes: Uint8Array): LogoContentType | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** A presigned PUT for a new logo: one key of this attempt, the declared type and exact size, UPLOAD_URL_TTL_S. */
export async function createLogoUpload(
  ctx: Ctx,
  input: { companyId: string; contentType: LogoContentType; size: number },
) {
  return ctx.em.transactional(async (tem) => {
    const { company } = await ctx.access.company(input.companyId);
    const attemptId = crypto.randomUUID();
    const key = companyLogoUploadKey(company.id, attemptId);
    const ttl = ctx.config.uploads.urlTtlS;
    const expiresAt = new Date(Date.now() + ttl * 1000);
    // Recorded so the upload sweep deletes the key once nothing can use it (completed, or abandoned).
    openAttempt(tem, { id: attemptId, companyId: company.id, key, urlsExpireAt: expiresAt });
    const url = await storageCall(ctx, 'presignPut', () =>
      ctx.storage.presignPut(key, input.contentType, ttl, { contentLength: input.size, createOnly: true }),
    );
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'company.create-logo-upload',
      targetType: 'company',
      targetId: company.id,
      changes: { size: { from: null, to: input.size }, contentType: { from: null, to: input.contentType } },
    });
    return {
      key,
      url,
      headers: { 'content-type': input.contentType, 'if-none-match': '*' },
      expiresAt,
      maxBytes: LOGO_MAX_BYTES,
    };
  });
}

/**
 * Checks the uploaded object (there, at most LOGO_MAX_BYTES, PNG or JPEG by its first bytes), copies it to a new logo
 * key and makes that the company's logo, deleting the previous one. Anything else: ValidationError, logo unchanged.
 */
export async function completeLogoUpload(ctx: Ctx, input: { companyId: string; key: string }) {
  const { company } = await ctx.access.company(input.companyId);
  const attempt = await ctx.em.findOne(UploadAttempt, {
    key: input.key,
    companyId: company.id,
    closedAt: null,
  });
  // Only a key this company's createLogoUpload opened (and not yet completed) can become its logo.
  if (!attempt || input.key !== companyLogoUploadKey(company.id, attempt.id)) {
    throw new ValidationError('No logo upload is waiting under this key; call createLogoUpload first', {
      reason: 'NO_UPLOAD',
    });
  }
  const key = input.key;
  const reject = async (reason: string, message: string, details: Record<string, unknown> = {}) => {
    await storageCall(ctx, 'delete', () => ctx.storage.delete(key));
    await ctx.em.transactional((tem) => closeAttempts(tem, { key }));
    return new ValidationError(message, { reason, ...details });
  };

  const uploaded = await storageCall(ctx, 'head', () => ctx.storage.head(key));
  if (!uploaded) {
    throw new ValidationError('Storage holds no file for this upload yet; upload it, then complete', {
      reason: 'NOT_UPLOADED',
    });
  }
  if (uploaded.size < 1 || uploaded.size > LOGO_MAX_BYTES) {
    throw await reject('LOGO_TOO_LARGE', `The logo is ${uploaded.size} bytes; at most ${LOGO_MAX_BYTES} are accepted`, {
      storedBytes: uploaded.size,
      maxBytes: LOGO_MAX_BYTES,
    });
  }
  const head = await storageCall(ctx, 'sniff', () =>
    ctx.storage.getBytes(key, { start: 0, end: Math.min(uploaded.size, 16) - 1 }, { ifMatch: uploaded.etag }),
  );
  const type = sniffLogoType(head);
  if (!type) throw await reject('UNSUPPORTED_IMAGE', 'The file is not a PNG or JPEG image; upload a PNG or JPEG logo');

  // Only the copy counts: an old URL can still write to the upload key, never to the logo key.
  const logoKey = companyLogoKey(company.id, LOGO_EXTENSIONS[type]);
  const copied = await storageCall(ctx, 'copy', () =>
    ctx.storage.copy(key, logoKey, { size: uploaded.size, ifMatch: uploaded.etag }).catch((e: unknown) => {
      if (e instanceof ObjectChangedError) return null;
      throw e;
    }),
  );
  // The copy's ETag must be the sniffed object's (a store ignoring CopySourceIfMatch would copy whatever is there now).
  if (!copied || !uploaded.etag || !sameEtag(copied, uploaded.etag)) {
    if (copied) await storageCall(ctx, 'delete', () => ctx.storage.delete(logoKey));
    throw await reject('UPLOAD_CHANGED', 'The uploaded file changed while it was checked; upload it again');
  }

  let previous: string | null = null;
  try {
    await ctx.em.transactional(async (tem) => {
      const row = await tem.findOneOrFail(Company, company.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      previous = row.logoKey ?? null;
      row.logoKey = logoKey;
      await closeAttempts(tem, { key });
      audit(tem, actor(ctx), {
        companyId: row.id,
        action: 'company.update-logo',
        targetType: 'company',
        targetId: row.id,
        changes: { logoKey: { from: previous, to: logoKey }, imageType: { from: null, to: type } },
      });
    });
  } catch (e) {
    await ctx.storage.delete(logoKey).catch(() => {});
    throw e;
  }
  await removeObjects(ctx, [key, previous]);
  return { url: await companyLogoUrl(ctx, { logoKey }), contentType: type, size: uploaded.size };
}

/** Removes the company's logo (invoices rendered from then on have none). */
export async function removeLogo(ctx: Ctx, input: { companyId: string }) {
  const { company } = await ctx.access.company(input.companyId);
  const previous = await ctx.em.transactional(async (tem) => {
    const row = await tem.findOneOrFail(Company, company.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const old = row.logoKey ?? null;
    if (!old) return null;
    row.logoKey = null;
    audit(tem, actor(ctx), {
      companyId: row.id,
      action: 'company.remove-logo',
      targetType: 'company',
      targetId: row.id,
      changes: { logoKey: { from: old, to: null } },
    });
    return old;
  });
  await removeObjects(ctx, [previous]);
  return { ok: true as const };
}

async function removeObjects(ctx: Pick<Ctx, 'storage' | 'log'>, keys: (string | null)[]) {
  for (const key of keys) {
    if (key)
      await ctx.storage
        .delete(key)
        .catch((err: unknown) => ctx.log.warn({ err, key }, 'could not remove a logo object'));
  }
}
