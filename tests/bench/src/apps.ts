// Starts the real apps (apps/server, apps/worker) as child processes against the bench services.
import path from 'node:path';
import { processEnv } from '@arvlite/config';
import { waitFor } from './harness.ts';
import { unlessExited, type ChildHandle, type ProcessRegistry } from './processes.ts';
import { freePort } from '@arvlite/test-utils/net';
import { repoRoot } from './services.ts';
import pg from 'pg';

export const appPaths = {
  server: path.join(repoRoot, 'apps/server/src/main.ts'),
  worker: path.join(repoRoot, 'apps/worker/src/main.ts'),
  platform: path.join(repoRoot, 'packages/dev-services/src/cli/platform.ts'),
};

export function appEnv(databaseUrl: string, s3Endpoint: string, extra: Record<string, string> = {}) {
  return {
    ...processEnv(),
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    S3_ENDPOINT: s3Endpoint,
    ...extra,
  };
}

/** Resolves once /readyz answers 200. */
export async function waitForReady(
  baseUrl: string,
  opts: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
) {
  await waitFor(
    `${baseUrl}/readyz`,
    async () => {
      try {
        const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        return res.status === 200;
      } catch {
        return false;
      }
    },
    {
      timeoutMs: opts.timeoutMs ?? 120_000,
      intervalMs: opts.intervalMs ?? 50,
      signal: opts.signal,
    },
  );
}

export async function startServer(
  processes: ProcessRegistry,
  databaseUrl: string,
  s3Endpoint: string,
  opts: { name?: string; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<{ child: ChildHandle; baseUrl: string }> {
  const port = await freePort();
  const child = processes.spawnNode(opts.name ?? 'server', appPaths.server, [], {
    env: appEnv(databaseUrl, s3Endpoint, {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...opts.env,
    }),
    ipc: true,
    nodeArgs: opts.nodeArgs,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await unlessExited(child, waitForReady(baseUrl));
  return { child, baseUrl };
}

/** Starts worker processes and resolves once each has written its heartbeat row. */
export async function startWorkers(
  processes: ProcessRegistry,
  databaseUrl: string,
  s3Endpoint: string,
  count: number,
  opts: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<ChildHandle[]> {
  const children = Array.from({ length: count }, (_, i) =>
    processes.spawnNode(`worker-${i + 1}`, appPaths.worker, [], {
      env: appEnv(databaseUrl, s3Endpoint, opts.env),
      ipc: true,
      // LOG_LEVEL=warn keeps it quiet; errors show in the stderr tail.
      stdout: 'ignore',
      nodeArgs: opts.nodeArgs,
    }),
  );
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const pids = children.map((c) => c.pid);
    const ready = waitFor(`${count} worker heartbeat(s)`, async () => {
      const { rows } = await db.query<{ n: number }>(
        // last_seen_at moves past started_at on the first beat, which follows graphile-worker's run().
        'select count(*)::int as n from worker_heartbeat where pid = any($1::int[]) and stopped_at is null and last_seen_at > started_at',
        [pids],
      );
      return rows[0]!.n === count;
    });
    await Promise.race(children.map((c) => unlessExited(c, ready)));
  } finally {
    await db.end();
  }
  return children;
}

const BASELINE_SERVER = path.join(import.meta.dirname, 'baseline-server.ts');

/** Runs src/baseline-server.ts with the routes exported as `exportName` from `routesModule`. */
export async function startBaselineServer(
  processes: ProcessRegistry,
  databaseUrl: string,
  routesModule: string,
  exportName: string,
  opts: { name?: string; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<{ child: ChildHandle; baseUrl: string }> {
  const port = await freePort();
  const child = processes.spawnNode(opts.name ?? 'baseline-server', BASELINE_SERVER, [routesModule, exportName], {
    env: appEnv(databaseUrl, '', { PORT: String(port), HOST: '127.0.0.1', ...opts.env }),
    ipc: true,
    nodeArgs: opts.nodeArgs,
  });
  const ready = new Promise<void>((resolve) => {
    child.process.on('message', (m) => {
      if ((m as { ready?: boolean }).ready) resolve();
    });
  });
  await unlessExited(child, ready);
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}
