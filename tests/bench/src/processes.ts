// Child processes the bench starts (apps, baseline servers, load generators): tracked so that every one is
// stopped at the end, on failure and on Ctrl-C. Each runs in its own process group, so a terminal Ctrl-C
// reaches only the bench, which then stops them in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './services.ts';

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  name: string;
  pid: number;
  process: ChildProcess;
  exited: Promise<ExitResult>;
  running(): boolean;
  /** Last lines of stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL to the whole group after graceMs. */
  stop(graceMs?: number): Promise<ExitResult>;
}

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  /** 'pipe' hands stdout lines to onStdout; 'ignore' sends them to /dev/null (cheapest for chatty children). */
  stdout?: 'ignore' | 'pipe';
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** An IPC channel: our apps exit on their own when it disconnects (i.e. when the bench dies). */
  ipc?: boolean;
  nodeArgs?: string[];
}

export interface ProcessRegistry {
  spawnNode(name: string, script: string, args: string[], opts: SpawnOptions): ChildHandle;
  stopAll(): Promise<void>;
}

export function createProcessRegistry(): ProcessRegistry {
  const live = new Set<ChildHandle>();

  function spawnNode(name: string, script: string, args: string[], opts: SpawnOptions): ChildHandle {
    const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
      cwd: repoRoot,
      env: opts.env,
      stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
      detached: true,
    });
    const tail: string[] = [];
    const exited = new Promise<ExitResult>((resolve) => {
      proc.once('exit', (code, signal) => resolve({ code, signal }));
      proc.once('error', () => {
        if (proc.pid === undefined) resolve({ code: null, signal: null });
      });
    });
    if (proc.stdout) {
      createInterface({ input: proc.stdout }).on('line', (line) => opts.onStdout?.(line));
    }
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      opts.onStderr?.(line);
    });
    const running = () => proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null;
    let stopping: Promise<ExitResult> | undefined;
    const handle: ChildHandle = {
      name,
      pid: proc.pid ?? -1,
      process: proc,
      exited,
      running,
      stderrTail: () => tail.join('\n'),
      stop(graceMs = 30_000) {
        stopping ??= (async () => {
          if (running()) {
            proc.kill('SIGTERM');
            const timedOut = Symbol('timeout');
            const result = await Promise.race([exited, sleep(graceMs, timedOut)]);
            if (result === timedOut) {
              try {
                process.kill(-proc.pid!, 'SIGKILL');
              } catch {
                proc.kill('SIGKILL');
              }
            }
          }
          return exited;
        })();
        return stopping;
      },
    };
    live.add(handle);
    void exited.then(() => live.delete(handle));
    return handle;
  }

  return {
    spawnNode,
    async stopAll() {
      await Promise.all([...live].map((c) => c.stop(20_000)));
    },
  };
}

/** Resident set size in bytes, from /proc (Linux). */
export async function readRss(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`${field} missing from /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Rejects if the child exits before `promise` settles, with its stderr tail. */
export function unlessExited<T>(child: ChildHandle, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    child.exited.then(({ code, signal }) => {
      throw new Error(`${child.name} exited (${signal ?? `code ${code}`}) early:\n${child.stderrTail()}`);
    }),
  ]);
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export async function readCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may itself contain spaces); utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  // USER_HZ is 100 on every Linux ABI Node supports.
  return ticks * 10;
}

/** Bytes a process has passed to write-like system calls so far (sockets included): /proc/<pid>/io `wchar`. */
export async function readWrittenBytes(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  const m = /^wchar:\s+(\d+)/m.exec(io);
  if (!m) throw new Error(`wchar missing from /proc/${pid}/io`);
  return Number(m[1]);
}

/** CPU time (user + system) of a process's children that have exited and been waited for, in ms: e.g. ffmpeg runs. */
export async function readChildrenCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** The worker's process launcher (packages/media/src/process-launcher-main.ts), if it has one: a direct child. */
export async function launcherPid(workerPid: number): Promise<number | null> {
  for (const t of await readdir(`/proc/${workerPid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${workerPid}/task/${t}/children`, 'utf8').catch(() => '');
    for (const c of text.split(' ').filter(Boolean).map(Number)) {
      const cmdline = await readFile(`/proc/${c}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('process-launcher-main')) return c;
    }
  }
  return null;
}

/**
 * A worker's CPU so far, split in two: `ownMs` is the worker's own and its process launcher's (both are overhead
 * around ffmpeg), `childrenMs` the exited children of either (ffmpeg and ffprobe runs). Without a launcher, the
 * worker's children are ffmpeg's.
 */
export async function readWorkerCpuMs(workerPid: number): Promise<{ ownMs: number; childrenMs: number }> {
  const launcher = await launcherPid(workerPid);
  const pids = launcher === null ? [workerPid] : [workerPid, launcher];
  let [ownMs, childrenMs] = [0, 0];
  for (const pid of pids) {
    ownMs += await readCpuMs(pid);
    childrenMs += await readChildrenCpuMs(pid);
  }
  return { ownMs, childrenMs };
}
