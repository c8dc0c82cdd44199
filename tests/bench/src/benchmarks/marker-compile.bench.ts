// Markers from a 12 MP phone photo (4000×3000 JPEG with EXIF orientation, generated: @arvlite/marker/testing
// phonePhoto). Two rows groups, both absolute (MindAR's own compiler cannot run here: its OfflineCompiler needs
// node-canvas and the browser one a Web Worker):
// - Marker publish: the product end to end. apps/server + one fresh apps/worker; `completeMarkerUpload` → the item's
//   marker published (READY), polled every 50 ms; the worker process's peak RSS over that interval (VmHWM, reset
//   through /proc/<pid>/clear_refs before each upload): what it grows by (the target) and the whole process.
// - Marker compile: what the job's compile part costs on its own, in a process doing nothing else
//   (packages/marker/bench/compile.bench.ts through marker-child.ts): normalizeMarker + the compile in its thread.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processEnv } from '@arvlite/config';
import type { CompileBenchResult } from '@arvlite/marker/bench';
import { phonePhoto } from '@arvlite/marker/testing';
import { startServer, startWorkers } from '../apps.ts';
import pg from 'pg';
import { median, round, row, waitFor, type BenchContext, type Benchmark } from '../harness.ts';
import { readCpuMs, readRss } from '../processes.ts';
import { signUpTenant } from '../tenant.ts';

const CHILD = fileURLToPath(new URL('../marker/marker-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const TARGET_S = 5;
const TARGET_MIB = 400;

let photoFile: Promise<string> | undefined;
/** The photo, made once per bench run in this process (not in the measured ones). */
function photo(ctx: BenchContext): Promise<string> {
  photoFile ??= (async () => {
    const file = path.join(ctx.services.dataDir, 'marker-photo-12mp.jpg');
    await writeFile(file, await phonePhoto());
    return file;
  })();
  return photoFile;
}

export const markerCompile: Benchmark = {
  name: 'Marker compile',
  feature: '`normalizeMarker` + `compileMindTargetInThread` (packages/marker)',
  ours: 'a 12 MP phone photo (4000×3000 JPEG, EXIF orientation 6): normalize (one decode, shrink-on-load) and compile in its worker thread (TensorFlow.js and mind-ar loaded by the thread, as in marker:compile), median of N in a process of its own',
  baseline:
    "(absolute) MindAR's own compiler is not run: its OfflineCompiler needs node-canvas and the browser one a Web Worker",
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const lines: string[] = [];
    const child = ctx.processes.spawnNode('marker-compile', CHILD, [String(runs), await photo(ctx)], {
      env: { ...processEnv() },
      stdout: 'pipe',
      onStdout: (line) => lines.push(line),
      nodeArgs: ctx.nodeArgs('marker-compile'),
    });
    const exit = await child.exited;
    if (exit.code !== 0)
      throw new Error(`marker compile exited with ${exit.signal ?? `code ${exit.code}`}:\n${child.stderrTail()}`);
    const r = JSON.parse(lines.findLast((l) => l.startsWith('{')) ?? 'null') as CompileBenchResult | null;
    if (!r) throw new Error('the marker bench printed no result');
    const details = {
      runs: r.runs,
      upload: `${r.sourceWidth}×${r.sourceHeight}, ${Math.round(r.sourceBytes / 1024)} KiB`,
      marker: `${r.width}×${r.height}`,
      compiledAt: `${r.compileWidth}×${r.compileHeight}`,
      wallMs: r.wallMs,
      normalizeMs: r.normalizeMs,
      compileMs: r.compileMs,
      cpuMs: r.cpuMs,
      matchingPoints: r.matchingPoints,
      trackingPoints: r.trackingPoints,
      mindKiB: Math.round(r.mindBytes / 1024),
      rssBeforeMiB: r.startRssMb,
    };
    const what = `12 MP photo → ${r.width}×${r.height} marker, compiled at ${r.compileWidth}×${r.compileHeight}`;
    return [
      row({
        benchmark: this.name,
        metric: `${what}: wall per normalize + compile`,
        unit: 's',
        ours: round(r.medianWallMs / 1000, 2),
        target: `≤ ${TARGET_S} s`,
        pass: r.medianWallMs <= TARGET_S * 1000,
        details,
      }),
      row({
        benchmark: this.name,
        metric: `${what}: CPU per normalize + compile (all threads)`,
        unit: 's',
        ours: round(r.medianCpuMs / 1000, 2),
        target: 'report',
        details,
      }),
      row({
        benchmark: this.name,
        metric: `${what}: peak RSS of the process (getrusage maxRSS)`,
        unit: 'MiB',
        ours: r.peakRssMb,
        target: `≤ ${TARGET_MIB} MiB`,
        pass: r.peakRssMb <= TARGET_MIB,
        details,
      }),
    ];
  },
};

export const markerPublish: Benchmark = {
  name: 'Marker publish',
  feature: 'marker uploads (arContent.completeMarkerUpload → marker:compile → published)',
  ours: 'apps/server + one fresh apps/worker: a 12 MP phone photo PUT to its presigned URL, then, once the worker is idle (no job running or due), `completeMarkerUpload` → the marker published (byId polled every 50 ms); the worker process’s peak RSS (VmHWM) over each upload, and how much above its RSS before the upload',
  baseline: '(absolute target) upload complete → published in 5 s on 2 cores, the worker under 400 MiB',
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const bytes = await readFile(await photo(ctx));
    const databaseUrl = await ctx.services.createDatabase('bench_marker_publish');
    const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, {
      nodeArgs: ctx.nodeArgs('marker-server'),
    });
    const [worker] = await startWorkers(ctx.processes, databaseUrl, ctx.services.s3Endpoint, 1, {
      nodeArgs: ctx.nodeArgs('marker-worker'),
    });
    const pid = worker!.pid;
    const idleRss = (await readRss(pid)).rss;
    const { client, projectId } = await signUpTenant(server.baseUrl);

    const publishMs: number[] = [];
    const peakMiB: number[] = [];
    const growthMiB: number[] = [];
    const workerCpuMs: number[] = [];
    const compileMs: number[] = [];
    const idleWaitMs: number[] = [];
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    for (let run = 0; run < runs; run++) {
      ctx.signal.throwIfAborted();
      // Each upload meets an idle worker: the previous marker's follow-up jobs (its detection report, tens of seconds
      // in a compile slot) would otherwise hold this compile back. How long they took is in the details.
      const waitStarted = performance.now();
      await waitFor(
        'the worker to go idle',
        async () => {
          const { rows } = await db.query<{ n: number }>(
            'select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null or (run_at <= now() and attempts < max_attempts)',
          );
          return rows[0]!.n === 0;
        },
        { timeoutMs: 300_000, intervalMs: 200, signal: ctx.signal },
      );
      idleWaitMs.push(Math.round(performance.now() - waitStarted));
      const { id } = await client.arContent.create.mutate({ projectId, title: `Bench marker ${run + 1}` });
      const upload = await client.arContent.createMarkerUpload.mutate({
        id,
        contentType: 'image/jpeg',
        size: bytes.length,
      });
      const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(bytes), headers: upload.headers });
      if (!put.ok) throw new Error(`marker PUT answered ${put.status}`);
      // VmHWM from here on is this upload's peak (clear_refs 5 resets it to the current RSS).
      await writeFile(`/proc/${pid}/clear_refs`, '5');
      const rssBefore = (await readRss(pid)).rss;
      const cpuBefore = await readCpuMs(pid);
      const started = performance.now();
      await client.arContent.completeMarkerUpload.mutate({ id, widthMm: 150 });
      let item = await client.arContent.byId.query({ id });
      while (item.status === 'MARKER_PROCESSING' && !item.marker.published) {
        if (performance.now() - started > 120_000) throw new Error('the marker was not published within 120 s');
        await new Promise((r) => setTimeout(r, 50));
        item = await client.arContent.byId.query({ id });
      }
      const ms = performance.now() - started;
      if (!item.marker.published)
        throw new Error(`the marker was not published: ${item.status} ${JSON.stringify(item.marker.failure)}`);
      publishMs.push(Math.round(ms));
      const { hwm } = await readRss(pid);
      peakMiB.push(Math.round(hwm / MiB));
      growthMiB.push(Math.round((hwm - rssBefore) / MiB));
      workerCpuMs.push((await readCpuMs(pid)) - cpuBefore);
      compileMs.push(item.marker.compileMs ?? Number.NaN);
    }
    await db.end();
    const seconds = median(publishMs) / 1000;
    const peak = Math.max(...peakMiB);
    const growth = Math.max(...growthMiB);
    const details = {
      runs,
      upload: `4000×3000 JPEG, ${Math.round(bytes.length / 1024)} KiB, widthMm 150`,
      publishMs,
      firstRunMs: publishMs[0],
      workerCpuMs,
      compileMsAsRecorded: compileMs,
      waitForIdleWorkerMs: idleWaitMs,
      workerPeakRssMiB: peakMiB,
      workerPeakAboveStartMiB: growthMiB,
      workerIdleRssMiB: Math.round(idleRss / MiB),
    };
    return [
      row({
        benchmark: this.name,
        metric: '12 MP photo: `completeMarkerUpload` → published (median)',
        unit: 's',
        ours: round(seconds, 2),
        target: `≤ ${TARGET_S} s`,
        pass: seconds <= TARGET_S,
        details,
      }),
      row({
        benchmark: this.name,
        metric: '12 MP photo: worker process memory the publishing takes (peak VmHWM − RSS before, highest run)',
        unit: 'MiB',
        ours: growth,
        target: `≤ ${TARGET_MIB} MiB`,
        pass: growth <= TARGET_MIB,
        details,
      }),
      row({
        benchmark: this.name,
        metric: '12 MP photo: worker process peak RSS while publishing (VmHWM, whole process, highest run)',
        unit: 'MiB',
        ours: peak,
        target: 'report',
        details,
      }),
    ];
  },
};
