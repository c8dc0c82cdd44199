import { ApiKey } from '@arvlite/db';
import type { ApiKeyRole } from '@arvlite/contract';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit } from '../audit.ts';
import { newApiKey } from '../auth/api-keys.ts';
import type { Context } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors.ts';

type Ctx = Pick<Context, 'em' | 'requestId' | 'ip' | 'userAgent'> & { access: Access; caller: Caller };

/** Keys a company may hold, revoked ones included (they stay listed, as the audit log names them). */
export const MAX_KEYS_PER_COMPANY = 100;

/** A key as lists show it: never the key itself nor its hash. */
export function apiKeyView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    createdAt: k.createdAt,
    createdById: k.createdBy?.id ?? null,
    expiresAt: k.expiresAt ?? null,
    lastUsedAt: k.lastUsedAt ?? null,
    revokedAt: k.revokedAt ?? null,
  };
}

export async function listApiKeys(ctx: Ctx, input: { companyId: string }) {
  const { company } = await ctx.access.company(input.companyId);
  const keys = await ctx.em.find(ApiKey, { company }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  return keys.map(apiKeyView);
}

/** Creates a key and returns it once: only its SHA-256 is kept, so it cannot be shown again. */
export async function createApiKey(
  ctx: Ctx,
  input: { companyId: string; name: string; role: ApiKeyRole; expiresAt?: Date | null },
) {
  return ctx.em.transactional(async (tem) => {
    // Access first: another company's id answers NOT_FOUND whatever else is wrong with the input.
    const { company } = await ctx.access.company(input.companyId);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new ValidationError('The expiry must be in the future', { field: 'expiresAt' });
    }
    if ((await tem.count(ApiKey, { company })) >= MAX_KEYS_PER_COMPANY) {
      throw new ValidationError(`A company holds at most ${MAX_KEYS_PER_COMPANY} API keys; delete old ones first`, {
        reason: 'API_KEY_LIMIT',
      });
    }
    const { key, prefix, keyHash } = newApiKey();
    const apiKey = tem.create(ApiKey, {
      company,
      name: input.name,
      role: input.role,
      prefix,
      keyHash,
      createdBy: ctx.caller.userId,
      expiresAt: input.expiresAt ?? null,
    });
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'api-key.create',
      targetType: 'api-key',
      targetId: apiKey.id,
      changes: {
        name: { from: null, to: input.name },
        role: { from: null, to: input.role },
        prefix: { from: null, to: prefix },
        expiresAt: { from: null, to: input.expiresAt ?? null },
      },
    });
    await tem.flush();
    return { key, apiKey: apiKeyView(apiKey) };
  });
}

/** Revokes a key at once: the next call made with it is refused. Revoking a revoked key changes nothing. */
export async function revokeApiKey(ctx: Ctx, input: { companyId: string; id: string }) {
  return ctx.em.transactional(async (tem) => {
    const { company } = await ctx.access.company(input.companyId);
    const apiKey = await tem.findOne(ApiKey, { id: input.id, company });
    if (!apiKey) throw new NotFoundError('API key');
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = new Date();
      audit(tem, actor(ctx), {
        companyId: company.id,
        action: 'api-key.revoke',
        targetType: 'api-key',
        targetId: apiKey.id,
        changes: { revokedAt: { from: null, to: apiKey.revokedAt } },
      });
    }
    return apiKeyView(apiKey);
  });
}
