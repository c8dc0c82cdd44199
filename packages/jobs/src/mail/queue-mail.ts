// queueMail(): the one way to send a mail. It writes the email log row and queues its mail:send job in the caller's
// transaction, so the mail goes out if and only if the change it announces commits. Loads no transport.
import {
  emailSchema,
  isHeaderSafe,
  languageSchema,
  mailParamsSchemas,
  type Language,
  type MailKind,
  type MailParams,
} from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import { ValidationError } from '@arvlite/domain';
import { renderSubject } from '@arvlite/mail';
import { enqueue } from '../enqueue.ts';

/** Attempts per mail (graphile-worker's exponential backoff: the last of 25 comes about three days after the first). */
export const MAIL_MAX_ATTEMPTS = 25;

export interface QueueMailInput<K extends MailKind> {
  kind: K;
  /** The recipient's address, normalized here (NFKC, trimmed, lower-case) and validated. */
  to: string;
  /** The recipient's language. */
  language: Language;
  /** The company the mail is sent for (its email log, its name in the mail); null or absent for account mails. */
  companyId?: string | null;
  /** The template's parameters (secret-free: links with tokens are derived at send time from ids in them). */
  params: MailParams<K>;
  /**
   * Makes the mail once-only: a second queueMail with the same key queues nothing and returns the first mail's id.
   * Outbox consumers pass `outbox:<event id>:<kind>:<recipient>` so a redelivered event sends nothing twice.
   */
  dedupeKey?: string;
}

/** A mail refused before it was queued: a bad address, a bad parameter, a line break where a header goes. */
export class InvalidMailError extends ValidationError {
  constructor(message: string, field: string) {
    super(message, { reason: 'INVALID_MAIL', field });
    this.name = 'InvalidMailError';
  }
}

/** CR/LF (or another control character) in something that becomes a header: refused, never cleaned up silently. */
export class MailHeaderInjectionError extends ValidationError {
  constructor(field: string) {
    super(`${field} must be one line: line breaks and control characters are refused in mail headers`, {
      reason: 'MAIL_HEADER_INJECTION',
      field,
    });
    this.name = 'MailHeaderInjectionError';
  }
}

/**
 * Validates the mail, renders its subject, inserts the email_message row (status QUEUED) and queues mail:send, all on
 * `tem`. Returns the row id, and whether this call queued it (false: the dedupe key was used before).
 */
export async function queueMail<K extends MailKind>(
  tem: EntityManager,
  input: QueueMailInput<K>,
): Promise<{ id: string; queued: boolean }> {
  if (!isHeaderSafe(input.to)) throw new MailHeaderInjectionError('to');
  const to = emailSchema.safeParse(input.to);
  if (!to.success) throw new InvalidMailError('The recipient is not an email address', 'to');
  const language = languageSchema.safeParse(input.language);
  if (!language.success) throw new InvalidMailError('Unknown language', 'language');
  const parsed = mailParamsSchemas[input.kind].safeParse(input.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['params', ...(issue?.path ?? [])].join('.');
    if (issue?.message.includes('must be one line')) throw new MailHeaderInjectionError(field);
    throw new InvalidMailError(`Invalid mail parameter ${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  const subject = renderSubject(input.kind, parsed.data as never, language.data);
  if (!isHeaderSafe(subject)) throw new MailHeaderInjectionError('subject');
  if (input.dedupeKey !== undefined && (input.dedupeKey.length > 300 || !isHeaderSafe(input.dedupeKey))) {
    throw new InvalidMailError('Invalid dedupe key', 'dedupeKey');
  }

  const rows = await tem.execute<{ id: string }[]>(
    `insert into email_message (id, company_id, recipient, kind, language, subject, params, status, attempts, dedupe_key, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?::jsonb, 'QUEUED', 0, ?, now())
       on conflict (dedupe_key) do nothing returning id::text as id`,
    [
      input.companyId ?? null,
      to.data,
      input.kind,
      language.data,
      subject.slice(0, 300),
      JSON.stringify(parsed.data),
      input.dedupeKey ?? null,
    ],
  );
  const id = rows[0]?.id;
  if (!id) {
    const existing = await tem.execute<{ id: string }[]>(
      'select id::text as id from email_message where dedupe_key = ?',
      [input.dedupeKey],
    );
    return { id: existing[0]!.id, queued: false };
  }
  await enqueue(tem, 'mail:send', { mailId: id }, { maxAttempts: MAIL_MAX_ATTEMPTS });
  return { id, queued: true };
}
