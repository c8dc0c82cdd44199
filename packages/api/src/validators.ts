// Shared input pieces: every string has a length limit, every object is strict, every list is bounded.
import { z } from 'zod';
import { ROLES } from '@arvlite/db';

export const id = z.uuid({ message: 'expected an id' });

/** Emails are normalized (NFKC, trimmed, lower-cased) before validation so comparisons are exact. */
export const email = z
  .string()
  .max(254)
  .transform((v) => v.normalize('NFKC').trim().toLowerCase())
  .pipe(z.email({ message: 'expected an email address' }).max(254));

export const displayName = z
  .string()
  .transform((v) => v.normalize('NFKC').trim())
  .pipe(z.string().min(1, { message: 'must not be empty' }).max(100));

export const description = z.string().trim().max(2000);
export const password = z.string().min(1, { message: 'must not be empty' }).max(256);
export const role = z.enum(ROLES);
export const opaqueToken = z.string().min(16).max(256).regex(/^[A-Za-z0-9_-]+$/, { message: 'malformed token' });

export const pageInput = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};

export function encodeCursor(createdAt: Date, idValue: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), idValue])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [at, idValue] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof idValue !== 'string') throw new Error();
    return { createdAt, id: idValue };
  } catch {
    return undefined;
  }
}
