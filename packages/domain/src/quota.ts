// Company storage accounting: reserve at upload start, turn into usage on completion, release on failure.
import type { EntityManager } from '@arvlite/db';
import { NotFoundError, QuotaExceededError } from './errors.ts';

/** Atomically reserves `bytes` if used + reserved + bytes stays within the quota; else QuotaExceeded with the numbers. */
export async function reserveQuota(em: EntityManager, companyId: string, bytes: number): Promise<void> {
  const rows = await em.execute<{ id: string }[]>(
    `update company set storage_reserved_bytes = storage_reserved_bytes + ?
      where id = ? and storage_used_bytes + storage_reserved_bytes + ? <= storage_quota_bytes returning id`,
    [bytes, companyId, bytes],
  );
  if (rows.length > 0) return;
  const [c] = await em.execute<{ used: string; reserved: string; quota: string }[]>(
    'select storage_used_bytes as used, storage_reserved_bytes as reserved, storage_quota_bytes as quota from company where id = ?',
    [companyId],
  );
  if (!c) throw new NotFoundError('Company');
  throw new QuotaExceededError(Number(c.used), Number(c.reserved), Number(c.quota), bytes);
}

export async function releaseQuota(em: EntityManager, companyId: string, reservedBytes: number): Promise<void> {
  await em.execute('update company set storage_reserved_bytes = greatest(0, storage_reserved_bytes - ?) where id = ?', [
    reservedBytes,
    companyId,
  ]);
}

/** Moves a reservation into usage (the upload completed). */
export async function commitQuota(em: EntityManager, companyId: string, reservedBytes: number, usedBytes: number) {
  await em.execute(
    `update company set storage_reserved_bytes = greatest(0, storage_reserved_bytes - ?),
       storage_used_bytes = storage_used_bytes + ? where id = ?`,
    [reservedBytes, usedBytes, companyId],
  );
}

/** Adds (or with a negative delta, removes) stored bytes, e.g. outputs written or a video deleted. */
export async function addUsage(em: EntityManager, companyId: string, delta: number): Promise<void> {
  await em.execute('update company set storage_used_bytes = greatest(0, storage_used_bytes + ?) where id = ?', [
    delta,
    companyId,
  ]);
}
