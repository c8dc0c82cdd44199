// Runs children through the process launcher (process-launcher-main.ts) instead of forking this process.
// `startProcessLauncher()` is for long-lived, large processes (the worker); everything else spawns directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';

export type LauncherRequest =
  | { t: 'run'; id: number; file: string; argv: string[]; cwd?: string }
  | { t: 'kill'; id: number; signal: NodeJS.Signals };

export type LauncherReply =
  | { t: 'spawn'; id: number; pid: number }
  | { t: 'out' | 'err'; id: number; d: string }
  | { t: 'error'; id: number; message: string; code?: string; errno?: number; syscall?: string; path?: string }
  | { t: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

/** The part of a ChildProcess that runProcess uses: stdout/stderr arrive as utf8 strings. */
export interface RunningChild extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdout: EventEmitter;
  readonly stderr: EventEmitter;
  kill(signal: NodeJS.Signals): unknown;
}

/** A child the launcher runs: it emits what a ChildProcess would (spawn, error, exit, close; data on its streams). */
class RemoteChild extends EventEmitter implements RunningChild {
  pid: number | undefined;
  readonly stdout = new EventEmitter();
  readonly stderr = new EventEmitter();
  readonly id: number;
  readonly #launcher: Launcher;
  #done = false;

  constructor(id: number, launcher: Launcher) {
    super();
    this.id = id;
    this.#launcher = launcher;
  }

  kill(signal: NodeJS.Signals) {
    if (!this.#done) this.#launcher.send({ t: 'kill', id: this.id, signal });
  }

  deliver(m: LauncherReply) {
    switch (m.t) {
      case 'spawn':
        this.pid = m.pid;
        this.emit('spawn');
        break;
      case 'out':
        this.stdout.emit('data', m.d);
        break;
      case 'err':
        this.stderr.emit('data', m.d);
        break;
      case 'error': {
        this.#done = true;
        const e = Object.assign(new Error(m.message), {
          code: m.code,
          errno: m.errno,
          syscall: m.syscall,
          path: m.path,
        });
        this.emit('error', e);
        break;
      }
      case 'close':
        this.#done = true;
        this.emit('exit', m.code, m.signal);
        this.emit('close', m.code, m.signal);
        break;
    }
  }
}

class Launcher {
  readonly #process: ChildProcess;
  readonly #running = new Map<number, RemoteChild>();
  #nextId = 1;
  #gone = false;

  constructor(wrapper: readonly string[]) {
    const main = fileURLToPath(new URL('./process-launcher-main.ts', import.meta.url));
    const [file, ...args] = [...wrapper, process.execPath, main];
    this.#process = spawn(file!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    this.#process.on('message', (m: LauncherReply) => this.#running.get(m.id)?.deliver(m));
    this.#process.once('exit', (code, signal) => this.#lost(`the process launcher exited (${signal ?? code})`));
    this.#process.once('error', (e) => this.#lost(`the process launcher failed: ${e.message}`));
    this.#idle();
  }

  get pid() {
    return this.#process.pid;
  }

  get alive() {
    return !this.#gone;
  }

  run(file: string, argv: string[], cwd: string | undefined): RunningChild {
    const child = new RemoteChild(this.#nextId++, this);
    this.#running.set(child.id, child);
    child.once('close', () => this.#finished(child.id));
    child.once('error', () => this.#finished(child.id));
    this.#busy();
    this.send({ t: 'run', id: child.id, file, argv, cwd });
    return child;
  }

  send(m: LauncherRequest) {
    if (!this.#gone) this.#process.send(m);
  }

  kill() {
    this.#process.kill('SIGKILL');
  }

  #finished(id: number) {
    this.#running.delete(id);
    if (this.#running.size === 0) this.#idle();
  }

  // The launcher keeps this process alive only while it runs something.
  #busy() {
    this.#process.ref();
    this.#process.channel?.ref();
  }

  #idle() {
    this.#process.unref();
    this.#process.channel?.unref();
  }

  #lost(reason: string) {
    if (this.#gone) return;
    this.#gone = true;
    if (launcher === this) launcher = null;
    const error = Object.assign(new Error(reason), { code: 'ELAUNCHER' });
    for (const child of this.#running.values())
      child.deliver({ t: 'error', id: child.id, message: error.message, code: error.code });
    this.#running.clear();
  }
}

let launcher: Launcher | null = null;
let wanted: readonly string[] | null = null;

/**
 * From now on runProcess spawns through a small launcher process (started now, and again if it dies).
 * `wrapper` prefixes its command line (the death-signal wrapper, so that it dies with this process).
 */
export function startProcessLauncher(wrapper: readonly string[] = []): { pid: number | undefined } {
  wanted = wrapper;
  launcher ??= new Launcher(wrapper);
  return { pid: launcher.pid };
}

/** Back to spawning directly; the launcher exits (its children with it). */
export function stopProcessLauncher() {
  wanted = null;
  launcher?.kill();
  launcher = null;
}

/** The launcher to run through, if one was started. */
export function processLauncher(): Launcher | null {
  if (wanted === null) return null;
  if (!launcher?.alive) launcher = new Launcher(wanted);
  return launcher;
}

process.on('exit', () => launcher?.kill());
