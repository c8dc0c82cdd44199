// OpenTelemetry traces. Off by default: then nothing of the SDK is loaded and the helpers below call straight through.
// On (OTEL_TRACES_EXPORTER=otlp or an OTLP endpoint), spans go in batches to the OTLP/HTTP JSON endpoint.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C traceparent header value (version-traceid-spanid-flags), as job payloads carry it. */
export const TRACEPARENT_PATTERN = TRACEPARENT;

let enabled = false;
let shutdownHook: (() => Promise<void>) | undefined;

export interface TracingSettings {
  /** The OTLP/HTTP traces URL (config.telemetry.otlpTracesUrl); undefined: tracing stays off. */
  otlpTracesUrl: string | undefined;
  otlpHeaders?: Record<string, string>;
  /** service.name of this process's spans (OTEL_SERVICE_NAME wins when set). */
  serviceName: string;
}

/**
 * Turns tracing on for this process when an OTLP endpoint is configured: an AsyncLocalStorage context manager, the W3C
 * trace-context propagator and a batching tracer provider that exports to it. Returns whether tracing is on.
 */
export async function initTracing(s: TracingSettings): Promise<boolean> {
  if (!s.otlpTracesUrl || enabled) return enabled;
  // Loaded only when on, so a process without tracing never loads the SDK.
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, sdk, { OTLPTraceExporter }, resources] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new OTLPTraceExporter({ url: s.otlpTracesUrl, headers: s.otlpHeaders ?? {} });
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': s.serviceName }),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 })],
  });
  trace.setGlobalTracerProvider(provider);
  shutdownHook = () => provider.shutdown();
  enabled = true;
  return true;
}

/** Sends the spans still queued and stops the exporter (on shutdown; nothing when tracing is off). */
export async function shutdownTracing(): Promise<void> {
  await shutdownHook?.().catch(() => {});
}

export function tracingEnabled(): boolean {
  return enabled;
}

const tracer = () => trace.getTracer('arvlite');

/**
 * Runs fn inside a new span (a child of the active one, or of `parent`); the span ends when fn settles and records
 * its error. With tracing off, just fn().
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
  parent?: Context,
): Promise<T> {
  if (!enabled) return fn();
  return tracer().startActiveSpan(name, { attributes }, parent ?? context.active(), async (span) => {
    try {
      return await fn();
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String((e as Error)?.message ?? e).slice(0, 200) });
      throw e;
    } finally {
      span.end();
    }
  });
}

/** Marks the active span failed (an error answered rather than thrown, e.g. a tRPC error result). No-op when off. */
export function failActiveSpan(message: string): void {
  if (!enabled) return;
  trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 200) });
}

/** The active span's traceparent, to store in a job payload; undefined when tracing is off or no span is active. */
export function activeTraceparent(): string | undefined {
  if (!enabled || !trace.getSpan(context.active())) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent && TRACEPARENT.test(carrier.traceparent) ? carrier.traceparent : undefined;
}

/** The context a stored traceparent continues (the root context when there is none or tracing is off). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!enabled || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}
