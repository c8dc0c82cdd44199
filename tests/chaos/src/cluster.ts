// The chaos cluster: N servers and M workers as real processes on one embedded Postgres and one s3rver (each in a
// child of its own, so either can be stopped and started), behind a round-robin load balancer; optionally workers
// reach S3 through a fault proxy. Plus the outside world the product talks to: an SMTP server and a webhook receiver.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { ObjectStorage } from '@arvlite/storage';
import { processEnv } from '@arvlite/config';
import { startServer, startWorker, type AppProcess } from './processes.ts';
import { startFaultProxy, startLoadBalancer, type FaultProxy, type LoadBalancer } from './proxies.ts';
import { BUCKET, repoRoot, S3_ACCESS, startChaosServices, type ChaosServices } from './services.ts';

/** The cluster of the running scenario (one at a time per process), for printing its logs when a test fails. */
export let activeCluster: Cluster | undefined;

export interface ClusterOptions {
  servers?: number;
  workers?: number;
  /** Environment for every app process, on top of the cluster's defaults. */
  env?: Record<string, string>;
  serverEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Workers reach S3 through `cluster.s3Proxy` (a FaultProxy) instead of directly. */
  workerS3ThroughProxy?: boolean;
  /** Echo app stderr (warnings and errors) to ours. */
  echo?: boolean;
}

/**
 * Each run's app logs: .data/chaos-logs/<time>-<pid>/<server-0|worker-1|…>.log, kept after the run (the services'
 * data directory is not). LOG_LEVEL of workers: CHAOS_LOG_LEVEL, else info (their job and recovery lines are few);
 * of servers: CHAOS_LOG_LEVEL, else warn (info logs every request).
 */
function newLogsDir(): string {
  const dir = path.join(
    repoRoot,
    '.data',
    'chaos-logs',
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`,
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface ReceivedWebhook {
  /** webhook-id header: the same on every retry of one message. */
  messageId: string;
  type: string;
  data: Record<string, unknown>;
  at: number;
}

export interface Cluster {
  services: ChaosServices;
  /** The load balancer in front of every server. */
  lb: LoadBalancer;
  /** http://…/trpc through the load balancer. */
  trpcUrl: string;
  servers: AppProcess[];
  workers: AppProcess[];
  /** Present with workerS3ThroughProxy: the workers' way to S3. */
  s3Proxy: FaultProxy | undefined;
  /** Direct S3 access for the accounting (not through any proxy). */
  storage: ObjectStorage;
  /** Every webhook request the receiver got (the fixture registers its URL for each tenant it makes). */
  webhooks: ReceivedWebhook[];
  webhookUrl: string;
  /** Where every app's stdout and stderr go, one file per app slot (kept after the run). */
  logsDir: string;
  /** The last `lines` lines of each app's log (workers first), headed by its name and file, for a failure's output. */
  logTails(lines?: number): Promise<string>;
  /** The environment app processes run with (to start one more by hand). */
  appEnv(kind: 'server' | 'worker'): NodeJS.ProcessEnv;
  addServer(): Promise<AppProcess>;
  addWorker(env?: Record<string, string>): Promise<AppProcess>;
  /** A client through the load balancer (or straight to `serverUrl`), coming from `ip` (X-Forwarded-For). */
  client(opts?: { accessToken?: () => string | null; ip?: string; serverUrl?: string }): ArvliteClient;
  /** Every server's /readyz answers 200 (straight to each server). */
  healthy(): Promise<boolean>;
  /** Polls until healthy(); returns when it became so (performance.now()). */
  untilHealthy(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const services = await startChaosServices();
  const cleanups: (() => Promise<unknown>)[] = [() => services.stop()];
  try {
    const webhooks: ReceivedWebhook[] = [];
    const receiver = await startWebhookReceiver(webhooks);
    cleanups.unshift(() => new Promise((r) => receiver.close(r)));
    const s3Proxy = opts.workerS3ThroughProxy
      ? await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(services.s3Endpoint).port) })
      : undefined;
    if (s3Proxy) cleanups.unshift(() => s3Proxy.close());

    const secret = randomBytes(32).toString('base64url');
    // Every server is reached as the load balancer's address (tokens name it as their issuer, links start with it).
    const lb = await startLoadBalancer([]);
    cleanups.unshift(() => lb.close());
    const base: NodeJS.ProcessEnv = {
      PATH: processEnv().PATH,
      HOME: processEnv().HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: services.databaseUrl,
      S3_ENDPOINT: services.s3Endpoint,
      S3_BUCKET: BUCKET,
      ...S3_ACCESS,
      SMTP_URL: `smtp://127.0.0.1:${services.smtpPort}`,
      AUTH_JWT_SECRET: secret,
      OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
      // The load balancer appends its client's address to X-Forwarded-For: two hops of proxies are trusted, so each
      // simulated user keeps the address it sent (per-IP limits stay per user, as behind a real balancer).
      TRUST_PROXY: '2',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      VIEWER_RATE_LIMIT_PER_MINUTE: '100000',
      MAIL_RATE_LIMIT_PER_HOUR: '10000',
      WORKER_POLL_INTERVAL_MS: '200',
      WORKER_HEARTBEAT_INTERVAL_MS: '1000',
      WORKER_DEAD_AFTER_MS: '3000',
      MEDIA_X264_PRESET: 'ultrafast',
      MEDIA_COMPANY_CONCURRENCY: '64',
      MEDIA_ANALYZERS: 'scenes,loudness',
      UPLOAD_MULTIPART_THRESHOLD_BYTES: String(5 * 1024 * 1024),
      UPLOAD_PART_SIZE_BYTES: String(5 * 1024 * 1024),
      DATA_DIR: services.dataDir,
      PUBLIC_URL: lb.url,
      CORS_ORIGINS: lb.url,
      ...opts.env,
    };
    const logsDir = newLogsDir();
    const logLevel = processEnv().CHAOS_LOG_LEVEL;
    const appEnv = (kind: 'server' | 'worker'): NodeJS.ProcessEnv => ({
      ...base,
      LOG_LEVEL: logLevel || (kind === 'worker' ? 'info' : 'warn'),
      ...(kind === 'server' ? opts.serverEnv : opts.workerEnv),
      ...(kind === 'worker' && s3Proxy ? { S3_ENDPOINT: s3Proxy.url } : {}),
    });
    const onStderr = opts.echo
      ? (name: string) => (line: string) => process.stderr.write(`[${name}] ${line}\n`)
      : () => undefined;

    const servers: AppProcess[] = [];
    const workers: AppProcess[] = [];
    const refreshBackends = () => lb.setBackends(servers.filter((s) => s.url).map((s) => s.url!));
    const addServer = async () => {
      const name = `server-${servers.length}`;
      const s = await startServer({
        name,
        env: appEnv('server'),
        logFile: path.join(logsDir, `${name}.log`),
        onStderr: onStderr(name),
      });
      servers.push(s);
      refreshBackends();
      return s;
    };
    const workerUp = async (pid: number) => {
      for (;;) {
        const rows = await services
          .query(`select 1 from worker_heartbeat where pid = $1 and stopped_at is null`, [pid])
          .catch(() => []);
        if (rows.length > 0) return;
        await sleep(200);
      }
    };
    const addWorker = async (env: Record<string, string> = {}) => {
      const name = `worker-${workers.length}`;
      const w = await startWorker({
        name,
        env: { ...appEnv('worker'), ...env },
        logFile: path.join(logsDir, `${name}.log`),
        onStderr: onStderr(name),
        workerUp,
      });
      workers.push(w);
      return w;
    };
    cleanups.unshift(async () => {
      await Promise.all([...servers, ...workers].map((p) => p.stop(20_000)));
    });
    for (let i = 0; i < (opts.servers ?? 2); i++) await addServer();
    for (let i = 0; i < (opts.workers ?? 3); i++) await addWorker();

    const storage = new ObjectStorage({
      endpoint: services.s3Endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      accessKeyId: S3_ACCESS.S3_ACCESS_KEY_ID,
      secretAccessKey: S3_ACCESS.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
      publicEndpoint: services.s3Endpoint,
    });
    cleanups.unshift(async () => storage.destroy());

    const healthy = async () => {
      const answers = await Promise.all(
        servers.map((s) =>
          s.running && s.url
            ? fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
                (r) => r.status === 200,
                () => false,
              )
            : Promise.resolve(false),
        ),
      );
      return answers.length > 0 && answers.every(Boolean);
    };

    const cluster: Cluster = {
      services,
      lb,
      trpcUrl: `${lb.url}/trpc`,
      servers,
      workers,
      s3Proxy,
      storage,
      webhooks,
      webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      logsDir,
      async logTails(lines = 40) {
        const parts: string[] = [];
        for (const p of [...workers, ...servers])
          parts.push(`===== ${p.name} (${p.logFile}), last ${lines} lines =====\n${await p.logTail(lines)}`);
        return parts.join('\n');
      },
      appEnv,
      addServer,
      addWorker,
      client({ accessToken, ip, serverUrl } = {}) {
        return createArvliteNodeClient({
          url: `${serverUrl ?? lb.url}/trpc`,
          getAccessToken: accessToken,
          fetch: ip
            ? (input, init) =>
                fetch(input, {
                  ...init,
                  headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip },
                })
            : undefined,
        });
      },
      healthy,
      async untilHealthy(timeoutMs = 120_000) {
        const until = Date.now() + timeoutMs;
        while (!(await healthy())) {
          if (Date.now() > until) throw new Error(`cluster not healthy within ${timeoutMs} ms`);
          await sleep(250);
        }
        return performance.now();
      },
      async stop() {
        if (activeCluster === cluster) activeCluster = undefined;
        for (const c of cleanups) await c().catch((e: unknown) => console.error('cleanup failed:', e));
        console.log(`[chaos] app logs: ${logsDir}`);
      },
    };
    activeCluster = cluster;
    return cluster;
  } catch (err) {
    for (const c of cleanups) await c().catch(() => {});
    throw err;
  }
}

/** Records every POST: the webhook-id header and the body's type and data (signatures are the webhook tests' job). */
async function startWebhookReceiver(into: ReceivedWebhook[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          type: string;
          data: Record<string, unknown>;
        };
        into.push({ messageId: String(req.headers['webhook-id']), type: body.type, data: body.data, at: Date.now() });
      } catch {
        // not a webhook: ignored
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
