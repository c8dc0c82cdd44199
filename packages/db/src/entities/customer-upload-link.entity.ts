import { LANGUAGES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { ArContentSchema } from './ar-content.entity.ts';
import { CompanySchema } from './company.entity.ts';
import { UserSchema } from './user.entity.ts';
import { VideoSchema } from './video.entity.ts';

/**
 * A capability an operator gives a customer: upload one video, of at most `maxBytes`, for one AR content item, until
 * `expiresAt`. The token (43 base64url characters, HMAC-derived from the id with a key only the servers hold) is never
 * stored: only its SHA-256. A link starts one upload (`video`); once that upload completes (`usedAt`) it is used up.
 * The video is not live until an operator approves it (`approvedAt`) or rejects it (`rejectedAt`).
 */
export const CustomerUploadLinkSchema = defineEntity({
  name: 'CustomerUploadLink',
  tableName: 'customer_upload_link',
  indexes: [{ properties: ['arContent', 'createdAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    arContent: () => p.manyToOne(ArContentSchema).deleteRule('cascade'),
    tokenHash: p.string().length(64).unique().hidden(),
    maxBytes: p.bigint('number'),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    /** The video the customer's upload created (its upload may still be in progress). */
    video: () => p.manyToOne(VideoSchema).nullable().deleteRule('set null'),
    /** When the customer's upload completed: the link is used up. */
    usedAt: p.datetime().nullable(),
    approvedAt: p.datetime().nullable(),
    rejectedAt: p.datetime().nullable(),
    reviewedBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    /** The address the link was mailed to, if it was. */
    sentTo: p.string().length(254).nullable(),
    language: p.enum(LANGUAGES).nullable(),
    createdBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class CustomerUploadLink extends CustomerUploadLinkSchema.class {}
CustomerUploadLinkSchema.setClass(CustomerUploadLink);
