import { MAIL_STATUSES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { CompanySchema } from './company.entity.ts';

/**
 * The email log: one row per mail, written with its mail:send job in the caller's transaction. It keeps the kind and
 * the template parameters, never a rendered body nor a link's token (tokens are derived at send time from ids).
 */
export const EmailMessageSchema = defineEntity({
  name: 'EmailMessage',
  tableName: 'email_message',
  indexes: [{ properties: ['company', 'createdAt'] }, { properties: ['recipient', 'lastAttemptAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Null for account mails (verification, password reset) that belong to no company. */
    company: () => p.manyToOne(CompanySchema).nullable().deleteRule('cascade'),
    /** Normalized address (see normalizeEmail in @arvlite/contract). */
    recipient: p.string().length(254),
    kind: p.string().length(32),
    language: p.string().length(8),
    /** The subject as rendered when the mail was queued (one line, no secrets). */
    subject: p.string().length(300),
    /** The template's parameters (secret-free by construction: the contract's schemas hold no tokens). */
    params: p.json<Record<string, unknown>>(),
    status: p.enum(MAIL_STATUSES).default('QUEUED'),
    attempts: p.integer().default(0),
    /** Why the last attempt failed or why the mail was suppressed (bounded; SMTP replies, never credentials). */
    lastError: p.string().length(500).nullable(),
    /** The Message-ID header sent. */
    messageId: p.string().length(255).nullable(),
    /** Makes a mail once-only (e.g. `outbox:<event id>:invitation:<recipient>`): a second queueMail with it is a no-op. */
    dedupeKey: p.string().length(300).nullable().unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** When the last send attempt started: the per-recipient rate limit counts mails started in the last hour. */
    lastAttemptAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
  },
});
export class EmailMessage extends EmailMessageSchema.class {}
EmailMessageSchema.setClass(EmailMessage);
