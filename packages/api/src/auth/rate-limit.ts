import { PreparedStatement, type EntityManager } from '@arvlite/db';
import { RateLimitedError } from '../errors.ts';

export interface Limit {
  /** e.g. `login:ip:1.2.3.4` */
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
 * Counts a hit in a fixed window kept in Postgres (one upsert), so the limit holds across server instances.
 * Throws TOO_MANY_REQUESTS with the seconds until the window resets.
 */
export async function hitRateLimit(em: EntityManager, limit: Limit): Promise<void> {
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
  loginPerAccount: { max: 10, windowS: 300 },
  registerPerIp: { max: 20, windowS: 600 },
  refreshPerIp: { max: 120, windowS: 60 },
  acceptInvitePerIp: { max: 20, windowS: 300 },
  acceptInvitePerAccount: { max: 10, windowS: 300 },
} as const;
