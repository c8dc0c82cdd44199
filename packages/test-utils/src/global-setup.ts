// Vitest global setup: real Postgres and S3 for the whole run (embedded unless DATABASE_URL / S3_ENDPOINT are set),
// and one migrated template database that every test file clones.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, processEnv } from '@arvlite/config';
import { migrate } from '@arvlite/db';
import { spawnDevServices, startSmtp } from '@arvlite/dev-services';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

import { freePort, withDatabase } from './net.ts';
import type {} from './provided-context.ts';

const repoRoot = join(import.meta.dirname, '../../..');

export default async function setup(project: TestProject) {
  const config = loadConfig();
  // There is no default secret: the run gets a random one, also for the processes tests spawn (they inherit this
  // environment).
  const env = processEnv();
  const authSecret = env.AUTH_JWT_SECRET || randomBytes(32).toString('base64url');
  env.AUTH_JWT_SECRET = authSecret;
  let stopServices: (() => Promise<void>) | undefined;
  let databaseUrl = config.database.url;
  let s3Endpoint = config.s3.endpoint;
  // The embedded SMTP server runs beside them (in the same child) and keeps mails in `${dataDir}/mail`.
  const smtpPort = await freePort();
  const mailDir = join(repoRoot, '.data', `test-${process.pid}`, 'mail');
  env.DEV_SMTP_PORT = String(smtpPort);

  if (!databaseUrl || !s3Endpoint) {
    const dataDir = join(repoRoot, '.data', `test-${process.pid}`);
    await rm(dataDir, { recursive: true, force: true });
    const services = await spawnDevServices({
      dataDir,
      postgresPort: await freePort(),
      s3Port: await freePort(),
      env: { DATABASE_URL: databaseUrl ?? '', S3_ENDPOINT: s3Endpoint ?? '', SMTP_URL: '' },
    });
    databaseUrl = services.databaseUrl;
    s3Endpoint = services.s3Endpoint;
    stopServices = async () => {
      await services.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }

  if (!stopServices) {
    // External Postgres and S3: the SMTP server runs in this process instead.
    const smtp = await startSmtp({ dir: mailDir, port: smtpPort });
    stopServices = async () => {
      await smtp.stop();
      await rm(mailDir, { recursive: true, force: true });
    };
  }

  const adminUrl = withDatabase(databaseUrl, 'postgres');
  const templateDb = `arvlite_template_${process.pid}`;
  await adminQuery(adminUrl, `drop database if exists ${templateDb}`);
  await adminQuery(adminUrl, `create database ${templateDb}`);
  await migrate(withDatabase(databaseUrl, templateDb));

  project.provide('testServices', { adminUrl, templateDb, s3Endpoint, authSecret, smtpPort, mailDir });

  return async () => {
    const dbs = await adminQuery(
      adminUrl,
      `select datname from pg_database where datname like 'arvlite_test_${process.pid}_%' or datname = '${templateDb}'`,
    );
    for (const row of dbs) {
      await adminQuery(adminUrl, `drop database if exists ${row.datname} with (force)`);
    }
    await stopServices?.();
  };
}

async function adminQuery(url: string, sql: string): Promise<{ datname: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
