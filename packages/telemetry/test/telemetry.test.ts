// The pieces of @arvlite/telemetry that need no process around them: the token rule, the log format choice, the
// OTEL_* parsing in @arvlite/config, label bounds, and tracing left off by default.
import { createHash } from 'node:crypto';
import { loadConfig } from '@arvlite/config';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  activeTraceparent,
  contextFromTraceparent,
  ffmpegSpeed,
  inSpan,
  metricsAccess,
  observeFfmpegSpeed,
  registry,
  tracingEnabled,
  wantsPrettyLogs,
} from '../src/index.ts';

const token = 'm'.repeat(40);
const sha = createHash('sha256').update(token).digest('hex');

describe('metrics access', () => {
  it('is not found without a configured token, unauthorized without the right bearer, ok with it', () => {
    expect(metricsAccess(`Bearer ${token}`, undefined)).toBe('not-found');
    expect(metricsAccess(undefined, sha)).toBe('unauthorized');
    expect(metricsAccess('Bearer ', sha)).toBe('unauthorized');
    expect(metricsAccess(token, sha)).toBe('unauthorized');
    expect(metricsAccess(`Bearer ${token}x`, sha)).toBe('unauthorized');
    expect(metricsAccess(`Bearer ${token}`, sha)).toBe('ok');
  });

  it('config keeps only the SHA-256 of METRICS_TOKEN and refuses a short one', () => {
    const config = loadConfig({ METRICS_TOKEN: token });
    expect(config.telemetry.metricsTokenSha256).toBe(sha);
    expect(JSON.stringify(config)).not.toContain(token);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('log format', () => {
  it('is readable only outside production, for a terminal or with LOG_PRETTY', () => {
    expect(wantsPrettyLogs({ env: 'development', pretty: false }, true)).toBe(true);
    expect(wantsPrettyLogs({ env: 'development', pretty: false }, false)).toBe(false);
    expect(wantsPrettyLogs({ env: 'development', pretty: true }, false)).toBe(true);
    expect(wantsPrettyLogs({ env: 'production', pretty: true }, true)).toBe(false);
  });
});

describe('tracing configuration', () => {
  it('is off by default and with OTEL_TRACES_EXPORTER=none', () => {
    expect(loadConfig({}).telemetry.otlpTracesUrl).toBeUndefined();
    expect(
      loadConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).telemetry
        .otlpTracesUrl,
    ).toBeUndefined();
  });

  it('follows the OTLP endpoint variables', () => {
    const url = (env: Record<string, string>) => loadConfig(env).telemetry.otlpTracesUrl;
    expect(url({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(url({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://x.example/traces' })).toBe('https://x.example/traces');
    expect(url({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe('http://localhost:4318/v1/traces');
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
  });

  it('parses OTEL_EXPORTER_OTLP_HEADERS, dropping names that are not tokens', () => {
    const headers = loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b, bad name=x,=y,x-tenant=t1' }).telemetry
      .otlpHeaders;
    expect(headers).toEqual({ 'api-key': 'a b', 'x-tenant': 't1' });
  });

  it('leaves the helpers as plain calls while off', async () => {
    expect(tracingEnabled()).toBe(false);
    expect(await inSpan('x', {}, async () => 42)).toBe(42);
    expect(activeTraceparent()).toBeUndefined();
    // Off, an incoming traceparent is ignored: the root context, with no span in it.
    const ctx = contextFromTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(ctx).toBe(ROOT_CONTEXT);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
  });
});

describe('ffmpeg speed', () => {
  it('observes media seconds per wall second, with unknown rung names collapsed', async () => {
    ffmpegSpeed.reset();
    observeFfmpegSpeed('720p', 'encode', 10, 5000);
    observeFfmpegSpeed('../../etc', 'encode', 10, 1000);
    observeFfmpegSpeed('480p', 'encode', 0, 1000); // nothing to measure
    const text = await registry.getSingleMetricAsString('arvlite_ffmpeg_speed_ratio');
    expect(text).toContain('arvlite_ffmpeg_speed_ratio_sum{rung="720p",kind="encode"} 2');
    expect(text).toContain('arvlite_ffmpeg_speed_ratio_sum{rung="other",kind="encode"} 10');
    expect(text).not.toContain('480p');
  });
});
