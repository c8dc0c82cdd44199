// The chaos suite's own services, each in a child process of its own so a scenario can stop and start one while the
// rest keeps running: embedded Postgres (one services child), s3rver (another), and the SMTP server (in this process).
// Data lives in .data/chaos-<pid>/ and survives a stop/start (Postgres and s3rver keep their directories).
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { processEnv } from '@arvlite/config';
import { readStoredMails, spawnDevServices, startSmtp, type DevServicesProcess } from '@arvlite/dev-services';
import { freePort, withDatabase } from '@arvlite/test-utils/net';
import pg from 'pg';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
const execFileAsync = promisify(execFile);

export const BUCKET = 'arvlite-chaos';
/** s3rver's credentials: loopback only, never reachable from elsewhere. */
export const S3_ACCESS = { S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' } as const;

/** A service a scenario can take away and bring back on the same port with the same data. */
export interface Stoppable {
  readonly running: boolean;
  /** Stops it (SIGTERM, a clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** The child's pid while running (e.g. to SIGKILL it: `process.kill(pid, 'SIGKILL')`). */
  readonly pid: number | undefined;
}

export interface ChaosServices {
  dataDir: string;
  databaseUrl: string;
  /** The `postgres` maintenance database (pg_terminate_backend, pg_stat_activity). */
  adminUrl: string;
  s3Endpoint: string;
  smtpPort: number;
  mailDir: string;
  postgres: Stoppable;
  s3: Stoppable;
  /** One statement on the application database (a connection of its own, closed after). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** The same on the maintenance database. */
  adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Every mail the SMTP server has stored so far. */
  mails(): ReturnType<typeof readStoredMails>;
  stop(): Promise<void>;
}

const quiet = (line: string) => {
  if (/error|fatal|panic/i.test(line) && !/"level":(30|40)/.test(line)) process.stderr.write(`[services] ${line}\n`);
};

function stoppable(spawnIt: () => Promise<DevServicesProcess>): Stoppable & { first: Promise<DevServicesProcess> } {
  let current: DevServicesProcess | undefined;
  const first = spawnIt().then((p) => (current = p));
  return {
    first,
    get running() {
      return current !== undefined;
    },
    get pid() {
      return current?.pid;
    },
    async stop() {
      const p = current;
      current = undefined;
      await p?.stop();
    },
    async start() {
      if (current) return;
      current = await spawnIt();
    },
  };
}

export async function startChaosServices(): Promise<ChaosServices> {
  const dataDir = path.join(repoRoot, '.data', `chaos-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const [postgresPort, s3Port, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const databaseUrl = `postgres://postgres:postgres@127.0.0.1:${postgresPort}/arvlite`;
  const adminUrl = withDatabase(databaseUrl, 'postgres');
  const mailDir = path.join(dataDir, 'mail');
  const smtp = await startSmtp({ dir: mailDir, port: smtpPort });
  const common = { LOG_LEVEL: 'warn', S3_BUCKET: BUCKET, ...S3_ACCESS, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` };

  // s3rver alone: DATABASE_URL given, so this child starts no Postgres.
  const s3 = stoppable(() =>
    spawnDevServices({
      dataDir,
      s3Port,
      env: { ...common, DATABASE_URL: databaseUrl, S3_ENDPOINT: '' },
      onOutput: quiet,
    }),
  );
  const s3Endpoint = (await s3.first).s3Endpoint;
  // Postgres alone: S3_ENDPOINT given, so this child starts no s3rver (it checks the bucket there, and only warns).
  const postgres = stoppable(() =>
    spawnDevServices({
      dataDir,
      postgresPort,
      env: { ...common, DATABASE_URL: '', S3_ENDPOINT: s3Endpoint },
      onOutput: quiet,
    }),
  );
  await postgres.first;
  await execFileAsync(process.execPath, [path.join(repoRoot, 'packages/db/src/cli/migrate.ts')], {
    cwd: repoRoot,
    env: { ...processEnv(), DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
  });

  const run = async <R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  };

  return {
    dataDir,
    databaseUrl,
    adminUrl,
    s3Endpoint,
    smtpPort,
    mailDir,
    postgres,
    s3,
    query: (sql, params) => run(databaseUrl, sql, params),
    adminQuery: (sql, params) => run(adminUrl, sql, params),
    mails: () => readStoredMails(mailDir),
    async stop() {
      await postgres.stop().catch(() => {});
      await s3.stop().catch(() => {});
      await smtp.stop().catch(() => {});
      if (!processEnv().CHAOS_KEEP_DATA) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
