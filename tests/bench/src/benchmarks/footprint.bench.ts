// Footprint: idle RSS of the server and worker processes, and `pnpm start` (the platform launcher) to /readyz 200.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appEnv, appPaths, startServer, startWorkers, waitForReady } from '../apps.ts';
import { median, round, row, type BenchContext, type Benchmark, type Row } from '../harness.ts';
import { readRss, unlessExited } from '../processes.ts';
import { freePort } from '@arvlite/test-utils/net';

const MiB = 1024 * 1024;

/** Median of a few VmRSS samples taken once the process has settled. */
async function idleRss(pid: number, settleMs: number, samples: number): Promise<{ rss: number; hwm: number }> {
  await sleep(settleMs);
  const rss: number[] = [];
  let hwm = 0;
  for (let i = 0; i < samples; i++) {
    const r = await readRss(pid);
    rss.push(r.rss);
    hwm = Math.max(hwm, r.hwm);
    if (i < samples - 1) await sleep(1_000);
  }
  return { rss: median(rss), hwm };
}

/** Spawns the launcher like `pnpm start` does and times it to the first /readyz 200. */
async function startToReady(ctx: BenchContext, dataDir: string): Promise<{ readyMs: number; stopMs: number }> {
  const [port, pgPort, s3Port, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const t0 = performance.now();
  const child = ctx.processes.spawnNode('platform', appPaths.platform, [], {
    env: appEnv('', '', {
      // Empty service URLs: the launcher starts its own embedded Postgres + s3rver, as `pnpm start` does.
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEV_POSTGRES_PORT: String(pgPort),
      DEV_S3_PORT: String(s3Port),
      // The embedded SMTP server too: its default port may be taken by a dev platform or a test run on this machine.
      DEV_SMTP_PORT: String(smtpPort),
    }),
  });
  try {
    await unlessExited(
      child,
      waitForReady(`http://127.0.0.1:${port}`, {
        timeoutMs: 180_000,
        intervalMs: 25,
        signal: ctx.signal,
      }),
    );
    const readyMs = performance.now() - t0;
    const t1 = performance.now();
    const exit = await child.stop(60_000);
    if (exit.code !== 0)
      throw new Error(`launcher exited with ${exit.signal ?? `code ${exit.code}`}:\n${child.stderrTail()}`);
    return { readyMs, stopMs: performance.now() - t1 };
  } finally {
    await child.stop(60_000);
  }
}

export const footprint: Benchmark = {
  name: 'Footprint',
  feature: 'apps/server, apps/worker, dev-services launcher',
  ours: 'idle RSS of `apps/server` and `apps/worker` (VmRSS after settling); `pnpm start` launcher → first `/readyz` 200',
  baseline: '(absolute)',
  async run(ctx) {
    const settleMs = ctx.quick ? 5_000 : 15_000;
    const samples = ctx.quick ? 3 : 5;
    const databaseUrl = await ctx.services.createDatabase('bench_footprint');
    const rows: Row[] = [];

    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint);
    const [worker] = await startWorkers(ctx.processes, databaseUrl, ctx.services.s3Endpoint, 1);
    try {
      // One request so the server's lazy paths (tRPC router, health check) are loaded, as in real idle.
      await waitForReady(server.baseUrl);
      const [s, w] = await Promise.all([
        idleRss(server.child.pid, settleMs, samples),
        idleRss(worker!.pid, settleMs, samples),
      ]);
      rows.push(
        row({
          benchmark: this.name,
          metric: 'server idle RSS',
          unit: 'MiB',
          ours: round(s.rss / MiB, 1),
          details: { peakRssMiB: round(s.hwm / MiB, 1), settleS: settleMs / 1000 },
        }),
        row({
          benchmark: this.name,
          metric: 'worker idle RSS',
          unit: 'MiB',
          ours: round(w.rss / MiB, 1),
          details: { peakRssMiB: round(w.hwm / MiB, 1), settleS: settleMs / 1000 },
        }),
      );
    } finally {
      await Promise.all([server.child.stop(), worker!.stop()]);
    }

    // Cold: a fresh data dir (initdb + migrations); warm: the same data dir again.
    const runs = ctx.quick ? 1 : 3;
    const cold: number[] = [];
    const warm: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < runs; i++) {
      const dataDir = path.join(ctx.services.dataDir, `platform-${i}`);
      await rm(dataDir, { recursive: true, force: true });
      const c = await startToReady(ctx, dataDir);
      const w = await startToReady(ctx, dataDir);
      cold.push(c.readyMs);
      warm.push(w.readyMs);
      stops.push(c.stopMs, w.stopMs);
      ctx.log(`  start ${i + 1}: cold ${Math.round(c.readyMs)} ms, warm ${Math.round(w.readyMs)} ms`);
      await rm(dataDir, { recursive: true, force: true });
    }
    rows.push(
      row({
        benchmark: this.name,
        metric: '`pnpm start` → ready, fresh data dir',
        unit: 's',
        ours: round(median(cold) / 1000, 2),
        details: {
          runsMs: cold.map(Math.round),
          includes: 'initdb, migrations, server + worker boot',
        },
      }),
      row({
        benchmark: this.name,
        metric: '`pnpm start` → ready, existing data dir',
        unit: 's',
        ours: round(median(warm) / 1000, 2),
        details: { runsMs: warm.map(Math.round), shutdownMs: stops.map(Math.round) },
      }),
    );
    return rows;
  },
};
