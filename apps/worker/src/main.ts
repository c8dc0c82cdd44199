// Worker process: wires config, ORM, storage and logger, then runs jobs until SIGTERM/SIGINT.
import { loadConfig, requireServices } from '@arvlite/config';
import { initOrm } from '@arvlite/db';
import { createStorage } from '@arvlite/storage';
import { createLogger, initTracing, shutdownTracing, startMetricsServer } from '@arvlite/telemetry';
import { startWorker } from './worker.ts';

const config = requireServices(loadConfig());
// Traces (off unless OTEL_* configures an OTLP endpoint): each job continues the trace that queued it.
await initTracing({
  otlpTracesUrl: config.telemetry.otlpTracesUrl,
  otlpHeaders: config.telemetry.otlpHeaders,
  serviceName: config.telemetry.serviceName ?? 'arvlite-worker',
});
const log = createLogger({
  service: 'worker',
  level: config.logLevel,
  env: config.env,
  pretty: config.telemetry.logPretty,
});
const orm = await initOrm({
  url: config.database.url,
  poolMax: config.database.poolMax,
  acquireTimeoutMs: config.database.acquireTimeoutMs,
});
const storage = createStorage(config);
const worker = await startWorker({ config, orm, storage, log });
log.info({ workerId: worker.id, concurrency: config.worker.concurrency }, 'worker started');
// WORKER_METRICS_PORT: this worker's /metrics (on HOST), with the same bearer rule as the server's (METRICS_TOKEN).
const metricsServer =
  config.telemetry.workerMetricsPort === undefined
    ? undefined
    : await startMetricsServer({
        host: config.http.host,
        port: config.telemetry.workerMetricsPort,
        auth: { open: false, tokenSha256: config.telemetry.metricsTokenSha256 },
      });

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
  await metricsServer?.close();
  await shutdownTracing();
  await orm.close();
  storage.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('disconnect', () => void shutdown('parent-disconnect'));
