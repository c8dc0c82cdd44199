import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { runMigrations } from 'graphile-worker';
import { entities } from './entities/index.ts';

export const migrationsPath = new URL('./migrations', import.meta.url).pathname;

export interface OrmOptions {
  url: string;
  poolMax?: number;
  debug?: boolean;
  /**
   * How long a query waits for a pooled connection, or for a new one to connect, before it fails ("timeout exceeded
   * when trying to connect", which the API answers as 503): a full pool or an unreachable database never makes a
   * caller wait for ever. Default: pg's (no limit).
   */
  acquireTimeoutMs?: number;
  /**
   * statement_timeout of every connection (0 or unset: none), and a client-side limit 5 s past it, so a query on a
   * connection that went silent (no reset) fails too.
   */
  statementTimeoutMs?: number;
}

export function ormConfig(opts: OrmOptions & { snapshot?: boolean }): Options {
  return defineConfig({
    clientUrl: opts.url,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // pg's Pool and Client options: acquire and connect timeout, statement timeouts, TCP keepalive (a peer that
    // vanished is noticed on idle connections too).
    driverOptions: {
      keepAlive: true,
      ...(opts.acquireTimeoutMs ? { connectionTimeoutMillis: opts.acquireTimeoutMs } : {}),
      ...(opts.statementTimeoutMs
        ? { statement_timeout: opts.statementTimeoutMs, query_timeout: opts.statementTimeoutMs + 5000 }
        : {}),
    },
    debug: opts.debug ?? false,
    // Entities are defined with defineEntity, so no reflection or discovery by path is needed.
    discovery: { warnWhenNoEntities: true },
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      glob: '!(*.d|index).ts',
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      // One snapshot, named the same whatever database generated it; only migration:create writes it.
      snapshot: opts.snapshot ?? false,
      snapshotName: '.snapshot-arvlite',
      silent: true,
    },
    // Requests and jobs use em.fork(); touching the global EntityManager is a bug.
    allowGlobalContext: false,
  });
}

export async function initOrm(opts: OrmOptions) {
  const orm = await MikroORM.init(ormConfig(opts));
  return {
    orm,
    /** A fresh EntityManager for one request or one job. */
    // useContext: inside em.transactional(), calls through this fork (and repositories from it) join the transaction.
    fork: () => orm.em.fork({ useContext: true }),
    close: () => orm.close(true),
  };
}

export type Orm = Awaited<ReturnType<typeof initOrm>>;

/**
 * Applies graphile-worker's own schema, then our migrations (all, or up to and including `to`), so the API can enqueue
 * before any worker has started.
 */
export async function migrate(url: string, opts: { to?: string } = {}): Promise<string[]> {
  await runMigrations({ connectionString: url, logger: undefined });
  const orm = await MikroORM.init(ormConfig({ url, poolMax: 2, snapshot: false }));
  try {
    const done = await orm.migrator.up(opts.to === undefined ? undefined : { to: opts.to });
    return done.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
