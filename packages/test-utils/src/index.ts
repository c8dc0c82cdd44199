// Per-test-file resources on the real services: a cloned database, a fresh bucket, config and wired deps.
import { randomBytes } from 'node:crypto';
import { loadConfig, requireServices, type ServiceConfig } from '@arvlite/config';
import { initOrm, type Orm } from '@arvlite/db';
import { ensureBucket } from '@arvlite/dev-services';
import { ObjectStorage } from '@arvlite/storage';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { withDatabase } from './net.ts';
import type {} from './provided-context.ts';

export {
  freePort,
  reservePort,
  spawnListening,
  withDatabase,
  type ListeningChild,
  type PortReservation,
} from './net.ts';
export { waitFor, waitUntil, WaitTimeoutError, type PollOptions } from './wait.ts';
import { afterAll, inject } from 'vitest';

/** Clones the migrated template into a database of this test file's own; dropped after the file. */
export async function createTestDatabase(): Promise<string> {
  const { adminUrl, templateDb } = inject('testServices');
  const pid = templateDb.replace('arvlite_template_', '');
  const name = `arvlite_test_${pid}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name} template ${templateDb}`);
  } finally {
    await client.end();
  }
  afterAll(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`drop database if exists ${name} with (force)`);
    } finally {
      await c.end();
    }
  });
  return withDatabase(adminUrl, name);
}

/** A config pointing at this file's database and a bucket of its own. */
export async function createTestConfig(env: Record<string, string> = {}): Promise<ServiceConfig> {
  const { s3Endpoint, authSecret, smtpPort } = inject('testServices');
  const databaseUrl = await createTestDatabase();
  const bucket = `t-${randomBytes(6).toString('hex')}`;
  const config = requireServices(
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      S3_ENDPOINT: s3Endpoint,
      S3_BUCKET: bucket,
      DATA_DIR: '.data/test-unused',
      AUTH_JWT_SECRET: authSecret,
      // Mail goes to the test run's SMTP server (the global setup's), not to the dev default port.
      DEV_SMTP_PORT: String(smtpPort),
      // One view per condition: a marker's detection report is still measured for real, at a fifth of its CPU (the
      // harness's precision is packages/marker's own test, with its own counts).
      MARKER_REPORT_SAMPLES: '1',
      ...env,
    }),
  );
  await ensureBucket({ ...config.s3, endpoint: s3Endpoint, corsOrigins: config.http.corsOrigins });
  return config;
}

export interface TestDeps {
  config: ServiceConfig;
  orm: Orm;
  storage: ObjectStorage;
  log: Logger;
}

/** Config, ORM, storage and a silent logger on real services; closed after the file. */
export async function createTestDeps(env: Record<string, string> = {}): Promise<TestDeps> {
  const config = await createTestConfig(env);
  const orm = await initOrm({ url: config.database.url, poolMax: 5 });
  const storage = new ObjectStorage({ ...config.s3 });
  const log: Logger = pino({ level: config.logLevel === 'silent' ? 'silent' : 'warn' });
  afterAll(async () => {
    await orm.close();
    storage.destroy();
  });
  return { config, orm, storage, log };
}
