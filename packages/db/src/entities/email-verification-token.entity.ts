import { defineEntity, p } from '@mikro-orm/core';
import { UserSchema } from './user.entity.ts';

/**
 * A request to verify a user's email. The token itself is never stored: it is derived from the row's id with a key
 * only the servers hold (see @arvlite/domain email-verification), and only its SHA-256 is kept. Single-use, short-lived.
 */
export const EmailVerificationTokenSchema = defineEntity({
  name: 'EmailVerificationToken',
  tableName: 'email_verification_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade').index(),
    /** The address being verified: a token proves this address, not whatever the account holds later. */
    email: p.string().length(254),
    /** An email change: redeeming it moves the account to `email` (until then the account keeps its address). */
    changeEmail: p.boolean().default(false),
    tokenHash: p.string().length(64).unique().hidden(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class EmailVerificationToken extends EmailVerificationTokenSchema.class {}
EmailVerificationTokenSchema.setClass(EmailVerificationToken);
