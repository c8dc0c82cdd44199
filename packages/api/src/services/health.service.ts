import { createHash, timingSafeEqual } from 'node:crypto';
import { WorkerHeartbeat } from '@arvlite/db';
import { clientIpBucket } from '../auth/rate-limit.ts';
import type { Context } from '../context.ts';
import { RateLimitedError, ServiceUnavailableError } from '../errors.ts';

type Probe = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; error: string };

async function probe(fn: () => Promise<unknown>, timeoutMs = 3000): Promise<Probe> {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (e as Error).name };
  }
}

type HealthCtx = Pick<Context, 'em' | 'storage' | 'config'>;

/** Database, storage and queue reachability, plus the workers that beat recently (operators only: see isOperator). */
export async function checkHealth(ctx: HealthCtx) {
  const em = ctx.em.fork();
  const [database, storage, queue] = await Promise.all([
    probe(() => em.execute('select 1')),
    probe(() => ctx.storage.ping()),
    probe(() => em.execute('select count(*) from graphile_worker.jobs where false')),
  ]);
  const live = database.ok ? await em.getRepository(WorkerHeartbeat).findLive(ctx.config.worker.deadAfterMs) : [];
  const workers = live.map((w) => ({
    id: w.id,
    hostname: w.hostname,
    pid: w.pid,
    startedAt: w.startedAt,
    lastSeenAt: w.lastSeenAt,
    jobsCompleted: w.jobsCompleted,
    jobsFailed: w.jobsFailed,
  }));
  const ok = database.ok && storage.ok && queue.ok;
  return {
    status: ok ? ('ok' as const) : ('degraded' as const),
    database,
    storage,
    queue,
    workers,
    checkedAt: new Date(),
  };
}

export type Health = Awaited<ReturnType<typeof checkHealth>>;

/**
 * Whether the caller presented OPERATOR_TOKEN as its Bearer token. Compared as SHA-256 digests in constant time; with
 * no OPERATOR_TOKEN configured nobody is an operator.
 */
export function isOperator(ctx: Pick<Context, 'config' | 'accessToken'>): boolean {
  const expected = ctx.config.operator.tokenSha256;
  if (!expected || !ctx.accessToken) return false;
  return timingSafeEqual(createHash('sha256').update(ctx.accessToken).digest(), Buffer.from(expected, 'hex'));
}

// One check per process per second serves every anonymous caller: a flood of health.check, /readyz or watch streams
// costs the database and storage no more than one caller does.
const SHARED_FOR_MS = 1000;
const shared = new WeakMap<object, { at: number; result: Promise<Health> }>();

/** checkHealth, shared by every caller of this process for up to a second. */
export function sharedHealth(ctx: HealthCtx): Promise<Health> {
  const hit = shared.get(ctx.config);
  if (hit && performance.now() - hit.at < SHARED_FOR_MS) return hit.result;
  const result = checkHealth(ctx);
  shared.set(ctx.config, { at: performance.now(), result });
  return result;
}

/** What anyone may know: up or down. */
export type PublicHealth = Pick<Health, 'status' | 'checkedAt'>;

export async function publicHealth(ctx: HealthCtx): Promise<PublicHealth> {
  const { status, checkedAt } = await sharedHealth(ctx);
  return { status, checkedAt };
}

/**
 * The details for an operator, up or down for anyone else. The answer type is spelled out: inferred, the conditional's
 * union would reduce to its supertype (PublicHealth) and clients could not narrow to the details.
 */
export function healthFor(ctx: HealthCtx & Pick<Context, 'accessToken'>): Promise<Health | PublicHealth> {
  return isOperator(ctx) ? checkHealth(ctx) : publicHealth(ctx);
}

/** Open public health.watch streams: per client address (IPv6 by /64) and per process. Operators are not counted. */
export const HEALTH_WATCH_LIMITS = { perClient: 2, perProcess: 20 } as const;
const watching = new Map<string, number>();
let watchingTotal = 0;

/** Takes a place for a public stream, or throws; the returned function gives it back (once). */
export function admitHealthWatcher(ip: string | undefined): () => void {
  const client = clientIpBucket(ip);
  const mine = watching.get(client) ?? 0;
  if (mine >= HEALTH_WATCH_LIMITS.perClient) throw new RateLimitedError(30);
  if (watchingTotal >= HEALTH_WATCH_LIMITS.perProcess) {
    throw new ServiceUnavailableError('Too many health streams are open; try again later');
  }
  watching.set(client, mine + 1);
  watchingTotal++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    watchingTotal--;
    const left = (watching.get(client) ?? 1) - 1;
    if (left > 0) watching.set(client, left);
    else watching.delete(client);
  };
}
