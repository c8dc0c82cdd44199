import { isIPv4, isIPv6 } from 'node:net';
import { PreparedStatement, type EntityManager } from '@arvlite/db';
import { RateLimitedError } from '../errors.ts';

export interface Limit {
  /** e.g. `login:ip:1.2.3.4` (per-IP keys take the address through clientIpBucket) */
  key: string;
  max: number;
  windowS: number;
}

// Prepared: every public viewer call and every sign-in runs it.
const HIT = new PreparedStatement(
  'rate_limit_hit',
  `insert into rate_limit (key, window_started_at, hits) values (?, now(), 1)
   on conflict (key) do update set
     hits = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then 1 else rate_limit.hits + 1 end,
     window_started_at = case when rate_limit.window_started_at < now() - make_interval(secs => ?) then now() else rate_limit.window_started_at end
   returning hits, ceil(extract(epoch from (window_started_at + make_interval(secs => ?) - now())))::int as retry_after_s`,
);

/**
 * The part of a client address per-IP limits count: an IPv4 address whole, an IPv6 address by its /64 (one
 * subscriber usually holds a whole /64, so counting single addresses would give each client 2^64 tries). IPv4
 * written as IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function clientIpBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail takes two groups; only the first four groups matter here.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Windows longer than this would outlive the purge (`rate-limit:purge` drops rows whose window started a day ago). */
const MAX_WINDOW_S = 86_400;

/**
 * Counts a hit in a fixed window kept in Postgres (one upsert), so the limit holds across server instances.
 * Throws TOO_MANY_REQUESTS with the seconds until the window resets.
 */
export async function hitRateLimit(em: EntityManager, limit: Limit): Promise<void> {
  if (limit.windowS > MAX_WINDOW_S) throw new Error(`rate-limit window over ${MAX_WINDOW_S} s: ${limit.key}`);
  const [row] = await HIT.rows<{ hits: number; retry_after_s: number }>(em, [
    limit.key.slice(0, 200),
    limit.windowS,
    limit.windowS,
    limit.windowS,
  ]);
  if (row && row.hits > limit.max) throw new RateLimitedError(Math.max(1, row.retry_after_s));
}

/** The limits applied to the public auth procedures. Per IP and per account, per window. */
export const AUTH_LIMITS = {
  loginPerIp: { max: 30, windowS: 60 },
  /** Failed sign-ins per account from one address (bucketed): never attempts, never the account alone. */
  loginFailuresPerAccountAndIp: { max: 10, windowS: 900 },
  registerPerIp: { max: 20, windowS: 600 },
  refreshPerIp: { max: 120, windowS: 60 },
  acceptInvitePerIp: { max: 20, windowS: 300 },
  acceptInvitePerAccount: { max: 10, windowS: 300 },
  requestVerificationPerAccount: { max: 5, windowS: 3600 },
  verifyEmailPerIp: { max: 30, windowS: 600 },
  /** Each oidcStart writes a row living ten minutes: at most this many per address at a time. */
  oidcStartPerIp: { max: 30, windowS: 600 },
  /** Reset requests: per address (whether or not it has an account) and per client address. */
  requestPasswordResetPerEmail: { max: 3, windowS: 3600 },
  requestPasswordResetPerIp: { max: 10, windowS: 900 },
  resetPasswordPerIp: { max: 30, windowS: 600 },
  /** Wrong current passwords on the profile page (change password or email), per account. */
  currentPasswordFailuresPerAccount: { max: 10, windowS: 900 },
  /** Invitation mails sent again, per invitation. */
  resendInvitePerInvitation: { max: 3, windowS: 3600 },
} as const;

/** Throws TOO_MANY_REQUESTS when the key's current window already holds `max` hits; counts nothing itself. */
export async function checkRateLimit(em: EntityManager, limit: Limit): Promise<void> {
  const [row] = await em.execute<{ hits: number; retry_after_s: number }[]>(
    `select hits, ceil(extract(epoch from (window_started_at + make_interval(secs => ?) - now())))::int as retry_after_s
       from rate_limit where key = ? and window_started_at >= now() - make_interval(secs => ?)`,
    [limit.windowS, limit.key.slice(0, 200), limit.windowS],
  );
  if (row && row.hits >= limit.max) throw new RateLimitedError(Math.max(1, row.retry_after_s));
}

/** Forgets a key's hits (e.g. failed sign-ins once the right password came). */
export async function clearRateLimit(em: EntityManager, key: string): Promise<void> {
  await em.execute('delete from rate_limit where key = ?', [key.slice(0, 200)]);
}
