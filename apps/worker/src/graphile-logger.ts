// graphile-worker's own messages, through our pino logger one level quieter (job failures are logged once, by us).
import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from 'pino';

export function graphileLogger(log: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fn = level === 'error' ? 'warn' : level === 'warning' ? 'warn' : level === 'info' ? 'debug' : 'trace';
    // graphile-worker reports every job; at the usual levels those lines are dropped, so skip building them.
    if (!log.isLevelEnabled(fn)) return;
    log[fn]({ scope, ...briefErrors(meta) }, message);
  });
}

/**
 * graphile-worker passes pg errors as `meta.error`; logged whole they drag in the pg client (connection settings,
 * parsed statements, sockets). Keep what a reader needs.
 */
export function briefErrors(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta || !(meta.error instanceof Error)) return meta ?? {};
  const { error, ...rest } = meta;
  const e = error as Error & { code?: unknown };
  const brief = Object.assign(
    new Error(e.message),
    { name: e.name, stack: e.stack },
    e.code !== undefined && { code: e.code },
  );
  return { ...rest, err: brief };
}
