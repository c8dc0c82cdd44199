import { WorkerHeartbeat } from '@arvlite/db';
import type { Context } from '../context.ts';

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

/** Database, storage and queue reachability, plus the workers that beat recently. */
export async function checkHealth(ctx: Pick<Context, 'em' | 'storage' | 'config'>) {
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
