import { DEFAULT_LANGUAGE, type Language } from '@arvlite/contract';
import { Company, Membership, type User } from '@arvlite/db';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit, diff } from '../audit.ts';
import type { Context } from '../context.ts';
import { DomainError } from '../errors.ts';
import { companyLogoUrl } from './company-logo.service.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent'>;

/** `logoUrl`: the logo's short-lived URL (companyLogoUrl), null without a logo. */
export function companyView(c: Company, role?: string, logoUrl: string | null = null) {
  return {
    id: c.id,
    name: c.name,
    timezone: c.timezone,
    language: c.language,
    storageQuotaBytes: c.storageQuotaBytes,
    storageUsedBytes: c.storageUsedBytes,
    storageReservedBytes: c.storageReservedBytes,
    plan: c.plan,
    suspension: c.suspendedAt ? { at: c.suspendedAt, reason: c.suspendedReason ?? '' } : null,
    billing: {
      legalName: c.legalName ?? null,
      address: c.billingAddress ?? null,
      taxId: c.taxId ?? null,
      bankDetails: c.bankDetails ?? null,
    },
    logoUrl,
    createdAt: c.createdAt,
    ...(role ? { role } : {}),
  };
}

export async function createCompany(
  ctx: Ctx,
  user: User,
  input: { name: string; timezone?: string; language?: Language },
) {
  return ctx.em.transactional(async (tem) => {
    // Each company comes with a fresh quota: a cap on the companies one user owns keeps that from multiplying. The
    // user's row is locked so that parallel calls count one after another.
    await tem.execute('select id from app_user where id = ? for update', [user.id]);
    const [row] = await tem.execute<{ owned: string }[]>(
      `select count(*) as owned from membership where user_id = ? and role = 'owner'`,
      [user.id],
    );
    const max = ctx.config.companies.maxPerUser;
    if (Number(row?.owned ?? 0) >= max) {
      throw new DomainError('FORBIDDEN', `You already own ${max} companies, the most one account may have`, {
        reason: 'COMPANY_LIMIT',
        limit: max,
      });
    }
    const company = tem.create(Company, {
      name: input.name,
      timezone: input.timezone ?? ctx.config.companies.defaultTimezone,
      language: input.language ?? DEFAULT_LANGUAGE,
      storageQuotaBytes: ctx.config.companies.defaultQuotaBytes,
    });
    tem.create(Membership, { company, user: tem.merge(user), role: 'owner' });
    audit(tem, actor(ctx, user.id), {
      companyId: company.id,
      action: 'company.create',
      targetType: 'company',
      targetId: company.id,
      changes: { name: { from: null, to: input.name } },
    });
    return companyView(company, 'owner');
  });
}

export async function listCompanies(ctx: Ctx, user: User) {
  const memberships = await ctx.em.getRepository(Membership).listForUser(user.id);
  return Promise.all(
    memberships.map(async (m) => companyView(m.company, m.role, await companyLogoUrl(ctx, m.company))),
  );
}

export async function getCompany(ctx: Pick<Context, 'config' | 'storage'> & { access: Access }, companyId: string) {
  const { company, role } = await ctx.access.company(companyId);
  return companyView(company, role, await companyLogoUrl(ctx, company));
}

export async function updateCompany(
  ctx: Ctx & { access: Access; caller: Caller },
  input: {
    id: string;
    name?: string;
    timezone?: string;
    language?: Language;
    billing?: {
      legalName?: string | null;
      address?: string | null;
      taxId?: string | null;
      bankDetails?: string | null;
    };
  },
) {
  return ctx.em.transactional(async (tem) => {
    const { company, role } = await ctx.access.company(input.id);
    const b = input.billing;
    // An empty text clears the field.
    const billing = (v: string | null | undefined) => (v === undefined ? undefined : v || null);
    const patch = {
      name: input.name,
      timezone: input.timezone,
      language: input.language,
      legalName: billing(b?.legalName),
      billingAddress: billing(b?.address),
      taxId: billing(b?.taxId),
      bankDetails: billing(b?.bankDetails),
    };
    const changes = diff(company, patch);
    tem.assign(company, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'company.update',
      targetType: 'company',
      targetId: company.id,
      changes,
    });
    return companyView(company, role, await companyLogoUrl(ctx, company));
  });
}
