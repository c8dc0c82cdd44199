import { LANGUAGES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { UserRepository } from '../repositories/user.repository.ts';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'app_user',
  repository: () => UserRepository,
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Normalized (NFKC, trimmed, lower-case); unique. */
    email: p.string().length(254).unique(),
    name: p.string().length(100),
    /** argon2id PHC string; null for accounts that only sign in with OpenID Connect. */
    passwordHash: p.string().length(255).nullable().hidden().lazy(),
    /** When the owner of the address proved it (a verification link, or a provider asserting email_verified). */
    emailVerifiedAt: p.datetime().nullable(),
    /** The language of the mails the account gets (the sign-up client's language). */
    language: p.enum(LANGUAGES).default('en'),
    /** Set when an operator revokes the account; every procedure refuses it at once. */
    disabledAt: p.datetime().nullable(),
    /** The installation's operator (not a company role). Granted only by the CLI (`arvlite create-admin`). */
    isPlatformAdmin: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);
