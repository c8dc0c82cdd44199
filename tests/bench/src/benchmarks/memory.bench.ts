// Memory: the server's RSS idle and under a saturating authenticated read, and the worker's RSS while it encodes a
// 1080p clip's whole ladder. Absolute rows, each with a target proposed from the measurement (BENCHMARKS.md, Memory).
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startServer, startWorkers } from '../apps.ts';
import { median, round, row, waitFor, type Benchmark, type Row } from '../harness.ts';
import { autocannon } from '../load.ts';
import { standardClip } from '../pipeline/clip.ts';
import { readRss } from '../processes.ts';
import { signUpTenant } from '../tenant.ts';

const MiB = 1024 * 1024;

/**
 * The targets, proposed from the first three quick runs (2026-12-07, load average 2.7-12; BENCHMARKS.md, Memory):
 * about 10% over the highest of each. Server idle 255-258 MiB, worker during a 10 s 1080p ladder 296-306 MiB.
 * Server under load: 640 MiB, about 10% over the 571-573 MiB of the two runs that went furthest (the full run and a
 * probed one). The peak is V8's heap before its next major GC: a 128 MiB young generation (64 MiB semi-spaces on a
 * 23.5 GiB machine) and promoted request garbage in the old space; the live heap after a full GC stayed at 83 MiB.
 * (460 MiB until then, from quick runs that peaked at 356-419 MiB.)
 */
export const MEMORY_TARGETS_MIB = {
  serverIdle: 280,
  serverUnderLoad: 640,
  workerLadderPeak: 340,
} as const;

/** Every descendant's pid (ffmpeg and ffprobe under the worker), from /proc/<pid>/task/<tid>/children. */
async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const walk = async (p: number) => {
    const tasks = await readdir(`/proc/${p}/task`).catch(() => [] as string[]);
    for (const t of tasks) {
      const text = await readFile(`/proc/${p}/task/${t}/children`, 'utf8').catch(() => '');
      for (const c of text.split(' ').filter(Boolean).map(Number)) {
        out.push(c);
        await walk(c);
      }
    }
  };
  await walk(pid);
  return out;
}

/** Samples a process's VmRSS (and its children's, summed) every `everyMs` until `until` settles. */
async function sampleRss<T>(pid: number, everyMs: number, until: Promise<T>, withChildren = false) {
  const own: number[] = [];
  const children: number[] = [];
  let done = false;
  const result = until.finally(() => (done = true));
  while (!done) {
    own.push((await readRss(pid)).rss);
    if (withChildren) {
      let sum = 0;
      for (const c of await descendants(pid)) sum += (await readRss(c).catch(() => ({ rss: 0 }))).rss;
      children.push(sum);
    }
    await Promise.race([sleep(everyMs), result.catch(() => undefined)]);
  }
  return { value: await result, own, children, hwm: (await readRss(pid)).hwm };
}

const mib = (bytes: number) => round(bytes / MiB, 1);

export const memory: Benchmark = {
  name: 'Memory',
  feature: 'apps/server, apps/worker (1080p ladder)',
  ours: 'VmRSS of `apps/server` idle (after settling) and during a saturating authenticated `video.byId` load (50 connections); peak VmRSS of `apps/worker` (the Node process; its ffmpeg children reported beside it) while it takes a 1080p clip from `completeUpload` to READY',
  baseline: '(absolute; targets proposed from the first measurement)',
  async run(ctx) {
    const rows: Row[] = [];
    const databaseUrl = await ctx.services.createDatabase('bench_memory');
    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, {
      env: { COMPANY_DEFAULT_QUOTA_BYTES: String(1024 ** 4), AUTH_ACCESS_TOKEN_TTL_S: '3600' },
    });
    try {
      // Idle before anyone signed in (the Footprint row's state), for comparison with idle after real use below.
      const settleMs = ctx.quick ? 5_000 : 15_000;
      await sleep(settleMs);
      const fresh = (await readRss(server.child.pid)).rss;
      const tenant = await signUpTenant(server.baseUrl);
      const clipS = ctx.quick ? 10 : 30;
      const clip = new Uint8Array(await readFile(await standardClip(clipS, 1080)));
      const created = await tenant.client.video.createUpload.mutate({
        projectId: tenant.projectId,
        fileName: 'memory-1080p.mp4',
        contentType: 'video/mp4',
        size: clip.length,
      });
      if (created.kind !== 'single') throw new Error('expected a single-request upload');
      const put = await fetch(created.url, { method: 'PUT', body: clip, headers: created.headers });
      if (!put.ok) throw new Error(`storage answered ${put.status} to the upload`);
      const videoId = created.videoId;

      // Server, idle after real use: a sign-up, a sign-in, an upload and one read, settled.
      const headers = { authorization: `Bearer ${tenant.accessToken}` };
      // The tRPC wire's input encoding (superjson's { json } or plain JSON), whichever the server answers 200 to.
      let path: string | undefined;
      for (const input of [{ json: { id: videoId } }, { id: videoId }]) {
        const p = `/trpc/video.byId?input=${encodeURIComponent(JSON.stringify(input))}`;
        const res = await fetch(`${server.baseUrl}${p}`, { headers });
        await res.arrayBuffer();
        if (res.ok) {
          path = p;
          break;
        }
      }
      if (!path) throw new Error('video.byId answered no 200 to either input encoding');
      await sleep(settleMs);
      const idle: number[] = [];
      for (let i = 0; i < 5; i++) {
        idle.push((await readRss(server.child.pid)).rss);
        await sleep(1_000);
      }

      // Server, under load: saturation with 50 connections, sampled every 250 ms.
      const durationS = ctx.quick ? 10 : 20;
      const loaded = await sampleRss(
        server.child.pid,
        250,
        autocannon(ctx.processes, { url: `${server.baseUrl}${path}`, connections: 50, durationS, headers }),
      );
      const underLoad = Math.max(...loaded.own);
      rows.push(
        row({
          benchmark: this.name,
          metric: 'server idle RSS, after a sign-up, a sign-in and an upload',
          unit: 'MiB',
          ours: mib(median(idle)),
          target: `≤ ${MEMORY_TARGETS_MIB.serverIdle} MiB`,
          pass: median(idle) / MiB <= MEMORY_TARGETS_MIB.serverIdle,
          details: {
            samplesMiB: idle.map(mib),
            settleS: settleMs / 1000,
            // The same process idle before the first request that hashed a password (argon2id, 19 MiB a hash).
            idleBeforeAnySignInMiB: mib(fresh),
          },
        }),
        row({
          benchmark: this.name,
          metric: 'server RSS under load (peak of 250 ms samples)',
          unit: 'MiB',
          ours: mib(underLoad),
          target: `≤ ${MEMORY_TARGETS_MIB.serverUnderLoad} MiB`,
          pass: underLoad / MiB <= MEMORY_TARGETS_MIB.serverUnderLoad,
          details: {
            load: `video.byId, 50 connections, ${durationS} s`,
            requestsPerSec: Math.round(loaded.value.requestsPerSec),
            medianDuringLoadMiB: mib(median(loaded.own)),
            vmHwmMiB: mib(loaded.hwm),
          },
        }),
      );

      // Worker: one 1080p clip from completeUpload to READY (every rung of the ladder, images, analyzers).
      const [worker] = await startWorkers(ctx.processes, databaseUrl, ctx.services.s3Endpoint, 1, {
        env: { COMPANY_DEFAULT_QUOTA_BYTES: String(1024 ** 4) },
      });
      const db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      try {
        const idleWorker = (await readRss(worker!.pid)).rss;
        const t0 = performance.now();
        await tenant.client.video.completeUpload.mutate({ videoId });
        const ready = waitFor(
          `video ${videoId} to be READY`,
          async () => {
            const { rows: r } = await db.query<{ status: string; failure_message: string | null }>(
              'select status, failure_message from video where id = $1',
              [videoId],
            );
            if (r[0]!.status === 'FAILED') throw new Error(`processing failed: ${r[0]!.failure_message}`);
            return r[0]!.status === 'READY';
          },
          { timeoutMs: 900_000, intervalMs: 100, signal: ctx.signal },
        );
        const w = await sampleRss(worker!.pid, 200, ready, true);
        const peak = Math.max(...w.own);
        const { rows: rungs } = await db.query<{ n: number }>(
          `select count(*)::int as n from video_step where video_id = $1 and name like 'rendition%'`,
          [videoId],
        );
        rows.push(
          row({
            benchmark: this.name,
            metric: `worker RSS during a 1080p ladder (${clipS} s clip, peak)`,
            unit: 'MiB',
            ours: mib(peak),
            target: `≤ ${MEMORY_TARGETS_MIB.workerLadderPeak} MiB`,
            pass: peak / MiB <= MEMORY_TARGETS_MIB.workerLadderPeak,
            details: {
              idleBeforeMiB: mib(idleWorker),
              medianDuringMiB: mib(median(w.own)),
              vmHwmMiB: mib(w.hwm),
              ffmpegChildrenPeakMiB: mib(Math.max(0, ...w.children)),
              renditionSteps: rungs[0]!.n,
              readyS: round((performance.now() - t0) / 1000, 1),
              samples: w.own.length,
              note: 'the Node process only; ffmpeg runs as its children (their summed RSS beside it)',
            },
          }),
        );
      } finally {
        await db.end();
        await worker!.stop();
      }
    } finally {
      await server.child.stop();
    }
    return rows;
  },
};
