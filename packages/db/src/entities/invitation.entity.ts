import { ROLES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { CompanySchema } from './company.entity.ts';
import { UserSchema } from './user.entity.ts';

export const InvitationSchema = defineEntity({
  name: 'Invitation',
  tableName: 'invitation',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade').index(),
    email: p.string().length(254),
    role: p.enum(ROLES),
    /** SHA-256 of the single-use token; the token itself is shown once to the inviter. */
    tokenHash: p.string().length(64).unique().hidden(),
    invitedBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Invitation extends InvitationSchema.class {}
InvitationSchema.setClass(Invitation);
