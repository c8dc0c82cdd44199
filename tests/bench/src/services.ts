// Real Postgres + S3 for one bench run: a fresh data dir, free ports, one migrated template database
// that every benchmark clones, so ours and the baseline start from identical databases.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { migrate } from '@arvlite/db';
import { spawnDevServices, type DevServicesProcess } from '@arvlite/dev-services';
import { freePort, withDatabase } from '@arvlite/test-utils/net';
import pg from 'pg';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface BenchServices {
  /** The migrated template database (do not run benchmarks in it; clone it). */
  templateUrl: string;
  adminUrl: string;
  s3Endpoint: string;
  dataDir: string;
  /** Creates `name` as a copy of the migrated template and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** CPU time used so far by the postmaster and its live children (backends, walwriter, …), in ms. */
  postgresCpuMs(): Promise<number>;
  /** CPU time used so far by the services process, which runs s3rver in-process, in ms. */
  storageCpuMs(): Promise<number>;
  /** One-off statement on the maintenance database. */
  adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

const TEMPLATE = 'bench_template';

export async function startBenchServices(opts: { onOutput?: (line: string) => void } = {}): Promise<BenchServices> {
  const dataDir = path.join(repoRoot, '.data', `bench-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  let services: DevServicesProcess | undefined;
  const stop = async () => {
    await services?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const [postgresPort, s3Port] = [await freePort(), await freePort()];
    const spawn = () =>
      spawnDevServices({
        dataDir,
        postgresPort,
        s3Port,
        // The bench owns its services: never reuse an operator's DATABASE_URL / S3_ENDPOINT.
        env: { DATABASE_URL: '', S3_ENDPOINT: '', LOG_LEVEL: 'warn' },
        // Our own SIGINT handler stops the services in order; a terminal Ctrl-C must not race it.
        detached: true,
        onOutput: opts.onOutput,
      });
    services = await spawn();
    const adminUrl = withDatabase(services.databaseUrl, 'postgres');
    const adminQuery = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    };
    // pg_stat_statements counts statements per database for the equal-work check. It must be preloaded,
    // which takes a restart; the setting lives in this throwaway data dir only.
    await adminQuery(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
    await services.stop();
    services = await spawn();
    await adminQuery('create extension if not exists pg_stat_statements');
    await adminQuery(`create database ${TEMPLATE}`);
    const templateUrl = withDatabase(services.databaseUrl, TEMPLATE);
    await migrate(templateUrl);
    return {
      templateUrl,
      adminUrl,
      s3Endpoint: services.s3Endpoint,
      dataDir,
      async createDatabase(name) {
        if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
        await adminQuery(`drop database if exists ${name} with (force)`);
        await adminQuery(`create database ${name} template ${TEMPLATE}`);
        return withDatabase(services!.databaseUrl, name);
      },
      adminQuery,
      postgresCpuMs: async () => {
        const postmaster = Number(
          (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
        );
        return processTreeCpuMs(postmaster);
      },
      storageCpuMs: () => processCpuMs(services!.pid),
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU ms of `root` plus its direct children (a postmaster's backends are all direct children), counting children
 * that have exited too (the root's cutime/cstime once it reaped them), so the figure never goes down when a
 * connection closes between two readings.
 */
async function processTreeCpuMs(root: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after "(comm)": state ppid … utime(14) stime(15), counted from the pid.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    if (pid === root || Number(fields[1]) === root) total += (Number(fields[11]) + Number(fields[12])) * 10;
    // cutime and cstime (16, 17): children it has reaped.
    if (pid === root) total += (Number(fields[13]) + Number(fields[14])) * 10;
  }
  return total;
}
