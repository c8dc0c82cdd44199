// Runs ffmpeg/ffprobe as child processes that never outlive their caller, and turns `-progress` output into percentages.
import { spawn, spawnSync } from 'node:child_process';
import { MediaProcessError, MediaTimeoutError } from './media-errors.ts';
import { processLauncher, startProcessLauncher, stopProcessLauncher, type RunningChild } from './process-launcher.ts';

export interface RunOptions {
  signal?: AbortSignal;
  /** Wall-clock limit: past it the child is killed (SIGTERM, then SIGKILL) and the run rejects with MediaTimeoutError. */
  timeoutMs?: number;
  /** How long a child gets to exit after SIGTERM before it is sent SIGKILL. */
  killGraceMs?: number;
  cwd?: string;
  /** Called once the child is running; tests use the pid to check that it is gone. */
  onSpawn?: (pid: number) => void;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Keep stdout in the result (ffprobe JSON). Capped, so a chatty child cannot exhaust memory. */
  collectStdout?: boolean;
  /**
   * On Linux, the child gets SIGKILL from the kernel when this process dies, even by SIGKILL,
   * which no exit handler can catch. Off only for the binary probe, where a missing command must
   * surface as ENOENT rather than as the wrapper's exit code.
   */
  dieWithParent?: boolean;
}

export interface RunResult {
  stdout: string;
  /** The last lines of stderr, for error messages and logs. */
  stderrTail: string;
}

const MAX_STDOUT_CHARS = 64 * 1024 * 1024;
const STDERR_TAIL_LINES = 30;

const liveChildren = new Set<RunningChild>();
let exitHookInstalled = false;

/** A process exit (normal, or process.exit from a signal handler) takes every running child with it. */
function trackChild(child: RunningChild) {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

let pdeathsigWrapper: string | null | undefined;

/** util-linux `setpriv --pdeathsig` sets PR_SET_PDEATHSIG and then execs the command in place (same pid). */
function deathSignalWrapper(): string | null {
  if (pdeathsigWrapper !== undefined) return pdeathsigWrapper;
  pdeathsigWrapper = null;
  if (process.platform === 'linux') {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], {
      stdio: 'ignore',
      timeout: 5000,
    });
    if (probe.status === 0) pdeathsigWrapper = 'setpriv';
  }
  return pdeathsigWrapper;
}

/**
 * Spawn every later child (with the death-signal wrapper) through a launcher process (bare Node) instead of forking this
 * one: for a process holding hundreds of MiB, each fork costs tens of milliseconds of CPU (process-launcher-main.ts).
 * The launcher dies with this process, and its children with it. Runs without the wrapper still spawn directly.
 */
export function useProcessLauncher(): { pid: number | undefined } {
  const wrapper = deathSignalWrapper();
  return startProcessLauncher(wrapper ? [wrapper, '--pdeathsig', 'KILL'] : []);
}

export { stopProcessLauncher };

export function abortError(what: string, reason: unknown): Error {
  const err = new Error(`${what} was aborted`, { cause: reason });
  err.name = 'AbortError';
  return err;
}

function lineSplitter(onLine: (line: string) => void) {
  let rest = '';
  return {
    push(chunk: string) {
      const parts = (rest + chunk).split(/\r?\n|\r/);
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/**
 * Runs a command to completion. Resolves on exit code 0; rejects with MediaProcessError otherwise,
 * or with an AbortError once the child has actually exited after the signal fired.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, killGraceMs = 5000, collectStdout = true } = options;
  const label = command.split('/').at(-1) ?? command;
  if (signal?.aborted) return Promise.reject(abortError(label, signal.reason));

  const wrapper = options.dieWithParent === false ? null : deathSignalWrapper();
  const [file, argv] = wrapper ? [wrapper, ['--pdeathsig', 'KILL', command, ...args]] : [command, [...args]];

  return new Promise<RunResult>((resolve, reject) => {
    const launcher = wrapper ? processLauncher() : null;
    let child: RunningChild;
    if (launcher) child = launcher.run(file, argv, options.cwd);
    else {
      const direct = spawn(file, argv, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      direct.stdout.setEncoding('utf8');
      direct.stderr.setEncoding('utf8');
      child = direct;
    }
    trackChild(child);

    let stdout = '';
    const stderrLines: string[] = [];
    let killTimer: NodeJS.Timeout | undefined;
    let aborted = false;
    let timedOut = false;

    const out = lineSplitter((line) => options.onStdoutLine?.(line));
    const err = lineSplitter((line) => {
      stderrLines.push(line);
      if (stderrLines.length > STDERR_TAIL_LINES) stderrLines.shift();
      options.onStderrLine?.(line);
    });

    child.stdout.on('data', (chunk: string) => {
      if (collectStdout && stdout.length < MAX_STDOUT_CHARS) stdout += chunk;
      if (options.onStdoutLine) out.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => err.push(chunk));

    const onAbort = () => {
      aborted = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const deadline =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
          }, options.timeoutMs)
        : undefined;

    child.once('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });

    const cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      clearTimeout(deadline);
    };

    child.once('error', (e) => {
      cleanup();
      reject(e);
    });

    child.once('close', (code, exitSignal) => {
      cleanup();
      out.end();
      err.end();
      const stderrTail = stderrLines.join('\n');
      if (aborted) reject(abortError(label, signal?.reason));
      else if (timedOut) reject(new MediaTimeoutError(label, options.timeoutMs!));
      else if (code === 0) resolve({ stdout, stderrTail });
      else reject(new MediaProcessError(label, code, exitSignal, stderrTail));
    });
  });
}

export interface ProgressOptions {
  /** Called with 0–100; the last call is always 100 when the run succeeds. */
  onProgress?: (percent: number) => void;
  /** Minimum time between two calls, except for the final 100. */
  progressIntervalMs?: number;
}

/**
 * Parses ffmpeg's `-progress` key=value blocks. Percent is output time over the known duration,
 * held below 100 until ffmpeg reports `progress=end`.
 */
export function createProgressParser(
  durationS: number,
  onProgress: (percent: number) => void,
  intervalMs = 500,
  now: () => number = Date.now,
) {
  let outTimeS = 0;
  let lastEmitAt = -Infinity;
  let lastPercent = -1;

  const emit = (percent: number, force: boolean) => {
    if (percent <= lastPercent) return;
    if (!force && now() - lastEmitAt < intervalMs) return;
    lastEmitAt = now();
    lastPercent = percent;
    onProgress(percent);
  };

  return {
    line(line: string) {
      const eq = line.indexOf('=');
      if (eq < 0) return;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      // out_time_ms is in microseconds too (a historical ffmpeg misnomer); ffmpeg 4.1 lacks out_time_us.
      if (key === 'out_time_us' || key === 'out_time_ms') {
        const us = Number(value);
        if (Number.isFinite(us) && us >= 0) outTimeS = us / 1e6;
      } else if (key === 'progress') {
        if (value === 'end') emit(100, true);
        else if (durationS > 0) {
          const raw = Math.min(99.9, (outTimeS / durationS) * 100);
          emit(Math.max(0, Math.floor(raw * 10) / 10), false);
        }
      }
    },
    /** For runs whose ffmpeg exited cleanly without a final block. */
    finish() {
      emit(100, true);
    },
  };
}

export interface FfmpegRunOptions extends RunOptions, ProgressOptions {
  /** Duration of the media being written, for percentages. */
  durationS?: number;
}

/**
 * Runs ffmpeg with the flags every call wants: no stdin, no banner, overwrite, and progress on
 * stdout when a callback is given.
 */
export async function runFfmpeg(ffmpeg: string, args: readonly string[], options: FfmpegRunOptions = {}) {
  const { onProgress, durationS = 0, progressIntervalMs = 500, ...run } = options;
  const base = ['-hide_banner', '-nostdin', '-nostats', '-y'];
  if (!onProgress) return runProcess(ffmpeg, [...base, ...args], run);

  const parser = createProgressParser(durationS, onProgress, progressIntervalMs);
  const result = await runProcess(ffmpeg, [...base, '-progress', 'pipe:1', ...args], {
    ...run,
    collectStdout: false,
    onStdoutLine: (line) => {
      parser.line(line);
      run.onStdoutLine?.(line);
    },
  });
  parser.finish();
  return result;
}
