// The mails the platform sends: each kind's parameters, and the rules every address and header value obeys.
// Parameters never hold a secret: a link's token is derived at send time from an id (see @arvlite/domain), so the
// email log can keep what was sent without keeping anything that opens an account.
import { z } from 'zod';
import { email } from './inputs.ts';
import { notificationChannelSchema, notificationKindSchema } from './notifications.ts';
import { ROLES } from './roles.ts';

/** The one address rule (NFKC, trimmed, lower-case, then validated): the API and the mailer use the same schema. */
export const emailSchema = email;

/** An address as stored and compared everywhere; throws a zod error when it is not an address. */
export function normalizeEmail(value: string): string {
  return emailSchema.parse(value);
}

/** CR, LF or any other control character: a header value holding one could add headers (header injection). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

export function isHeaderSafe(value: string): boolean {
  return !CONTROL.test(value);
}

/** A text that may end up in a header (a name, a subject line): bounded and one line. */
const headerText = (max: number) =>
  z.string().max(max).refine(isHeaderSafe, { message: 'must be one line (no CR, LF or control characters)' });

/** Text that only appears in a mail's body (may span lines). */
const bodyText = (max: number) => z.string().max(max);

const relativePath = z
  .string()
  .max(512)
  .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%#]*$/, { message: 'expected a path on PUBLIC_URL, starting with /' });

export const mailParamsSchemas = {
  /** An invitation to a company; the accept link's token is derived from the invitation id at send time. */
  invitation: z.strictObject({
    invitationId: z.uuid(),
    companyName: headerText(100),
    inviterName: headerText(100).nullable(),
    role: z.enum(ROLES),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  /** Confirms an address; the link's token is derived from the verification row's id at send time. */
  'verify-email': z.strictObject({
    tokenId: z.uuid(),
    userName: headerText(100).nullable(),
  }),
  /** A password reset link; its token is derived from the reset request's id at send time. */
  'password-reset': z.strictObject({
    requestId: z.uuid(),
    userName: headerText(100).nullable(),
    validMinutes: z
      .int()
      .min(1)
      .max(24 * 60),
  }),
  /** An AR content item's viewer link and QR code, sent by an operator to the item's customer. */
  'customer-link': z.strictObject({
    arContentId: z.uuid(),
    /** The item's public id (the one printed in its QR code): the link is `${PUBLIC_URL}/v/<publicId>`. */
    publicId: z.string().regex(/^[A-Za-z0-9_-]{8,32}$/),
    title: headerText(200),
    customerName: headerText(200).nullable(),
  }),
  /** A link to upload the video of an AR content item; its token is derived from the link's id at send time. */
  'customer-upload': z.strictObject({
    linkId: z.uuid(),
    title: headerText(200),
    customerName: headerText(200).nullable(),
    expiresAt: z.iso.datetime({ offset: true }),
    maxBytes: z.int().min(1),
  }),
  /**
   * A customer's invoice or credit note: a link that opens its PDF (`${PUBLIC_URL}/d?token=<token>`, the token derived from
   * the document link's id at send time) until `expiresAt`.
   */
  invoice: z.strictObject({
    linkId: z.uuid(),
    kind: z.enum(['INVOICE', 'CREDIT_NOTE']),
    number: headerText(24),
    /** The total as the document prints it (formatted in the mail's language). */
    total: headerText(64),
    orderNumber: z.int().min(1),
    customerName: headerText(200).nullable(),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  /**
   * Anything the notifications send: a subject, a few paragraphs and an optional button to a page of the app.
   * `unsubscribeToken`, when given, becomes List-Unsubscribe (+ One-Click) to `${PUBLIC_URL}/unsubscribe?token=…`.
   */
  notification: z.strictObject({
    subject: headerText(200).refine((s) => s.trim().length > 0, { message: 'must not be empty' }),
    heading: headerText(200).optional(),
    paragraphs: z.array(bodyText(2000)).min(1).max(10),
    action: z.strictObject({ label: headerText(100), path: relativePath }).optional(),
    unsubscribeToken: z
      .string()
      .max(256)
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional(),
    /** The preference the unsubscribe link turns off; its signed token is derived at send time (nothing stored). */
    unsubscribe: z
      .strictObject({ userId: z.uuid(), kind: notificationKindSchema, channel: notificationChannelSchema })
      .optional(),
  }),
} as const;

export type MailKind = keyof typeof mailParamsSchemas;
export const MAIL_KINDS = Object.keys(mailParamsSchemas) as MailKind[];
export const mailKindSchema = z.enum(MAIL_KINDS as [MailKind, ...MailKind[]]);
export type MailParams<K extends MailKind> = z.input<(typeof mailParamsSchemas)[K]>;
export type ParsedMailParams<K extends MailKind> = z.output<(typeof mailParamsSchemas)[K]>;

/** What the email log shows of a mail's fate. */
export const MAIL_STATUSES = ['QUEUED', 'SENT', 'FAILED', 'SUPPRESSED'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];
