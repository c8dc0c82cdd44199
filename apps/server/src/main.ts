// Server process: wires config, ORM, storage and logger, then serves until SIGTERM/SIGINT.
import { loadConfig, requireServices } from '@arvlite/config';
import { initOrm } from '@arvlite/db';
import { createStorage } from '@arvlite/storage';
import { createLogger, initTracing, shutdownTracing, startMetricsServer } from '@arvlite/telemetry';
import { buildServer } from './app.ts';

const config = requireServices(loadConfig());
// Traces (off unless OTEL_* configures an OTLP endpoint) before anything that could start a span.
await initTracing({
  otlpTracesUrl: config.telemetry.otlpTracesUrl,
  otlpHeaders: config.telemetry.otlpHeaders,
  serviceName: config.telemetry.serviceName ?? 'arvlite-server',
});
const log = createLogger({
  service: 'server',
  level: config.logLevel,
  env: config.env,
  pretty: config.telemetry.logPretty,
  redact: {
    paths: ['req.headers.authorization', '*.password', '*.accessToken', '*.refreshToken', '*.token'],
    censor: '[redacted]',
  },
});
const orm = await initOrm({ url: config.database.url, poolMax: config.database.poolMax });
const storage = createStorage(config);
const app = await buildServer({ config, orm, storage, log });
// Spans still queued go out when the server closes.
app.addHook('onClose', async () => {
  await shutdownTracing();
});
// METRICS_PORT: /metrics without a token on a second listener (on HOST), for a scraper on a private network.
const metricsServer =
  config.telemetry.metricsPort === undefined
    ? undefined
    : await startMetricsServer({ host: config.http.host, port: config.telemetry.metricsPort, auth: { open: true } });
app.addHook('onClose', async () => {
  await metricsServer?.close();
});

await app.listen({ host: config.http.host, port: config.http.port });
log.info({ url: config.http.publicUrl }, 'server listening');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown timed out; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  // Keep-alive and SSE connections would hold close() open; requests get 5 s to finish.
  const cut = setTimeout(() => app.server.closeAllConnections(), 5000);
  cut.unref();
  await app.close();
  await orm.close();
  storage.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// Spawned by the launcher with an IPC channel: if the launcher dies, so do we.
process.on('disconnect', () => void shutdown('parent-disconnect'));
