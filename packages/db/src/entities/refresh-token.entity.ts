import { defineEntity, p } from '@mikro-orm/core';
import { UserSchema } from './user.entity.ts';

/** A refresh token, stored hashed. Rotation links tokens into a family; reusing a rotated one revokes the family. */
export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade').index(),
    familyId: p.uuid().index(),
    tokenHash: p.string().length(64).unique().hidden(),
    expiresAt: p.datetime(),
    /** When the family's sign-in happened; rotation never carries expiresAt past this plus AUTH_SESSION_MAX_DAYS. */
    sessionStartedAt: p.datetime(),
    rotatedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);
