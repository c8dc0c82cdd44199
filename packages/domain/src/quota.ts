// Company storage accounting: reserve at upload start, turn into usage on completion, release on failure.
import { NotFoundError, QuotaExceededError } from './errors.ts';

/** Runs one SQL statement with `?` placeholders in the caller's transaction (MikroORM's EntityManager is one). */
export interface SqlExecutor {
  execute(sql: string, params: unknown[]): Promise<unknown>;
}

async function rowsOf<T>(sql: SqlExecutor, query: string, params: unknown[]): Promise<T[]> {
  return (await sql.execute(query, params)) as T[];
}

/** Atomically reserves `bytes` if used + reserved + bytes stays within the quota; else QuotaExceeded with the numbers. */
export async function reserveQuota(sql: SqlExecutor, companyId: string, bytes: number): Promise<void> {
  const rows = await rowsOf<{ id: string }>(
    sql,
    `update company set storage_reserved_bytes = storage_reserved_bytes + ?
      where id = ? and storage_used_bytes + storage_reserved_bytes + ? <= storage_quota_bytes returning id`,
    [bytes, companyId, bytes],
  );
  if (rows.length > 0) return;
  const [c] = await rowsOf<{ used: string; reserved: string; quota: string }>(
    sql,
    'select storage_used_bytes as used, storage_reserved_bytes as reserved, storage_quota_bytes as quota from company where id = ?',
    [companyId],
  );
  if (!c) throw new NotFoundError('Company');
  throw new QuotaExceededError(Number(c.used), Number(c.reserved), Number(c.quota), bytes);
}

export async function releaseQuota(sql: SqlExecutor, companyId: string, reservedBytes: number): Promise<void> {
  await sql.execute(
    'update company set storage_reserved_bytes = greatest(0, storage_reserved_bytes - ?) where id = ?',
    [reservedBytes, companyId],
  );
}

/** Moves a reservation into usage (the upload completed). */
export async function commitQuota(sql: SqlExecutor, companyId: string, reservedBytes: number, usedBytes: number) {
  await sql.execute(
    `update company set storage_reserved_bytes = greatest(0, storage_reserved_bytes - ?),
       storage_used_bytes = storage_used_bytes + ? where id = ?`,
    [reservedBytes, usedBytes, companyId],
  );
}

/**
 * Adds stored bytes only if used + reserved + bytes stays within the quota (outputs of processing, before they are
 * written); else QuotaExceeded with the numbers.
 */
export async function chargeUsage(sql: SqlExecutor, companyId: string, bytes: number): Promise<void> {
  const rows = await rowsOf<{ id: string }>(
    sql,
    `update company set storage_used_bytes = storage_used_bytes + ?
      where id = ? and storage_used_bytes + storage_reserved_bytes + ? <= storage_quota_bytes returning id`,
    [bytes, companyId, bytes],
  );
  if (rows.length > 0) return;
  const [c] = await rowsOf<{ used: string; reserved: string; quota: string }>(
    sql,
    'select storage_used_bytes as used, storage_reserved_bytes as reserved, storage_quota_bytes as quota from company where id = ?',
    [companyId],
  );
  if (!c) throw new NotFoundError('Company');
  throw new QuotaExceededError(Number(c.used), Number(c.reserved), Number(c.quota), bytes);
}

/** Adds (or with a negative delta, removes) stored bytes, e.g. outputs written or a video deleted. */
export async function addUsage(sql: SqlExecutor, companyId: string, delta: number): Promise<void> {
  await sql.execute('update company set storage_used_bytes = greatest(0, storage_used_bytes + ?) where id = ?', [
    delta,
    companyId,
  ]);
}
