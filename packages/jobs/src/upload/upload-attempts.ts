// The keys clients may write to through presigned URLs, and the sweep that empties them once nothing can use them.
import { raw } from '@mikro-orm/core';
import { UploadAttempt, type EntityManager } from '@arvlite/db';
import type { ObjectStore } from '@arvlite/storage';

/** Records a new key clients will write to, with the expiry of the first URL signed for it. */
export function openAttempt(
  em: EntityManager,
  attempt: { id: string; companyId: string; key: string; s3UploadId?: string | null; urlsExpireAt: Date },
): UploadAttempt {
  return em.create(UploadAttempt, { s3UploadId: null, closedAt: null, ...attempt });
}

/** A URL for this key was signed again: the sweep waits until it has expired too. */
export async function extendAttempt(em: EntityManager, key: string, urlsExpireAt: Date): Promise<void> {
  await em.execute(`update upload_attempt set urls_expire_at = greatest(urls_expire_at, ?) where key = ?`, [
    urlsExpireAt,
    key,
  ]);
}

/** Nothing will read these keys any more (completed, aborted, expired, replaced or deleted): swept once URLs expire. */
export async function closeAttempts(em: EntityManager, where: { key: string } | { prefix: string }): Promise<void> {
  if ('key' in where) {
    await em.execute(`update upload_attempt set closed_at = now() where key = ? and closed_at is null`, [where.key]);
  } else {
    const pattern = `${where.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    await em.execute(`update upload_attempt set closed_at = now() where key like ? and closed_at is null`, [pattern]);
  }
}

/**
 * Deletes what closed attempts' keys hold (aborting their multipart uploads) an hour after their last URL expired, so
 * a PUT still streaming at expiry has finished. An attempt nobody re-signed for `openTtlMs` is dead too.
 */
export async function sweepDeadUploads(
  em: EntityManager,
  storage: ObjectStore,
  opts: { graceMs: number; openTtlMs: number; limit?: number },
): Promise<number> {
  // Ages by the database's clock (a worker's clock running ahead must not delete what a PUT may still be writing).
  const ago = (ms: number) => raw(`now() - make_interval(secs => ?::float8)`, [ms / 1000]);
  const dead = await em.find(
    UploadAttempt,
    {
      $or: [
        { closedAt: { $ne: null }, urlsExpireAt: { $lt: ago(opts.graceMs) } },
        { urlsExpireAt: { $lt: ago(opts.graceMs + opts.openTtlMs) } },
      ],
    },
    { limit: opts.limit ?? 500, orderBy: { urlsExpireAt: 'asc' } },
  );
  for (const attempt of dead) {
    if (attempt.s3UploadId) await storage.abortMultipartUpload(attempt.key, attempt.s3UploadId);
    await storage.delete(attempt.key);
    await em.nativeDelete(UploadAttempt, { id: attempt.id });
  }
  return dead.length;
}
