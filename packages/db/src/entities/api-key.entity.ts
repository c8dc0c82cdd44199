import { API_KEY_ROLES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { CompanySchema } from './company.entity.ts';
import { UserSchema } from './user.entity.ts';

/**
 * A company's API key, for integrations. Only the SHA-256 of the key is kept (the key is 256 random bits, so a fast
 * hash is enough); `prefix` is the visible start of the key (`arv_live_` and 8 characters) that names it in lists.
 */
export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  indexes: [{ properties: ['company', 'createdAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    name: p.string().length(100),
    role: p.enum(API_KEY_ROLES),
    prefix: p.string().length(17),
    keyHash: p.string().length(64).unique().hidden(),
    createdBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    expiresAt: p.datetime().nullable(),
    /** Refreshed at most once a minute, so busy keys do not write on every call. */
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);
