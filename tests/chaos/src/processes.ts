// Real apps/server and apps/worker processes for the chaos cluster. Each runs in its own process group with an IPC
// channel (our apps exit when it disconnects, so a crashed test run leaves nothing behind) and can be SIGKILLed or
// stopped gracefully and started again with the same environment. Its stdout (the JSON log lines) and stderr go to a
// log file of its own, kept after the run, so a failed scenario can say what the apps were doing.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@arvlite/test-utils/net';
import { repoRoot } from './services.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  readonly kind: 'server' | 'worker';
  /** server-0, worker-2, … */
  readonly name: string;
  readonly pid: number;
  /** Servers only: http://127.0.0.1:<port> straight to this process (no load balancer). */
  readonly url: string | undefined;
  readonly running: boolean;
  readonly exited: Promise<Exit>;
  /** Every exit this slot has seen (kills included), oldest first. */
  readonly exits: Exit[];
  /** Last stderr lines (warnings and errors: the apps run at LOG_LEVEL=warn). */
  stderrTail(): string;
  /** The file this slot's stdout and stderr go to, every launch appended (undefined when started without one). */
  readonly logFile: string | undefined;
  /** The log file's last `lines` lines. */
  logTail(lines?: number): Promise<string>;
  /** SIGKILL to the whole process group (its ffmpeg children too); resolves once it is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM and wait (SIGKILL after graceMs). */
  stop(graceMs?: number): Promise<Exit>;
  /** Starts the same app again with the same environment (a server gets the same port when it is still free). */
  restart(): Promise<void>;
}

const SERVER_MAIN = path.join(repoRoot, 'apps/server/src/main.ts');
const WORKER_MAIN = path.join(repoRoot, 'apps/worker/src/main.ts');

interface Spawned {
  child: ChildProcess;
  exited: Promise<Exit>;
  tail: string[];
}

function spawnApp(main: string, env: NodeJS.ProcessEnv, logFile?: string, onStderr?: (line: string) => void): Spawned {
  // stdout straight into the file (the child writes it, nothing passes through us); stderr through us into the same.
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  const child = spawn(process.execPath, [main], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', fd ?? 'ignore', 'pipe', 'ipc'],
    detached: true,
  });
  if (fd !== undefined) {
    appendFileSync(fd, `--- ${new Date().toISOString()} started pid ${child.pid}\n`);
    closeSync(fd);
  }
  const note = (line: string) => {
    if (logFile) appendFileSync(logFile, `${line}\n`);
  };
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
    note(`[stderr] ${line}`);
    onStderr?.(line);
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      note(`--- ${new Date().toISOString()} pid ${child.pid} exited (code ${code}, signal ${signal})`);
      resolve({ code, signal });
    }),
  );
  return { child, exited, tail };
}

async function fileTail(file: string | undefined, lines: number): Promise<string> {
  if (!file) return '';
  const fh = await open(file, 'r').catch(() => null);
  if (!fh) return '';
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    return buf
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } finally {
    await fh.close();
  }
}

function alive(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

async function waitHealthy(url: string, spawned: Spawned, timeoutMs = 90_000): Promise<'up' | 'in-use'> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!alive(spawned.child)) {
      await spawned.exited;
      return spawned.tail.some((l) => l.includes('EADDRINUSE')) ? 'in-use' : Promise.reject(startFailure(spawned));
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return 'up';
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  killGroup(spawned.child, 'SIGKILL');
  throw new Error(`server at ${url} not healthy within ${timeoutMs} ms\n${spawned.tail.join('\n')}`);
}

function startFailure(spawned: Spawned): Error {
  return new Error(`process exited before it was up\n${spawned.tail.join('\n')}`);
}

export interface StartAppOptions {
  name: string;
  env: NodeJS.ProcessEnv;
  /** Where the app's stdout and stderr go (appended). */
  logFile?: string;
  onStderr?: (line: string) => void;
  /** Workers: resolves once the worker has written its heartbeat row (the fixture passes a DB check). */
  workerUp?: (pid: number) => Promise<void>;
}

export async function startServer(opts: StartAppOptions): Promise<AppProcess> {
  let port = await freePort();
  let url = `http://127.0.0.1:${port}`;
  let current: Spawned;
  const exits: Exit[] = [];
  const launch = async (keepPort: boolean) => {
    for (let attempt = 1; ; attempt++) {
      if (!keepPort || attempt > 1) {
        port = await freePort();
        url = `http://127.0.0.1:${port}`;
      }
      current = spawnApp(
        SERVER_MAIN,
        { ...opts.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: opts.env.PUBLIC_URL ?? url },
        opts.logFile,
        opts.onStderr,
      );
      void current.exited.then((e) => exits.push(e));
      if ((await waitHealthy(url, current)) === 'up') return;
      if (attempt >= 5) throw new Error(`${opts.name}: port in use 5 times`);
    }
  };
  await launch(false);
  return appHandle(
    'server',
    opts.name,
    () => current,
    exits,
    () => url,
    () => launch(true),
    opts.logFile,
  );
}

export async function startWorker(opts: StartAppOptions): Promise<AppProcess> {
  let current: Spawned;
  const exits: Exit[] = [];
  const launch = async () => {
    current = spawnApp(WORKER_MAIN, opts.env, opts.logFile, opts.onStderr);
    void current.exited.then((e) => exits.push(e));
    if (opts.workerUp) {
      const up = opts.workerUp(current.child.pid!);
      const died = current.exited.then(() => Promise.reject(startFailure(current)));
      await Promise.race([up, died]);
    }
  };
  await launch();
  return appHandle(
    'worker',
    opts.name,
    () => current,
    exits,
    () => undefined,
    launch,
    opts.logFile,
  );
}

function appHandle(
  kind: 'server' | 'worker',
  name: string,
  current: () => Spawned,
  exits: Exit[],
  url: () => string | undefined,
  relaunch: () => Promise<void>,
  logFile: string | undefined,
): AppProcess {
  return {
    kind,
    name,
    get pid() {
      return current().child.pid ?? -1;
    },
    get url() {
      return url();
    },
    get running() {
      return alive(current().child);
    },
    get exited() {
      return current().exited;
    },
    exits,
    stderrTail: () => current().tail.join('\n'),
    logFile,
    logTail: (lines = 40) => fileTail(logFile, lines),
    async kill() {
      const c = current();
      if (alive(c.child)) killGroup(c.child, 'SIGKILL');
      return c.exited;
    },
    async stop(graceMs = 30_000) {
      const c = current();
      if (alive(c.child)) {
        c.child.kill('SIGTERM');
        const timedOut = Symbol('timeout');
        if ((await Promise.race([c.exited, sleep(graceMs, timedOut)])) === timedOut) killGroup(c.child, 'SIGKILL');
      }
      return c.exited;
    },
    async restart() {
      if (alive(current().child)) throw new Error(`${name} is still running`);
      await relaunch();
    },
  };
}

/**
 * Every process under `pid`, children first. Walks /proc: process groups do not tell (the embedded Postgres launcher's
 * children run in groups of their own), and with `MEDIA_PROCESS_LAUNCHER` a worker's ffmpeg is its grandchild.
 */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}
