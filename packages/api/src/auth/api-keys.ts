// API keys: generation, hashing and the per-request check. Keys are 256 random bits, so SHA-256 is all the storage
// needs (no slow hash): a leaked table gives nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, type ApiKeyRole } from '@arvlite/contract';
import { PreparedStatement, type EntityManager } from '@arvlite/db';
import { DomainError } from '../errors.ts';
import { hitRateLimit } from './rate-limit.ts';

const KEY_FORMAT = /^arv_live_[A-Za-z0-9_-]{43}$/;
/** `arv_live_` and the first 8 characters of the secret: shown in lists, enough to tell keys apart. */
export const PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
/** How stale `last_used_at` may get before a call writes it again. */
const LAST_USED_EVERY_S = 60;

export interface ApiKeyPrincipal {
  id: string;
  companyId: string;
  role: ApiKeyRole;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new key: the secret (shown once), its visible prefix and the hash that is stored. */
export function newApiKey(): { key: string; prefix: string; keyHash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, PREFIX_LENGTH), keyHash: hashApiKey(key) };
}

/** Bearer tokens that are API keys (user access tokens are JWTs and never start so). */
export function isApiKeyToken(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

// Every call through a key runs it: one indexed lookup on the hash, which also says whether last_used_at is stale.
const FIND = new PreparedStatement(
  'api_key_authenticate',
  `select id, company_id, role,
          (last_used_at is null or last_used_at < now() - make_interval(secs => ${LAST_USED_EVERY_S})) as stale
     from api_key
    where key_hash = ? and revoked_at is null and (expires_at is null or expires_at > now())
      -- A key stops with the account that created it: a disabled user's keys answer like revoked ones.
      and not exists (select 1 from app_user u where u.id = api_key.created_by_id and u.disabled_at is not null)`,
);

export class ApiKeyRefusedError extends DomainError {
  constructor() {
    // One answer for unknown, revoked and expired keys: it tells an attacker nothing about which.
    super('UNAUTHORIZED', 'This API key is not valid: it is unknown, revoked or expired', {
      reason: 'API_KEY_INVALID',
    });
  }
}

/**
 * The key's company and role, checked live on every call (revocation and expiry take effect at once); counts the call
 * against the key's rate limit and records its use at most once a minute.
 */
export async function authenticateApiKey(
  em: EntityManager,
  token: string,
  limits: { rateLimitPerMinute: number },
): Promise<ApiKeyPrincipal> {
  if (!KEY_FORMAT.test(token)) throw new ApiKeyRefusedError();
  const [row] = await FIND.rows<{ id: string; company_id: string; role: ApiKeyRole; stale: boolean }>(em, [
    hashApiKey(token),
  ]);
  if (!row) throw new ApiKeyRefusedError();
  await hitRateLimit(em, { key: `api-key:${row.id}`, max: limits.rateLimitPerMinute, windowS: 60 });
  if (row.stale) {
    await em.execute(
      `update api_key set last_used_at = now()
        where id = ? and (last_used_at is null or last_used_at < now() - make_interval(secs => ${LAST_USED_EVERY_S}))`,
      [row.id],
    );
  }
  return { id: row.id, companyId: row.company_id, role: row.role };
}

/** Refusal of a user-only procedure (sign-in, profile, members, keys) called with an API key. */
export class ApiKeyNotAllowedError extends DomainError {
  constructor() {
    super('FORBIDDEN', 'API keys cannot call this; it needs a signed-in user', { reason: 'API_KEY_NOT_ALLOWED' });
  }
}
