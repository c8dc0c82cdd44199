import { ROLES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { MembershipRepository } from '../repositories/membership.repository.ts';
import { CompanySchema } from './company.entity.ts';
import { UserSchema } from './user.entity.ts';

export const MembershipSchema = defineEntity({
  name: 'Membership',
  tableName: 'membership',
  repository: () => MembershipRepository,
  uniques: [{ properties: ['company', 'user'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade').index(),
    role: p.enum(ROLES),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Membership extends MembershipSchema.class {}
MembershipSchema.setClass(Membership);
