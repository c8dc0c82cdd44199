// Prometheus metrics of the server and the worker (prom-client), with bounded labels only: procedure and task names
// from fixed sets, route patterns, status codes, outcomes, rungs. Never an id, an email or a URL.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** This process's registry: the metrics below plus Node's default process metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'arvlite_' });

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// ---- server ----
export const httpDuration = new Histogram({
  name: 'arvlite_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern (unmatched paths are one value) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: durationBuckets,
  registers: [registry],
});

export const trpcDuration = new Histogram({
  name: 'arvlite_trpc_procedure_duration_seconds',
  help: 'tRPC procedure calls (tRPC and REST) by procedure, type and result code (OK or the tRPC error code)',
  labelNames: ['procedure', 'type', 'code'] as const,
  buckets: durationBuckets,
  registers: [registry],
});

export const loginFailures = new Counter({
  name: 'arvlite_login_failures_total',
  help: 'auth.login calls refused (wrong email or password, disabled account, or limited)',
  registers: [registry],
});

export const rateLimitHits = new Counter({
  name: 'arvlite_rate_limit_hits_total',
  help: 'Calls answered TOO_MANY_REQUESTS, by procedure',
  labelNames: ['procedure'] as const,
  registers: [registry],
});

// ---- worker ----
export const jobDuration = new Histogram({
  name: 'arvlite_job_duration_seconds',
  help: 'Jobs run by this worker, by task and outcome (success or failure; a failure may be retried)',
  labelNames: ['task', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
  registers: [registry],
});

export const ffmpegSpeed = new Histogram({
  name: 'arvlite_ffmpeg_speed_ratio',
  help: 'Media seconds encoded per wall-clock second (× realtime) of each ffmpeg run, by rung (or source, or ladder: one pass for every rung) and kind (encode or remux)',
  labelNames: ['rung', 'kind'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128],
  registers: [registry],
});

export const mailDeliveries = new Counter({
  name: 'arvlite_mail_deliveries_total',
  help: 'Mail send attempts by outcome: sent, retry (temporary failure), failed (permanent), suppressed (rate limit)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'arvlite_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome: delivered, retry, failed (out of attempts or 410 Gone), cancelled',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const viewTimeToFirstFrame = new Histogram({
  name: 'arvlite_view_time_to_first_frame_seconds',
  help: 'Views from the viewer page opening to the video playing (first frame), by platform and path (ar: detected on the camera, plain: the plain player)',
  labelNames: ['platform', 'path'] as const,
  buckets: [0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30, 60],
  registers: [registry],
});

/** Observes one ffmpeg run: `mediaSeconds` of video done in `wallMs`. */
export function observeFfmpegSpeed(rung: string, kind: 'encode' | 'remux', mediaSeconds: number, wallMs: number) {
  if (!(mediaSeconds > 0) || !(wallMs > 0)) return;
  ffmpegSpeed.observe(
    { rung: /^[0-9]{2,4}p$|^source$|^ladder$/.test(rung) ? rung : 'other', kind },
    mediaSeconds / (wallMs / 1000),
  );
}

// ---- database-derived, read at scrape time (registered by the server only: every server reads the same rows) ----

/** Runs the given read-only statements in one transaction with a statement timeout; rows per statement. */
export type SnapshotQuery = (statements: string[]) => Promise<Record<string, unknown>[][]>;

/** Quota bands of companies' storage use: a fixed distribution instead of one series per company. */
export const QUOTA_BANDS = ['under_50', '50_80', '80_100', 'over_100'] as const;

const STATEMENTS = [
  // Jobs per task and state (graphile-worker's table holds only jobs not yet done: it stays small).
  `select t.identifier as task,
          case when j.locked_at is not null then 'running'
               when j.attempts >= j.max_attempts then 'failed'
               when j.run_at > now() and j.attempts > 0 then 'retrying'
               when j.run_at > now() then 'scheduled'
               else 'ready' end as state,
          count(*)::int as n
     from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    group by 1, 2`,
  // Queue lag: the age of the oldest job that could run now and has not started.
  `select coalesce(extract(epoch from now() - min(run_at)), 0)::float8 as lag
     from graphile_worker._private_jobs where is_available and run_at <= now()`,
  // Live workers: heartbeat fresh within the dead-after window (substituted below), not stopped.
  `select count(*)::int as n from worker_heartbeat
    where stopped_at is null and last_seen_at > now() - make_interval(secs => $DEAD_AFTER_S)`,
  // Outbox backlog (the partial index on undelivered events).
  `select count(*)::int as n, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age
     from outbox_event where delivered_at is null`,
  // Storage: totals and companies per quota band.
  `select coalesce(sum(storage_used_bytes), 0)::float8 as used, coalesce(sum(storage_quota_bytes), 0)::float8 as quota,
          count(*) filter (where storage_used_bytes < storage_quota_bytes * 0.5)::int as under_50,
          count(*) filter (where storage_used_bytes >= storage_quota_bytes * 0.5
                             and storage_used_bytes < storage_quota_bytes * 0.8)::int as "50_80",
          count(*) filter (where storage_used_bytes >= storage_quota_bytes * 0.8
                             and storage_used_bytes <= storage_quota_bytes)::int as "80_100",
          count(*) filter (where storage_used_bytes > storage_quota_bytes)::int as over_100
     from company`,
];

export interface DatabaseMetricsSource {
  query: SnapshotQuery;
  /** Task names the jobs gauge may show; any other identifier is counted as "other". */
  knownTasks: readonly string[];
  workerDeadAfterMs: number;
}
let source: DatabaseMetricsSource | undefined;
let registered = false;

interface Snapshot {
  jobs: { task: string; state: string; n: number }[];
  lag: number;
  workers: number;
  outbox: { n: number; age: number };
  storage: Record<string, number>;
}

/**
 * Registers the database gauges on the registry. Each scrape runs the statements once (shared by every gauge, and
 * reused for a second by concurrent scrapes); a failed or slow read sets arvlite_metrics_database_up to 0 and leaves
 * the other families out instead of failing the scrape.
 */
export function registerDatabaseMetrics(opts: DatabaseMetricsSource) {
  // One set of gauges per process; a later call (a test building another server in the same process) replaces the source.
  source = opts;
  if (registered) return;
  registered = true;
  const reg = registry;
  let pending: { at: number; value: Promise<Snapshot | null> } | undefined;

  async function read(): Promise<Snapshot | null> {
    const src = source!;
    const known = new Set(src.knownTasks);
    const statements = STATEMENTS.map((s) =>
      s.replace('$DEAD_AFTER_S', String(Math.ceil(src.workerDeadAfterMs / 1000))),
    );
    const [jobs = [], lag = [], workers = [], outbox = [], storage = []] = await src.query(statements);
    return {
      jobs: jobs.map((r) => ({
        task: known.has(String(r.task)) ? String(r.task) : 'other',
        state: String(r.state),
        n: Number(r.n),
      })),
      lag: Number(lag[0]?.lag ?? 0),
      workers: Number(workers[0]?.n ?? 0),
      outbox: { n: Number(outbox[0]?.n ?? 0), age: Number(outbox[0]?.age ?? 0) },
      storage: Object.fromEntries(Object.entries(storage[0] ?? {}).map(([k, v]) => [k, Number(v)])),
    };
  }
  function snapshot(): Promise<Snapshot | null> {
    if (!pending || Date.now() - pending.at > 1000) {
      pending = { at: Date.now(), value: read().catch(() => null) };
    }
    return pending.value;
  }

  const up = new Gauge({
    name: 'arvlite_metrics_database_up',
    help: '1 when the database gauges of this scrape were read, 0 when the read failed or timed out',
    registers: [reg],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  void up;
  new Gauge({
    name: 'arvlite_jobs',
    help: 'Jobs in the queue by task and state (ready, scheduled, retrying, running, failed = out of attempts)',
    labelNames: ['task', 'state'] as const,
    registers: [reg],
    async collect() {
      this.reset();
      const s = await snapshot();
      for (const r of s?.jobs ?? []) this.inc({ task: r.task, state: r.state }, r.n);
    },
  });
  const simple = (name: string, help: string, pick: (s: Snapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [reg],
      async collect() {
        const s = await snapshot();
        if (s) this.set(pick(s));
      },
    });
  simple(
    'arvlite_queue_lag_seconds',
    'Age of the oldest job that could run now and has not started (0: none waits)',
    (s) => s.lag,
  );
  simple('arvlite_workers_live', 'Worker processes with a fresh heartbeat', (s) => s.workers);
  simple('arvlite_outbox_backlog', 'Outbox events not yet delivered to every consumer', (s) => s.outbox.n);
  simple('arvlite_outbox_oldest_age_seconds', 'Age of the oldest undelivered outbox event', (s) => s.outbox.age);
  simple('arvlite_storage_used_bytes', 'Bytes stored by all companies together', (s) => s.storage.used ?? 0);
  simple('arvlite_storage_quota_bytes', 'Storage quotas of all companies together', (s) => s.storage.quota ?? 0);
  new Gauge({
    name: 'arvlite_companies_by_storage_use',
    help: 'Companies by the share of their quota they use (bands: under 50 %, 50-80 %, 80-100 %, over 100 %)',
    labelNames: ['band'] as const,
    registers: [reg],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      for (const band of QUOTA_BANDS) this.set({ band }, s.storage[band] ?? 0);
    },
  });
}
