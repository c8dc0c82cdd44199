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
export const opaqueToken = z
  .string()
  .min(16)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'malformed token' });

/** An instant Postgres and calendars handle sensibly; anything outside is a client bug. */
export const instant = z
  .date({ message: 'expected a date and time' })
  .min(new Date('2000-01-01T00:00:00Z'), { message: 'must be in the year 2000 or later' })
  .max(new Date('2200-01-01T00:00:00Z'), { message: 'must be before the year 2200' });

/** A calendar date, YYYY-MM-DD, that exists. */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date as YYYY-MM-DD' })
  .refine(
    (v) => {
      const [y, m, d] = v.split('-').map(Number) as [number, number, number];
      const date = new Date(Date.UTC(y, m - 1, d));
      return y >= 1900 && y < 2200 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    },
    { message: 'expected a real date between 1900 and 2199' },
  );

export const pageInput = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};
