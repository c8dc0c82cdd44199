// @arvlite/telemetry: logs, Prometheus metrics and OpenTelemetry traces of the server and the worker.
export { createLogger, wantsPrettyLogs, type LoggerSettings } from './logger.ts';
export {
  ffmpegSpeed,
  httpDuration,
  jobDuration,
  loginFailures,
  mailDeliveries,
  observeFfmpegSpeed,
  QUOTA_BANDS,
  rateLimitHits,
  registerDatabaseMetrics,
  registry,
  trpcDuration,
  webhookDeliveries,
  type SnapshotQuery,
  viewTimeToFirstFrame,
} from './metrics.ts';
export { metricsAccess, metricsText, startMetricsServer, type MetricsAccess } from './metrics-http.ts';
export {
  activeTraceparent,
  contextFromTraceparent,
  failActiveSpan,
  initTracing,
  inSpan,
  shutdownTracing,
  TRACEPARENT_PATTERN,
  tracingEnabled,
  type TracingSettings,
} from './tracing.ts';
