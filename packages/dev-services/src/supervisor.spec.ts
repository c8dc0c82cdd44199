import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LogLevel } from './log.ts';
import { backoffDelay, Supervisor, type ExitInfo, type SupervisedRun } from './supervisor.ts';

/** A real child process that exits on its own with `code` (or by `signal`, killed right after it starts). */
function child(script: string, signal?: NodeJS.Signals): SupervisedRun {
  const proc = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const exited = new Promise<ExitInfo>((resolve) => proc.once('exit', (code, sig) => resolve({ code, signal: sig })));
  if (signal) proc.once('spawn', () => proc.kill(signal));
  return { pid: proc.pid, exited };
}

function recorder() {
  const lines: string[] = [];
  return { lines, log: (level: LogLevel, message: string) => lines.push(`${level}: ${message}`) };
}

describe('Supervisor', () => {
  it('restarts a process that died, says why, and stops restarting on stop()', async () => {
    const { lines, log } = recorder();
    const starts: number[] = [];
    let supervisor!: Supervisor;
    const stopped = new Promise<void>((resolve) => {
      supervisor = new Supervisor({
        name: 'worker',
        log,
        initialBackoffMs: 50,
        start: () => {
          starts.push(starts.length);
          // The third run is the healthy one: it stays up until the supervisor is stopped.
          if (starts.length === 3) {
            queueMicrotask(() => {
              supervisor.stop();
              resolve();
            });
            return child('setTimeout(() => {}, 60_000)', 'SIGKILL');
          }
          return starts.length === 1 ? child('process.exit(3)') : child('setTimeout(() => {}, 60_000)', 'SIGKILL');
        },
        onGiveUp: () => expect.unreachable('no crash loop here'),
      });
    });
    const done = supervisor.start();
    await stopped;
    await done;
    expect(starts).toHaveLength(3);
    expect(supervisor.restarts).toBe(2);
    expect(lines).toEqual([
      'error: worker exited (exit code 3); restarting it in 50 ms (crash 1 of 5 allowed within 60 s)',
      'error: worker exited (SIGKILL); restarting it in 100 ms (crash 2 of 5 allowed within 60 s)',
    ]);
  });

  it('gives up after maxCrashes within the window: a crash loop stops with a message naming the process', async () => {
    const { lines, log } = recorder();
    let starts = 0;
    const reasons: string[] = [];
    const supervisor = new Supervisor({
      name: 'server',
      log,
      initialBackoffMs: 1,
      maxBackoffMs: 4,
      start: () => {
        starts += 1;
        return child('process.exit(1)');
      },
      onGiveUp: (reason) => reasons.push(reason),
    });
    await supervisor.start();
    expect(starts).toBe(5);
    expect(reasons).toEqual(['server crashed 5 times within 60 s, last: exit code 1']);
    expect(lines.at(-1)).toBe(
      'error: server exited (exit code 1): it crashed 5 times within 60 s; not restarting it ' +
        '(a crash loop; see its output above for the cause)',
    );
    // Backoff doubled inside the window, capped at maxBackoffMs.
    expect(lines.slice(0, 4).map((l) => /in (\d+ ms)/.exec(l)?.[1])).toEqual(['1 ms', '2 ms', '4 ms', '4 ms']);
  });

  it('counts only the crashes inside the window, and a start that throws as a crash', async () => {
    const { lines, log } = recorder();
    let clock = 0;
    let starts = 0;
    const reasons: string[] = [];
    const supervisor = new Supervisor({
      name: 'dev services',
      log,
      initialBackoffMs: 1,
      maxCrashes: 3,
      windowMs: 1_000,
      now: () => clock,
      start: () => {
        starts += 1;
        // Crashes 1 and 2 at t=0, then crashes 3 to 5 two seconds later: the first two have left the window.
        clock = starts <= 2 ? 0 : 2_000;
        if (starts === 2) throw new Error('port 5433 in use');
        return child('process.exit(2)');
      },
      onGiveUp: (reason) => reasons.push(reason),
    });
    await supervisor.start();
    expect(starts).toBe(5);
    expect(lines[1]).toBe(
      'error: dev services exited (failed to start: port 5433 in use); restarting it in 2 ms (crash 2 of 3 allowed within 1 s)',
    );
    expect(lines[2]).toContain('(crash 1 of 3 allowed within 1 s)');
    expect(reasons).toEqual(['dev services crashed 3 times within 1 s, last: exit code 2']);
  });

  it('doubles the delay per crash in the window up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 1_000, 30_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });
});
