// Input fields both sides check: the server's procedures parse with these, and the clients' forms check with them
// before sending, so a form never accepts what the server would refuse.
import { z } from 'zod';

/** Longest text each field takes, in characters; forms set them as the inputs' maxLength. */
export const TEXT_LIMITS = {
  email: 254,
  displayName: 100,
  description: 2000,
  title: 200,
  fileName: 255,
  customerName: 200,
  customerPhone: 40,
  orderRef: 100,
} as const;

/** Emails are normalized (NFKC, trimmed, lower-cased) before validation so comparisons are exact. */
export const email = z
  .string()
  .max(TEXT_LIMITS.email)
  .transform((v) => v.normalize('NFKC').trim().toLowerCase())
  .pipe(z.email({ message: 'expected an email address' }).max(TEXT_LIMITS.email));

/** Names of people, companies and projects. */
export const displayName = z
  .string()
  .transform((v) => v.normalize('NFKC').trim())
  .pipe(z.string().min(1, { message: 'must not be empty' }).max(TEXT_LIMITS.displayName));

export const description = z.string().trim().max(TEXT_LIMITS.description);

/** Titles of videos and AR content items. */
export const title = z.string().trim().min(1).max(TEXT_LIMITS.title);

/** A video's file name as picked: a name, not a path. */
export const fileName = z
  .string()
  .transform((v) => v.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1)
      .max(TEXT_LIMITS.fileName)
      .regex(/^[^/\\]+$/, { message: 'must be a file name, not a path' }),
  );

export const customerName = z.string().trim().max(TEXT_LIMITS.customerName);
export const customerPhone = z
  .string()
  .trim()
  .max(TEXT_LIMITS.customerPhone)
  .regex(/^[0-9+()\-. ]*$/, { message: 'expected a phone number' });
/** The company's own order number or reference for the printed photo. */
export const orderRef = z.string().trim().max(TEXT_LIMITS.orderRef);

/** A marker's printed width in millimetres, 1 cm to 10 m. */
export const WIDTH_MM = { min: 10, max: 10_000 } as const;
export const widthMm = z.number().min(WIDTH_MM.min).max(WIDTH_MM.max);

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

/** An IANA time zone this runtime knows, such as Europe/Berlin. */
export const timeZone = z
  .string()
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected an IANA timezone such as Europe/Berlin' },
  );
