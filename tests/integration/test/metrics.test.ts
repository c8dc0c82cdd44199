// Metrics and traces of real processes: the server and a worker spawned from their main.ts, an upload through the
// pipeline, both /metrics scraped and parsed with a Prometheus text parser, and the spans the real OTLP/HTTP exporter
// of each process sends to a receiver here, joined into one trace from completeUpload to READY.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { processEnv } from '@arvlite/config';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { Video } from '@arvlite/db';
import { enqueue } from '@arvlite/jobs';
import { freePort, waitFor } from '@arvlite/test-utils';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clips, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

const TOKEN = randomBytes(24).toString('hex');
const ID_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9A-HJKMNP-TV-Z]{26}\b/i;

// ---- an OTLP/HTTP JSON receiver: what the processes' exporters send ----
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
}
const spans: OtlpSpan[] = [];
const otlp: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/v1/traces' && req.method === 'POST') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: Omit<OtlpSpan, 'service'>[] }[];
        }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
const children: ChildProcess[] = [];
let serverUrl: string;
let workerMetricsUrl: string;
let serverMetricsPortUrl: string;
let owner: TestUser;

const poll = { timeout: 120_000, interval: 200 };

function spawnMain(app: 'server' | 'worker', env: Record<string, string>) {
  const child = spawn(process.execPath, [join(import.meta.dirname, `../../../apps/${app}/src/main.ts`)], {
    env: { ...processEnv(), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function scrape(url: string, token: string | null = TOKEN) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
}

/**
 * The scrape, parsed. parse-prometheus-text-format 1.1.1 merges every label set of a histogram into one sample (it
 * keeps only the buckets), so each histogram's `_count` and `_sum` series are parsed again as counters of their own
 * (`<name>_count`, `<name>_sum`), which keeps their labels.
 */
async function families(url: string): Promise<Map<string, PrometheusFamily>> {
  const { status, text } = await scrape(url);
  expect(status).toBe(200);
  const lines = text.split('\n');
  const histograms = [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!);
  const series = histograms.flatMap((h) =>
    ['_count', '_sum'].map((suffix) =>
      [
        `# TYPE ${h}${suffix} counter`,
        ...lines.filter((l) => l.startsWith(`${h}${suffix}{`) || l.startsWith(`${h}${suffix} `)),
      ].join('\n'),
    ),
  );
  return new Map(
    [...parsePrometheusTextFormat(text), ...parsePrometheusTextFormat(series.join('\n') + '\n')].map((f) => [
      f.name,
      f,
    ]),
  );
}

const sample = (f: PrometheusFamily | undefined, labels: Record<string, string> = {}) =>
  f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

beforeAll(async () => {
  platform = await startTestPlatform({ worker: false });
  await new Promise<void>((r) => otlp.listen(0, '127.0.0.1', () => r()));
  const otlpPort = (otlp.address() as { port: number }).port;
  const [port, workerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const config = platform.deps.config;
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: config.database.url,
    S3_ENDPOINT: config.s3.endpoint,
    S3_BUCKET: config.s3.bucket,
    AUTH_JWT_SECRET: inject('testServices').authSecret,
    SMTP_URL: `smtp://127.0.0.1:${inject('testServices').smtpPort}`,
    METRICS_TOKEN: TOKEN,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  };
  serverUrl = `http://127.0.0.1:${port}`;
  workerMetricsUrl = `http://127.0.0.1:${workerPort}/metrics`;
  serverMetricsPortUrl = `http://127.0.0.1:${metricsPort}`;
  spawnMain('server', {
    ...common,
    PORT: String(port),
    PUBLIC_URL: serverUrl,
    TRUST_PROXY: '1',
    VIEWER_RATE_LIMIT_PER_MINUTE: '2',
    METRICS_PORT: String(metricsPort),
  });
  spawnMain('worker', {
    ...common,
    WORKER_METRICS_PORT: String(workerPort),
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
  });
  await waitFor('the server', async () => (await fetch(`${serverUrl}/healthz`)).ok, poll);
  await waitFor('the worker metrics', async () => (await scrape(workerMetricsUrl)).status === 200, poll);
  owner = await registerUser(
    (getAccessToken, ip) =>
      createArvliteNodeClient({
        url: `${serverUrl}/trpc`,
        getAccessToken,
        fetch: (input, init) =>
          fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip! } }),
      }),
    'Metrics Owner',
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  await new Promise<void>((r) => otlp.close(() => r()));
});

describe('metrics and traces', () => {
  it('serves /metrics only to the token: 401 without or with a wrong one, 404 where no token is configured', async () => {
    expect((await scrape(`${serverUrl}/metrics`, null)).status).toBe(401);
    expect((await scrape(`${serverUrl}/metrics`, 'x'.repeat(48))).status).toBe(401);
    expect((await scrape(workerMetricsUrl, null)).status).toBe(401);
    expect((await scrape(workerMetricsUrl, 'x'.repeat(48))).status).toBe(401);
    expect((await scrape(`${serverUrl}/metrics`)).status).toBe(200);
    // METRICS_PORT: the server's second listener serves /metrics without a token, and nothing else.
    const open = await scrape(`${serverMetricsPortUrl}/metrics`, null);
    expect(open.status).toBe(200);
    expect(open.text).toContain('# TYPE arvlite_http_request_duration_seconds histogram');
    expect((await scrape(`${serverMetricsPortUrl}/healthz`, null)).status).toBe(404);
    // The in-process test server has no METRICS_TOKEN: the route does not exist, with or without a token.
    expect((await scrape(`${platform.baseUrl}/metrics`, null)).status).toBe(404);
    expect((await scrape(`${platform.baseUrl}/metrics`)).status).toBe(404);
  });

  it('an upload through the pipeline moves the server and worker metrics; no label is an id', async () => {
    const companyId = (await owner.client.company.create.mutate({ name: 'Metrics Co' })).id;
    const projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
    const bytes = new Uint8Array(readFileSync(clips.oneSecond()));
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'one.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'single') throw new Error('expected a single upload');
    expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    await waitFor(
      'READY',
      async () => {
        const v = await platform.deps.orm.fork().findOne(Video, { id: created.videoId });
        if (v?.status === 'FAILED') throw new Error('the video failed');
        return v?.status === 'READY';
      },
      poll,
    );
    // A refused sign-in is counted.
    await expect(
      createArvliteNodeClient({ url: `${serverUrl}/trpc` }).auth.login.mutate({
        email: owner.email,
        password: 'not-the-password-at-all',
      }),
    ).rejects.toThrow();

    // A viewer over its per-IP budget is a rate-limit hit of viewer.manifest.
    const viewer = createArvliteNodeClient({
      url: `${serverUrl}/trpc`,
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': '10.9.8.7' },
        }),
    });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await viewer.viewer.manifest.query({ publicId: 'nothing-here-0000' }).then(
          () => 'answered',
          (e: { data?: { code?: string } }) => e.data?.code,
        ),
      );
    }
    expect(answers.at(-1)).toBe('TOO_MANY_REQUESTS');

    // A job waiting for its time shows in the jobs gauge by task and state.
    const em = platform.deps.orm.fork();
    await em.transactional((tem) => enqueue(tem, 'system:noop', { label: 'later' }, { delayS: 3600 }));

    const server = await families(`${serverUrl}/metrics`);
    const trpc = server.get('arvlite_trpc_procedure_duration_seconds_count');
    expect(Number(sample(trpc, { procedure: 'video.completeUpload', code: 'OK' })?.value)).toBeGreaterThanOrEqual(1);
    expect(Number(sample(trpc, { procedure: 'auth.login', code: 'UNAUTHORIZED' })?.value)).toBeGreaterThanOrEqual(1);
    expect(server.get('arvlite_trpc_procedure_duration_seconds')?.type).toBe('HISTOGRAM');
    const http = server.get('arvlite_http_request_duration_seconds_count');
    expect(http?.metrics.some((m) => m.labels?.status === '200' && Number(m.value) > 0)).toBe(true);
    // Routes are patterns: the tRPC calls above are one route, whatever the procedure or the ids in the input.
    expect(http?.metrics.some((m) => m.labels?.route?.startsWith('/trpc'))).toBe(true);
    expect(Number(sample(server.get('arvlite_login_failures_total'))?.value)).toBeGreaterThanOrEqual(1);
    expect(
      Number(sample(server.get('arvlite_rate_limit_hits_total'), { procedure: 'viewer.manifest' })?.value),
    ).toBeGreaterThanOrEqual(1);
    // Database gauges, read at scrape time.
    expect(sample(server.get('arvlite_metrics_database_up'))?.value).toBe('1');
    expect(server.get('arvlite_queue_lag_seconds')?.metrics).toHaveLength(1);
    expect(Number(sample(server.get('arvlite_workers_live'))?.value)).toBeGreaterThanOrEqual(1);
    expect(sample(server.get('arvlite_jobs'), { task: 'system:noop', state: 'scheduled' })?.value).toBe('1');
    expect(server.get('arvlite_outbox_backlog')?.metrics).toHaveLength(1);
    expect(Number(sample(server.get('arvlite_storage_used_bytes'))?.value)).toBeGreaterThan(0);
    const bands = server.get('arvlite_companies_by_storage_use')?.metrics ?? [];
    expect(bands.map((m) => m.labels?.band).sort()).toEqual(['50_80', '80_100', 'over_100', 'under_50']);
    expect(bands.reduce((n, m) => n + Number(m.value), 0)).toBeGreaterThanOrEqual(1);

    const worker = await families(workerMetricsUrl);
    expect(worker.get('arvlite_job_duration_seconds')?.type).toBe('HISTOGRAM');
    const jobs = worker.get('arvlite_job_duration_seconds_count');
    for (const task of ['video:process', 'video:finalize']) {
      expect(Number(sample(jobs, { task, outcome: 'success' })?.value), task).toBeGreaterThanOrEqual(1);
    }
    const speed = worker.get('arvlite_ffmpeg_speed_ratio_count');
    expect(speed?.metrics.reduce((n, m) => n + Number(m.value), 0)).toBeGreaterThanOrEqual(1);
    // A rung, the playable remux (`source`) or the one-pass ladder (`ladder`): never an id.
    const rungs = speed?.metrics.map((m) => String(m.labels?.rung)) ?? [];
    expect(rungs.filter((r) => !/^[0-9]{2,4}p$|^source$|^ladder$/.test(r))).toEqual([]);
    expect(worker.get('arvlite_ffmpeg_speed_ratio_sum')?.metrics.every((m) => Number(m.value) > 0)).toBe(true);
    // The verification mail of the sign-up went out through this worker.
    await waitFor(
      'the mail counter',
      async () => {
        const w = await families(workerMetricsUrl);
        return Number(sample(w.get('arvlite_mail_deliveries_total'), { outcome: 'sent' })?.value) >= 1;
      },
      poll,
    );

    // Bounded labels: no value anywhere looks like a uuid or ulid, and none is an email address.
    for (const fams of [server, worker]) {
      for (const f of fams.values()) {
        for (const m of f.metrics) {
          for (const [k, v] of Object.entries(m.labels ?? {})) {
            expect(ID_LIKE.test(v) || v.includes('@'), `${f.name}{${k}="${v}"}`).toBe(false);
          }
        }
      }
    }
  });

  it('one upload is one trace: completeUpload on the server, then every pipeline job, step and ffmpeg run', async () => {
    const complete = await waitFor(
      'the completeUpload span',
      async () => spans.find((s) => s.name === 'trpc video.completeUpload'),
      poll,
    );
    const inTrace = () => spans.filter((s) => s.traceId === complete.traceId);
    await waitFor(
      'the finalize and outbox dispatch job spans',
      async () =>
        inTrace().some((s) => s.name === 'job video:finalize') &&
        inTrace().some((s) => s.name === 'job outbox:dispatch'),
      { ...poll, timeout: 30_000 },
    );
    const trace = inTrace();
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const chain = (s: OtlpSpan): string[] => {
      const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      return parent ? [...chain(parent), s.name] : [s.name];
    };
    expect(complete.service).toBe('arvlite-server');
    const processJob = trace.find((s) => s.name === 'job video:process')!;
    expect(processJob.service).toBe('arvlite-worker');
    expect(processJob.parentSpanId).toBe(complete.spanId);
    expect(chain(processJob)).toEqual(['trpc video.completeUpload', 'job video:process']);
    // Steps and ffmpeg runs are children of their jobs; the later jobs were queued from within earlier ones.
    const probe = trace.find((s) => s.name === 'step probe')!;
    expect(byId.get(probe.parentSpanId!)?.name).toBe('job video:process');
    expect(trace.some((s) => s.name.startsWith('ffmpeg ') && byId.get(s.parentSpanId!)?.name.startsWith('step '))).toBe(
      true,
    );
    const finalize = trace.find((s) => s.name === 'job video:finalize')!;
    expect(chain(finalize)[0]).toBe('trpc video.completeUpload');
    expect(chain(finalize)).toContain('job video:process');
    expect(trace.some((s) => s.name === 'step finalize' && s.parentSpanId === finalize.spanId)).toBe(true);
    // Events emitted on the way (in the same transactions) are dispatched by outbox jobs that continue the trace too.
    const dispatch = trace.find((s) => s.name === 'job outbox:dispatch')!;
    expect(chain(dispatch)[0]).toBe('trpc video.completeUpload');
  });
});
