// Keyset pagination, newest first, for lists ordered by (createdAt, id): stable under inserts, one index range scan
// per page, and an opaque cursor the client passes back unchanged.
import type { EntityManager } from '@arvlite/db';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import { ValidationError } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

/** The position a cursor names; a cursor this API did not make is a BAD_REQUEST, never a silent first page. */
export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parsed = null;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    typeof parsed[1] === 'string' &&
    UUID.test(parsed[1])
  ) {
    const createdAt = new Date(parsed[0]);
    if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: parsed[1] };
  }
  throw new ValidationError('This cursor is not one this list returned; start again without it', {
    reason: 'INVALID_CURSOR',
    field: 'cursor',
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One page of `entity` rows matching `where`, newest first, after the cursor's position. */
export async function findPage<T extends { createdAt: Date; id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  input: { cursor?: string; limit: number },
): Promise<Page<T>> {
  const after = decodeCursor(input.cursor);
  const keyset = after
    ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }
    : {};
  const rows = (await em.find(entity, { $and: [where, keyset] } as FilterQuery<T>, {
    orderBy: { createdAt: 'desc', id: 'desc' } as never,
    limit: input.limit + 1,
  })) as T[];
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
