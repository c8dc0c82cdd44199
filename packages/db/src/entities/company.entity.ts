import { COMPANY_PLANS, LANGUAGES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { MembershipSchema } from './membership.entity.ts';

export const CompanySchema = defineEntity({
  name: 'Company',
  tableName: 'company',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    name: p.string().length(100),
    /** IANA timezone used for schedules (playlist rules). */
    timezone: p.string().length(64).default('UTC'),
    /** Language of the company's public viewer pages (a visitor's own choice wins). */
    language: p.enum(LANGUAGES).default('en'),
    storageQuotaBytes: p.bigint('number'),
    /** Bytes of stored objects (originals and outputs). */
    storageUsedBytes: p.bigint('number').default(0),
    /** Bytes promised to uploads in flight; released when they complete or expire. */
    storageReservedBytes: p.bigint('number').default(0),
    /** Highest quota warning (0, 80 or 100 percent of the quota used; 95 in rows from before the 100 % warning) already announced; falls back when usage does, so each crossing warns once. */
    quotaWarningPercent: p.smallint().default(0),
    /** Days before an AR content item's end date when reminders go out; null: the default (30, 7 and 1). */
    expiryReminderDays: p.json<number[]>().nullable(),
    /** Invoice details (printed on invoices and credit notes); editable by owners and admins. */
    legalName: p.string().length(200).nullable(),
    billingAddress: p.string().length(500).nullable(),
    taxId: p.string().length(50).nullable(),
    bankDetails: p.string().length(1000).nullable(),
    /** The company's logo (PNG or JPEG, private; printed on invoices): a storage key under `<companyId>/logo/`, new for each upload. */
    logoKey: p.string().length(200).nullable(),
    /** The plan the operator set (a label beside the quota). */
    plan: p.enum(COMPANY_PLANS).default('free'),
    /** Set while the platform operator suspends the company: members and viewer links get COMPANY_SUSPENDED. */
    suspendedAt: p.datetime().nullable(),
    /** Why, in the operator's words (shown to the company's members). */
    suspendedReason: p.string().length(500).nullable(),
    memberships: () => p.oneToMany(MembershipSchema).mappedBy('company'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Company extends CompanySchema.class {}
CompanySchema.setClass(Company);
