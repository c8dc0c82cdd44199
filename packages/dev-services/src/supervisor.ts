// Keeps one process of the launcher running: when it dies on its own, says why and starts it again after a
// backoff, so one crashed process (a worker killed by the kernel's OOM killer, say) does not take the rest of
// the platform down. A process that keeps crashing is given up on instead of being restarted forever.
import type { Log } from './log.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One run of the supervised process. */
export interface SupervisedRun {
  pid?: number;
  exited: Promise<ExitInfo>;
}

export interface SupervisorOptions {
  /** Used in log lines: "worker exited (SIGKILL); restarting in 1 s". */
  name: string;
  /** Starts one run. A rejection counts as a crash of that run. */
  start: () => SupervisedRun | Promise<SupervisedRun>;
  log: Log;
  /** Called once when the process crashed too often; the supervisor starts nothing more. */
  onGiveUp: (reason: string) => void;
  /** Called after each run started (the first one included). */
  onStarted?: (run: SupervisedRun, restarts: number) => void;
  /** Called after a run ended on its own (before the restart), e.g. to clean up what it left. */
  onCrashed?: (run: SupervisedRun | undefined, exit: ExitInfo | Error) => void | Promise<void>;
  /** First delay before a restart; it doubles with each crash inside the window, up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Crash loop: this many crashes within windowMs stop the restarts. */
  maxCrashes?: number;
  windowMs?: number;
  now?: () => number;
}

export const SUPERVISOR_DEFAULTS = {
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  maxCrashes: 5,
  windowMs: 60_000,
} as const;

export function describeExit(exit: ExitInfo | Error): string {
  if (exit instanceof Error) return `failed to start: ${exit.message}`;
  return exit.signal ?? `exit code ${exit.code}`;
}

/** The delay before the next start, given how many crashes fall inside the window (1 for the first). */
export function backoffDelay(crashesInWindow: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, crashesInWindow - 1));
}

export class Supervisor {
  readonly #options: Required<Omit<SupervisorOptions, 'onStarted' | 'onCrashed'>> &
    Pick<SupervisorOptions, 'onStarted' | 'onCrashed'>;
  readonly #crashes: number[] = [];
  readonly #stop = new AbortController();
  #restarts = 0;
  #current: SupervisedRun | undefined;
  #done: Promise<void> | undefined;

  constructor(options: SupervisorOptions) {
    this.#options = { ...SUPERVISOR_DEFAULTS, now: () => Date.now(), ...options };
  }

  /** The live run, if any. */
  get current(): SupervisedRun | undefined {
    return this.#current;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** Starts the first run and keeps the process running until stop() or a crash loop. */
  start(): Promise<void> {
    this.#done ??= this.#loop();
    return this.#done;
  }

  /** No more restarts; a pending one is cancelled. The caller stops the current run itself. */
  stop(): void {
    this.#stop.abort();
  }

  async #loop(): Promise<void> {
    const o = this.#options;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let run: SupervisedRun | undefined;
      let outcome: ExitInfo | Error;
      try {
        run = await o.start();
        this.#current = run;
        o.onStarted?.(run, this.#restarts);
        outcome = await run.exited;
      } catch (err) {
        outcome = err instanceof Error ? err : new Error(String(err));
      }
      this.#current = undefined;
      if (signal.aborted) return;

      await o.onCrashed?.(run, outcome);
      const now = o.now();
      this.#crashes.push(now);
      while (this.#crashes.length > 0 && now - this.#crashes[0]! > o.windowMs) this.#crashes.shift();
      const why = describeExit(outcome);
      if (this.#crashes.length >= o.maxCrashes) {
        o.log(
          'error',
          `${o.name} exited (${why}): it crashed ${this.#crashes.length} times within ${o.windowMs / 1000} s; ` +
            `not restarting it (a crash loop; see its output above for the cause)`,
        );
        o.onGiveUp(`${o.name} crashed ${this.#crashes.length} times within ${o.windowMs / 1000} s, last: ${why}`);
        return;
      }
      const delay = backoffDelay(this.#crashes.length, o.initialBackoffMs, o.maxBackoffMs);
      o.log(
        'error',
        `${o.name} exited (${why}); restarting it in ${formatSeconds(delay)} ` +
          `(crash ${this.#crashes.length} of ${o.maxCrashes} allowed within ${o.windowMs / 1000} s)`,
      );
      await abortableSleep(delay, signal);
      this.#restarts += 1;
    }
  }
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
