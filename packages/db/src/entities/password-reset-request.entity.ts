import { defineEntity, p } from '@mikro-orm/core';
import { UserSchema } from './user.entity.ts';

/**
 * A password reset request. Like email verification, the link's token is derived from the row's id with a key only the
 * servers hold (@arvlite/domain passwordResetToken); the row keeps the token's SHA-256 and when it was used.
 */
export const PasswordResetRequestSchema = defineEntity({
  name: 'PasswordResetRequest',
  tableName: 'password_reset_request',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique().hidden(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class PasswordResetRequest extends PasswordResetRequestSchema.class {}
PasswordResetRequestSchema.setClass(PasswordResetRequest);
