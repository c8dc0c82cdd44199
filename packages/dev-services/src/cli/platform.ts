// `pnpm start` (and `pnpm dev`, which adds --watch): runs the whole platform locally.
//
//  1. dev services (embedded Postgres + s3rver) unless DATABASE_URL and S3_ENDPOINT are set;
//     with both external, only the bucket/CORS setup is attempted (a failure only warns)
//  2. database migrations (packages/db/src/cli/migrate.ts), which must succeed
//  3. apps/server and apps/worker as child processes (node --watch with --watch)
//  4. "ARVlite is up at …" once the server's /readyz answers 200
//
// The launcher supervises the server, the worker and the dev services (src/supervisor.ts): one that dies on its
// own is logged with why (exit code or signal) and started again after a backoff (1 s, doubling up to 30 s) while
// the others keep serving; 5 crashes of one process within 60 s is a crash loop, which stops the platform with a
// message naming it instead of restarting it forever.
//
// Children run in their own process groups so a terminal Ctrl-C reaches only this launcher,
// which shuts down in order: server and worker (SIGTERM, SIGKILL after 20 s), then the dev
// services, and exits 0 (so `pnpm start` prints no error for a Ctrl-C). A second Ctrl-C kills server and worker
// right away.
// Relative DATA_DIR is resolved against the repository root.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, processEnv, type Config } from '@arvlite/config';
import {
  ensureBucket,
  lanS3Endpoint,
  loadOrCreateSecrets,
  platformSecretEnv,
  redact,
  spawnDevServices,
  type DevServicesProcess,
} from '../index.ts';
import { createStderrLog } from '../log.ts';
import { Supervisor, type SupervisedRun } from '../supervisor.ts';

const STOP_GRACE_MS = 20_000;

const watch = process.argv.slice(2).includes('--watch');
const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const paths = {
  migrate: path.join(repoRoot, 'packages/db/src/cli/migrate.ts'),
  server: path.join(repoRoot, 'apps/server/src/main.ts'),
  worker: path.join(repoRoot, 'apps/worker/src/main.ts'),
};

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  process.stderr.write(`[arvlite] ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}
const log = createStderrLog(config.logLevel === 'silent' ? 'error' : config.logLevel, '[arvlite] ');

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<Child>();
const startupAbort = new AbortController();
let servicesStartup: Promise<DevServicesProcess> | undefined;
let stopping = false;
let signalCount = 0;
const supervisors: Supervisor[] = [];

function run(name: string, args: string[], env: Record<string, string | undefined>): Child {
  const proc = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const child: Child = {
    name,
    process: proc,
    exited: new Promise((resolve) => {
      proc.once('exit', (code, signal) => resolve({ code, signal }));
      proc.once('error', (err) => {
        log('error', `could not start ${name}: ${err.message}`);
        resolve({ code: null, signal: null });
      });
    }),
  };
  children.add(child);
  void child.exited.then(() => children.delete(child));
  return child;
}

function isRunning(proc: ChildProcess): boolean {
  return proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null;
}

/** Kills the child's whole process group (covers node --watch and its restarted app). */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (!isRunning(proc)) return;
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    proc.kill(signal);
  }
}

async function terminate(child: Child): Promise<void> {
  if (!isRunning(child.process)) return;
  child.process.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  const result = await Promise.race([child.exited, sleep(STOP_GRACE_MS, timedOut)]);
  if (result === timedOut) {
    log('warn', `${child.name} did not exit within ${STOP_GRACE_MS / 1000} s; killing it`);
    killGroup(child.process, 'SIGKILL');
    await child.exited;
  }
}

async function shutdown(code: number, reason: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    log(code === 0 ? 'info' : 'error', `shutting down (${reason})`);
    startupAbort.abort();
    for (const supervisor of supervisors) supervisor.stop();
    await Promise.all([...children].map((c) => terminate(c)));
    // If startup was aborted this settles once the services child has exited.
    const services = await servicesStartup?.catch(() => undefined);
    if (services) {
      try {
        await services.stop();
      } catch (err) {
        log('error', `stopping dev services failed: ${errorMessage(err)}`);
        code ||= 1;
      }
    }
    process.exit(code);
  }
  return new Promise<never>(() => {}); // the first shutdown() exits the process
}

let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A terminal's Ctrl-C reaches us twice when a package manager runs us: from the terminal, and forwarded by pnpm
    // (which sends its child SIGINT when it gets one). Only a signal a second later is a second Ctrl-C.
    if (signalCount > 0 && performance.now() - firstSignalAt < 1000) return;
    signalCount += 1;
    if (signalCount === 1) {
      firstSignalAt = performance.now();
      void shutdown(0, signal);
    } else {
      log('warn', `${signal} again: killing server and worker now`);
      for (const child of children) {
        if (child.name !== 'migrate') killGroup(child.process, 'SIGKILL');
      }
    }
  });
}

async function startServices(secretEnv: Record<string, string>): Promise<{ databaseUrl: string; s3Endpoint: string }> {
  const dataDir = path.resolve(repoRoot, config.dataDir);
  if (config.database.url && config.s3.endpoint) {
    try {
      await ensureBucket({
        endpoint: config.s3.endpoint,
        region: config.s3.region,
        bucket: config.s3.bucket,
        accessKeyId: config.s3.accessKeyId,
        secretAccessKey: config.s3.secretAccessKey,
        forcePathStyle: config.s3.forcePathStyle,
        corsOrigins: config.http.corsOrigins,
      });
    } catch (err) {
      log(
        'warn',
        `could not create/configure bucket ${config.s3.bucket} at ${config.s3.endpoint}: ${errorMessage(err)} (continuing)`,
      );
    }
    return { databaseUrl: config.database.url, s3Endpoint: config.s3.endpoint };
  }

  log('info', `starting dev services (data in ${dataDir})`);
  const spawnServices = () =>
    (servicesStartup = spawnDevServices({
      dataDir,
      postgresPort: config.devServices.postgresPort,
      s3Port: config.devServices.s3Port,
      env: secretEnv,
      detached: true,
      signal: startupAbort.signal,
    }));
  let first: DevServicesProcess | undefined = await spawnServices();
  const services = first;
  supervise({
    name: 'dev services',
    start: async () => {
      if (first) {
        const run = first;
        first = undefined;
        return run;
      }
      return spawnServices();
    },
    // The services process leads its own process group, Postgres included: a crashed one may leave its Postgres
    // running, holding the port and the data directory. Take the whole group down before starting it again.
    onCrashed: (run) => {
      if (run?.pid === undefined) return;
      try {
        process.kill(-run.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    },
  });
  return services;
}

/** Runs `start` under a Supervisor: restarted with backoff when it dies; a crash loop stops the platform. */
function supervise(options: {
  name: string;
  start: () => SupervisedRun | Promise<SupervisedRun>;
  onCrashed?: (run: SupervisedRun | undefined) => void;
}): void {
  const supervisor = new Supervisor({
    ...options,
    log,
    onStarted: (run, restarts) => {
      if (restarts > 0) log('warn', `${options.name} restarted (pid ${run.pid})`);
      else log('info', `${options.name} started (pid ${run.pid})`);
    },
    onGiveUp: (reason) => void shutdown(1, reason),
  });
  supervisors.push(supervisor);
  void supervisor.start();
}

async function waitUntilReady(): Promise<void> {
  const { host, port } = config.http;
  if (port === 0) {
    log('warn', 'PORT=0: cannot tell when the server is ready');
    return;
  }
  const probeHost =
    host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${probeHost}:${port}/readyz`;
  const started = Date.now();
  let warned = false;
  // The server may crash and be restarted meanwhile: wait for whichever server process answers.
  while (!stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) {
        // The development mailbox (apps/server) exists only with the embedded SMTP server, outside production.
        const mailbox =
          config.mail.embedded && config.env !== 'production'
            ? `Development mailbox: ${config.http.publicUrl}/dev/mailbox\n`
            : '';
        process.stdout.write(`\nARVlite is up at ${config.http.publicUrl}\n${mailbox}\n`);
        return;
      }
    } catch {
      // not listening yet
    }
    if (!warned && Date.now() - started > 60_000) {
      warned = true;
      log('warn', `still waiting for ${url} to return 200…`);
    }
    await sleep(300);
  }
}

async function main(): Promise<void> {
  for (const [name, file] of Object.entries(paths)) {
    if (!existsSync(file)) throw new Error(`${name} entry point not found: ${file}`);
  }

  // Random secrets from the data directory (made on first start): the root of the token, /media and viewer-hash keys
  // unless AUTH_JWT_SECRET is set, and the embedded S3's key pair when it listens beyond loopback.
  const secrets = await loadOrCreateSecrets(path.resolve(repoRoot, config.dataDir));
  const secretEnv = platformSecretEnv(config, secrets, { embeddedS3: !config.s3.endpoint });
  const { databaseUrl, s3Endpoint } = await startServices(secretEnv);
  if (stopping) return;
  log('info', `database ${redact(databaseUrl)}, S3 ${s3Endpoint}`);

  const env: Record<string, string | undefined> = {
    ...processEnv(),
    ...secretEnv,
    DATA_DIR: path.resolve(repoRoot, config.dataDir),
    DATABASE_URL: databaseUrl,
    S3_ENDPOINT: s3Endpoint,
    // An explicit S3_PUBLIC_ENDPOINT wins; the embedded S3 follows a PUBLIC_URL on a LAN address.
    S3_PUBLIC_ENDPOINT:
      processEnv().S3_PUBLIC_ENDPOINT ||
      (config.s3.endpoint ? undefined : lanS3Endpoint(s3Endpoint, config.http.publicUrl)),
  };

  log('info', 'running migrations');
  const migrate = run('migrate', [paths.migrate], env);
  const result = await migrate.exited;
  if (stopping) return;
  if (result.code !== 0) {
    await shutdown(1, `migrations failed (${result.signal ?? `exit code ${result.code}`})`);
  }

  const watchArgs = watch ? ['--watch', '--watch-preserve-output'] : [];
  for (const name of ['server', 'worker'] as const) {
    supervise({
      name,
      start: () => {
        const child = run(name, [...watchArgs, paths[name]], env);
        return { pid: child.process.pid, exited: child.exited };
      },
    });
  }
  await waitUntilReady();
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

main().catch((err: unknown) => {
  if (stopping) return;
  log('error', errorMessage(err));
  void shutdown(1, 'startup failed');
});
