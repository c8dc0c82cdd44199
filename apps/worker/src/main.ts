// Worker process: wires config, ORM, storage and logger, then runs jobs until SIGTERM/SIGINT.
import { loadConfig, requireServices } from '@arvlite/config';
import { initOrm } from '@arvlite/db';
import { createStorage } from '@arvlite/storage';
import { pino } from 'pino';
import { startWorker } from './worker.ts';

const config = requireServices(loadConfig());
const log = pino({ level: config.logLevel, base: { service: 'worker' } });
const orm = await initOrm({ url: config.database.url, poolMax: config.database.poolMax });
const storage = createStorage(config);
const worker = await startWorker({ config, orm, storage, log });
log.info({ workerId: worker.id, concurrency: config.worker.concurrency }, 'worker started');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down; letting running jobs finish');
  const force = setTimeout(() => {
    log.error('graceful shutdown timed out; releasing jobs and exiting');
    void worker.runner.kill().finally(() => process.exit(1));
  }, 25_000);
  force.unref();
  await worker.stop();
  await orm.close();
  storage.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('disconnect', () => void shutdown('parent-disconnect'));
