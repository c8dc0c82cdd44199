// Server process: wires config, ORM, storage and logger, then serves until SIGTERM/SIGINT.
import { loadConfig, requireServices } from '@arvlite/config';
import { initOrm } from '@arvlite/db';
import { createStorage } from '@arvlite/storage';
import { createLogger, initTracing, shutdownTracing, startMetricsServer } from '@arvlite/telemetry';
import { buildServer } from './app.ts';
import { EventStreams } from './event-streams.ts';

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
const orm = await initOrm({
  url: config.database.url,
  poolMax: config.database.poolMax,
  acquireTimeoutMs: config.database.acquireTimeoutMs,
  statementTimeoutMs: config.database.statementTimeoutMs,
});
const storage = createStorage(config);
const eventStreams = new EventStreams();
const app = await buildServer({ config, orm, storage, log }, { eventStreams });
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

/** How long requests in flight get to finish after a stop signal. */
const DRAIN_MS = 10_000;
/** What SSE clients are told to wait before reconnecting (to another server, behind a load balancer). */
const SSE_RETRY_MS = 1000;

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const started = performance.now();
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown timed out; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  // close() stops accepting at once (a request arriving on a kept-alive connection meanwhile gets 503 and
  // `connection: close`), closes idle connections and waits for the requests in flight. SSE streams would hold it
  // open: each gets a retry hint and ends. Whatever is still open after DRAIN_MS is cut.
  const closed = app.close();
  const streams = eventStreams.endAll(SSE_RETRY_MS);
  const cut = setTimeout(() => app.server.closeAllConnections(), DRAIN_MS);
  cut.unref();
  // A kept-alive connection whose last request finished during the drain would otherwise idle until its
  // keep-alive timeout (5 s) before close() resolves.
  const idle = setInterval(() => app.server.closeIdleConnections(), 100);
  await closed;
  clearInterval(idle);
  log.info({ streams, ms: Math.round(performance.now() - started) }, 'drained');
  await orm.close();
  storage.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// Spawned by the launcher with an IPC channel: if the launcher dies, so do we.
process.on('disconnect', () => void shutdown('parent-disconnect'));
