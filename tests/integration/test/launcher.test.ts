// `pnpm start`'s launcher (packages/dev-services/src/cli/platform.ts) supervises what it starts: a worker killed with
// SIGKILL (as the kernel's OOM killer does) is restarted while the server keeps answering, a crash loop stops the
// platform with a message naming the process, and Ctrl-C still stops everything. Real launcher, real server and
// worker processes, on this file's database and bucket (external services, so the launcher starts no embedded ones).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processEnv, type ServiceConfig } from '@arvlite/config';
import { createTestConfig, spawnListening, waitFor, type ListeningChild } from '@arvlite/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LAUNCHER = path.resolve(import.meta.dirname, '../../../packages/dev-services/src/cli/platform.ts');

let config: ServiceConfig;
const dataDir = mkdtempSync(path.join(tmpdir(), 'arvlite-launcher-'));
const launched: ChildProcess[] = [];

beforeAll(async () => {
  config = await createTestConfig();
});
afterAll(() => {
  for (const child of launched) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function launch(): Promise<ListeningChild<ChildProcess>> {
  const up = await spawnListening(
    (port) => {
      const child = spawn(process.execPath, [LAUNCHER], {
        env: {
          ...processEnv(),
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          DATA_DIR: dataDir,
          DATABASE_URL: config.database.url,
          S3_ENDPOINT: config.s3.endpoint,
          S3_BUCKET: config.s3.bucket,
          S3_ACCESS_KEY_ID: config.s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: config.s3.secretAccessKey,
          SMTP_URL: config.mail.smtpUrl,
          AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      launched.push(child);
      return child;
    },
    { listening: /ARVlite is up at/, timeout: 90_000 },
  );
  return up;
}

/** The pid in the last "<name> started|restarted (pid N)" line, once there are `count` such lines. */
function pidOf(out: () => string, name: string, count: number): Promise<number> {
  const re = new RegExp(`\\[arvlite\\] (?:warn: )?${name} (?:started|restarted) \\(pid (\\d+)\\)`, 'g');
  return waitFor(
    `${name} start #${count}`,
    () => {
      const pids = [...out().matchAll(re)].map((m) => Number(m[1]));
      return pids.length >= count ? pids[count - 1] : undefined;
    },
    { timeout: 60_000 },
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function heartbeatPids(): Promise<number[]> {
  const db = new pg.Client({ connectionString: config.database.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>('SELECT pid FROM worker_heartbeat');
    return rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}

describe('the launcher supervises its processes', () => {
  it('restarts a SIGKILLed worker while the server keeps serving; Ctrl-C then stops everything', async () => {
    const { child: launcher, port, output } = await launch();
    const serverPid = await pidOf(output, 'server', 1);
    const workerPid = await pidOf(output, 'worker', 1);
    await waitFor('the first worker heartbeat', async () => (await heartbeatPids()).includes(workerPid));

    // The server answers throughout: every probe while the worker is down and coming back is a 200.
    const statuses: number[] = [];
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.body?.cancel();
        statuses.push(res.status);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    process.kill(workerPid, 'SIGKILL');
    const newWorkerPid = await pidOf(output, 'worker', 2);
    await waitFor('the restarted worker heartbeat', async () => (await heartbeatPids()).includes(newWorkerPid));
    probing = false;
    await probes;

    expect(newWorkerPid).not.toBe(workerPid);
    expect(output()).toContain(
      '[arvlite] error: worker exited (SIGKILL); restarting it in 1 s (crash 1 of 5 allowed within 60 s)',
    );
    expect(output()).not.toContain('shutting down');
    expect(alive(serverPid)).toBe(true);
    expect(launcher.exitCode).toBeNull();
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s === 200)).toBe(true);

    launcher.kill('SIGINT');
    expect(await exitOf(launcher)).toEqual({ code: 0, signal: null });
    expect(output()).toContain('shutting down (SIGINT)');
    expect([serverPid, newWorkerPid].filter(alive)).toEqual([]);
  }, 180_000);

  it('a crash loop (5 crashes within a minute) stops the platform with a message naming the process', async () => {
    const { child: launcher, output } = await launch();
    const serverPid = await pidOf(output, 'server', 1);
    const workers: number[] = [];
    for (let n = 1; n <= 5; n++) {
      const pid = await pidOf(output, 'worker', n);
      workers.push(pid);
      process.kill(pid, 'SIGKILL');
    }
    expect(await exitOf(launcher)).toEqual({ code: 1, signal: null });
    const out = output();
    // Backoff doubled between the crashes: 1, 2, 4 and 8 s.
    for (const [n, delay] of [
      [1, '1 s'],
      [2, '2 s'],
      [3, '4 s'],
      [4, '8 s'],
    ] as const) {
      expect(out).toContain(`worker exited (SIGKILL); restarting it in ${delay} (crash ${n} of 5 allowed within 60 s)`);
    }
    expect(out).toContain(
      '[arvlite] error: worker exited (SIGKILL): it crashed 5 times within 60 s; not restarting it (a crash loop; see its output above for the cause)',
    );
    expect(out).toContain('shutting down (worker crashed 5 times within 60 s, last: SIGKILL)');
    expect(out.match(/worker (?:started|restarted) \(pid/g)).toHaveLength(5); // no sixth start
    expect([serverPid, ...workers].filter(alive)).toEqual([]);
  }, 180_000);
});
