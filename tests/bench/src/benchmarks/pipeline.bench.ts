// Pipeline and Time-to-playable: a standard 720p clip through our worker (apps/worker: startWorker, the real task
// list) from `completeUpload` to READY, against the same ffmpeg commands run directly (pipeline/replay-child.ts).
// "The same commands" is checked, not assumed: FFMPEG_PATH points at a recording wrapper (pipeline/ffmpeg-recorder.ts);
// a first, unmeasured video gives the plan the baseline replays, and every measured pair's two recordings must hold
// the same commands (scratch paths and job ids aside), or the benchmark fails.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, processEnv } from '@arvlite/config';
import pg from 'pg';
import { startServer, startWorkers } from '../apps.ts';
import {
  interleave,
  median,
  medianPairRatio,
  round,
  row,
  waitFor,
  type BenchContext,
  type Benchmark,
  type Row,
} from '../harness.ts';
import { readChildrenCpuMs, readCpuMs } from '../processes.ts';
import { standardClip } from '../pipeline/clip.ts';
import {
  createFfmpegRecorder,
  diffCommands,
  normalizeCommand,
  type RecordedCommand,
} from '../pipeline/ffmpeg-recorder.ts';
import type { ReplayResult } from '../pipeline/replay-child.ts';
import { planFromRecording, type ReplayPlan } from '../pipeline/replay-plan.ts';
import { startRpcChild } from '../rpc.ts';
import { signUpTenant } from '../tenant.ts';

const REPLAY_CHILD = fileURLToPath(new URL('../pipeline/replay-child.ts', import.meta.url));

interface OursRound {
  readyMs: number;
  playableMs: number;
  completeUploadMs: number;
  /** completeUpload's return → the probe step starting: job pickup. */
  pickupMs: number;
  stepMs: Record<string, number>;
  workerCpuMs: number;
  ffmpegCpuMs: number;
  /** s3rver and Postgres CPU while the video was processed (the server's share of the transfers and queries). */
  storageCpuMs: number;
  postgresCpuMs: number;
  commands: string[];
}

interface BaselineRound extends ReplayResult {
  replayCpuMs: number;
  ffmpegCpuMs: number;
  commands: string[];
}

interface PipelineMeasurement {
  clipS: number;
  pairs: number;
  plan: ReplayPlan;
  preset: string;
  ours: OursRound[];
  baseline: BaselineRound[];
}

async function measurePipeline(ctx: BenchContext): Promise<PipelineMeasurement> {
  const clipS = ctx.quick ? 10 : 30;
  const pairs = ctx.quick ? 1 : 3;
  ctx.log(`  clip: ${clipS} s 720p (made once, kept in .data/bench-clips)`);
  const clip = await standardClip(clipS);
  const clipBytes = new Uint8Array(await readFile(clip));
  const recorder = await createFfmpegRecorder(path.join(ctx.services.dataDir, 'ffmpeg-recorder'));
  const scratch = path.join(ctx.services.dataDir, 'pipeline-scratch');
  const env = {
    FFMPEG_PATH: recorder.ffmpegPath,
    FFPROBE_PATH: recorder.ffprobePath,
    MEDIA_SCRATCH_DIR: scratch,
    COMPANY_DEFAULT_QUOTA_BYTES: String(1024 ** 4),
    AUTH_ACCESS_TOKEN_TTL_S: '3600',
  };
  // The worker's own settings (defaults unless the environment sets them), which the replay copies.
  const config = loadConfig({ ...processEnv(), ...env });
  const databaseUrl = await ctx.services.createDatabase('bench_pipeline');
  const server = await startServer(ctx.processes, databaseUrl, ctx.services.s3Endpoint, { env });
  const [worker] = await startWorkers(ctx.processes, databaseUrl, ctx.services.s3Endpoint, 1, {
    env,
    nodeArgs: ctx.nodeArgs('pipeline-worker'),
  });
  const replay = await startRpcChild(ctx.processes, 'pipeline-replay', REPLAY_CHILD, [], {
    nodeArgs: ctx.nodeArgs('pipeline-replay'),
  });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tenant = await signUpTenant(server.baseUrl);
    const client = tenant.client;
    const taken = async (mark: string) =>
      (await recorder.take()).filter((c) => [c.cwd, ...c.args].some((a) => a.includes(mark)));

    const runOurs = async (
      i: number,
      bytes: Uint8Array<ArrayBuffer> = clipBytes,
    ): Promise<OursRound & { videoId: string; raw: RecordedCommand[] }> => {
      const created = await client.video.createUpload.mutate({
        projectId: tenant.projectId,
        fileName: `bench-${clipS}s-${i}.mp4`,
        contentType: 'video/mp4',
        size: bytes.length,
      });
      if (created.kind !== 'single') throw new Error('expected a single-request upload');
      const put = await fetch(created.url, {
        method: 'PUT',
        body: bytes,
        headers: created.headers,
      });
      if (!put.ok) throw new Error(`storage answered ${put.status} to the upload`);
      const videoId = created.videoId;
      const services = ctx.services;
      const [cpu0, ff0] = [await readCpuMs(worker!.pid), await readChildrenCpuMs(worker!.pid)];
      const [s30, pg0] = [await services.storageCpuMs(), await services.postgresCpuMs()];
      const t0 = Date.now();
      const p0 = performance.now();
      await client.video.completeUpload.mutate({ videoId });
      const completeUploadMs = performance.now() - p0;
      const completedAt = t0 + completeUploadMs;
      const v = await waitFor(
        `video ${videoId} to be READY`,
        async () => {
          const { rows } = await db.query<{
            status: string;
            playable_at: Date | null;
            ready_at: Date | null;
            failure_message: string | null;
          }>('select status, playable_at, ready_at, failure_message from video where id = $1', [videoId]);
          const r = rows[0]!;
          if (r.status === 'FAILED') throw new Error(`processing failed: ${r.failure_message}`);
          return r.status === 'READY' ? r : null;
        },
        { timeoutMs: 600_000, intervalMs: 50, signal: ctx.signal },
      );
      const [cpu1, ff1] = [await readCpuMs(worker!.pid), await readChildrenCpuMs(worker!.pid)];
      const [s31, pg1] = [await services.storageCpuMs(), await services.postgresCpuMs()];
      const { rows: steps } = await db.query<{
        name: string;
        started_at: Date | null;
        finished_at: Date | null;
      }>('select name, started_at, finished_at from video_step where video_id = $1 order by position', [videoId]);
      const probe = steps.find((s) => s.name === 'probe');
      const raw = await taken(videoId);
      return {
        videoId,
        raw,
        readyMs: v.ready_at!.getTime() - t0,
        playableMs: v.playable_at!.getTime() - t0,
        completeUploadMs,
        pickupMs: probe?.started_at ? probe.started_at.getTime() - completedAt : Number.NaN,
        // A rung the playable step already made is marked done without running.
        stepMs: Object.fromEntries(
          steps.flatMap((s) =>
            s.started_at && s.finished_at ? [[s.name, s.finished_at.getTime() - s.started_at.getTime()]] : [],
          ),
        ),
        workerCpuMs: cpu1 - cpu0,
        ffmpegCpuMs: ff1 - ff0,
        storageCpuMs: s31 - s30,
        postgresCpuMs: pg1 - pg0,
        commands: raw.map((c) => normalizeCommand(c, path.join(scratch, videoId))),
      };
    };

    // The first video of the clip is the recording the baseline replays. In a full run it is an extra, unmeasured
    // video that also warms the worker and the page cache; --quick saves the time, records the first measured one
    // and warms the worker (its ffmpeg lookup, JIT) on a 2 s 360p clip instead.
    const planFile = path.join(ctx.services.dataDir, 'pipeline-plan.json');
    let plan: ReplayPlan | undefined;
    const record = async (r: Awaited<ReturnType<typeof runOurs>>) => {
      plan = planFromRecording(r.raw, path.join(scratch, r.videoId), {
        workerConcurrency: config.worker.concurrency,
        encodeConcurrency: config.media.encodeConcurrency,
        clip,
        ffmpegPath: recorder.ffmpegPath,
        ffprobePath: recorder.ffprobePath,
      });
      await writeFile(planFile, JSON.stringify(plan, null, 2));
      ctx.log(
        `  plan: ${r.raw.length} commands in ${plan.jobs.length} jobs (${plan.jobs.map((j) => j.name).join(', ')})`,
      );
    };
    if (ctx.quick) {
      ctx.log('  warming the worker up on a 2 s 360p clip…');
      await runOurs(-1, new Uint8Array(await readFile(await standardClip(2, 360))));
    } else {
      ctx.log('  recording our worker on a first, unmeasured video…');
      await record(await runOurs(-1));
    }

    const runBaseline = async (i: number): Promise<BaselineRound> => {
      const root = path.join(ctx.services.dataDir, 'pipeline-replay', `r${i}`);
      const pid = replay.child.pid;
      const [cpu0, ff0] = [await readCpuMs(pid), await readChildrenCpuMs(pid)];
      const r = await replay.call<ReplayResult>('replay', { planFile, root });
      const [cpu1, ff1] = [await readCpuMs(pid), await readChildrenCpuMs(pid)];
      const raw = await taken(root);
      return {
        ...r,
        replayCpuMs: cpu1 - cpu0,
        ffmpegCpuMs: ff1 - ff0,
        commands: raw.map((c) => normalizeCommand(c, root)),
      };
    };

    const rounds = await interleave({
      pairs,
      signal: ctx.signal,
      a: async (i) => {
        const r = await runOurs(i);
        if (!plan) await record(r);
        return r;
      },
      b: (i) => runBaseline(i),
      onRound: (i, side, r) =>
        ctx.log(
          side === 'a'
            ? `  round ${i + 1} ours: READY in ${((r as OursRound).readyMs / 1000).toFixed(2)} s, playable in ${((r as OursRound).playableMs / 1000).toFixed(2)} s`
            : `  round ${i + 1} baseline: ${((r as BaselineRound).ms / 1000).toFixed(2)} s`,
        ),
    });
    rounds.a.forEach((o, i) => {
      const diff = diffCommands(o.commands, rounds.b[i]!.commands);
      if (diff.length > 0)
        throw new Error(
          `pair ${i + 1} did not run the same ffmpeg commands on both sides:\n${diff.slice(0, 6).join('\n')}`,
        );
    });
    return {
      clipS,
      pairs,
      plan: plan!,
      preset: config.media.x264Preset,
      ours: rounds.a.map(({ raw: _raw, videoId: _id, ...r }) => r),
      baseline: rounds.b,
    };
  } finally {
    await db.end();
    await Promise.all([replay.stop(), worker!.stop(), server.child.stop()]);
  }
}

// Pipeline and Time-to-playable come from the same videos: whichever of the two runs first measures them.
const measurements = new WeakMap<BenchContext, Promise<PipelineMeasurement>>();
function measured(ctx: BenchContext): Promise<PipelineMeasurement> {
  let m = measurements.get(ctx);
  if (!m) {
    m = measurePipeline(ctx);
    measurements.set(ctx, m);
  }
  return m;
}

const medianOf = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));

function medianSteps(records: Record<string, number>[]): Record<string, number> {
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(names.map((n) => [n, Math.round(median(records.map((r) => r[n] ?? Number.NaN)))]));
}

const describe = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export const pipeline: Benchmark = {
  name: 'Pipeline',
  feature: 'processing pipeline (packages/jobs, packages/media, apps/worker)',
  ours: 'a standard 720p30 H.264/AAC clip (30 s; 10 s in --quick) from `completeUpload` to READY through apps/worker (`startWorker`, real task list): probe, remux, 3 renditions, poster, storyboard, 3 analyzers, with S3 transfers and the database',
  baseline:
    "the same ffmpeg/ffprobe commands, recorded from our worker and checked equal per pair, run directly by a child process with the worker's concurrency limits (WORKER_CONCURRENCY job slots, MEDIA_ENCODE_CONCURRENCY encodes)",
  async run(ctx) {
    const m = await measured(ctx);
    const readyRatio = medianPairRatio(
      m.ours.map((r) => r.readyMs),
      m.baseline.map((r) => r.ms),
    );
    const oursReadyS = medianOf(m.ours, (r) => r.readyMs) / 1000;
    const baseS = medianOf(m.baseline, (r) => r.ms) / 1000;
    const commands = m.plan.jobs.reduce((n, j) => n + j.commands.length, 0);
    const rows: Row[] = [
      row({
        benchmark: this.name,
        metric: `\`completeUpload\` → READY, ${m.clipS} s 720p clip`,
        unit: 's',
        ours: round(oursReadyS, 2),
        baseline: round(baseS, 2),
        ratio: round(readyRatio, 3),
        target: '≤ 1.1×',
        pass: readyRatio <= 1.1,
        details: {
          pairs: m.pairs,
          oursReadyMs: m.ours.map((r) => Math.round(r.readyMs)),
          baselineMs: m.baseline.map((r) => Math.round(r.ms)),
          commands: `${commands} in ${m.plan.jobs.length} jobs, the same on both sides in every pair`,
          settings: `WORKER_CONCURRENCY ${m.plan.workerConcurrency}, MEDIA_ENCODE_CONCURRENCY ${m.plan.encodeConcurrency}, MEDIA_X264_PRESET ${m.preset}`,
          // A rendition step's time includes waiting for the encode slot, as a replayed rendition job's does.
          oursStepMs: describe(medianSteps(m.ours.map((r) => r.stepMs))),
          baselineJobMs: describe(medianSteps(m.baseline.map((r) => r.jobMs))),
        },
      }),
      row({
        benchmark: this.name,
        metric: 'time-to-READY ÷ clip duration',
        unit: '×',
        ours: round(oursReadyS / m.clipS, 3),
        baseline: round(baseS / m.clipS, 3),
        target: 'report',
      }),
      row({
        benchmark: this.name,
        metric: 'CPU per video outside ffmpeg (worker / replay process)',
        unit: 's',
        ours: round(medianOf(m.ours, (r) => r.workerCpuMs) / 1000, 3),
        baseline: round(medianOf(m.baseline, (r) => r.replayCpuMs) / 1000, 3),
        ratio: round(
          medianPairRatio(
            m.ours.map((r) => r.workerCpuMs),
            m.baseline.map((r) => Math.max(r.replayCpuMs, 10)),
          ),
          2,
        ),
        target: 'report',
        details: {
          // Both sides ran the same commands, so these should agree within noise.
          oursFfmpegCpuS: round(medianOf(m.ours, (r) => r.ffmpegCpuMs) / 1000, 2),
          baselineFfmpegCpuS: round(medianOf(m.baseline, (r) => r.ffmpegCpuMs) / 1000, 2),
          // Ours also makes s3rver and Postgres work (the baseline none): on 2 cores it competes with ffmpeg.
          oursS3rverCpuS: round(medianOf(m.ours, (r) => r.storageCpuMs) / 1000, 2),
          oursPostgresCpuS: round(medianOf(m.ours, (r) => r.postgresCpuMs) / 1000, 2),
          note: 'ours: the worker process (task code, S3 transfers, database, progress parsing); baseline: the replay process (spawning only)',
        },
      }),
    ];
    return rows;
  },
};

export const timeToPlayable: Benchmark = {
  name: 'Time-to-playable',
  feature: 'processing pipeline: the playable step (probe, remux, HLS, publish)',
  ours: '`completeUpload` → `playableAt` for the same standard clip (a remux: no re-encode), measured on the Pipeline runs',
  baseline:
    '(absolute target) the baseline column is the same commands run directly: probe, remux, HLS segmenting, ffprobe of the output',
  async run(ctx) {
    const m = await measured(ctx);
    const ours = medianOf(m.ours, (r) => r.playableMs) / 1000;
    return [
      row({
        benchmark: this.name,
        metric: `\`completeUpload\` → \`playableAt\`, ${m.clipS} s 720p H.264/AAC`,
        unit: 's',
        ours: round(ours, 3),
        baseline: round(medianOf(m.baseline, (r) => r.processJobMs) / 1000, 3),
        ratio: round(
          medianPairRatio(
            m.ours.map((r) => r.playableMs),
            m.baseline.map((r) => r.processJobMs),
          ),
          3,
        ),
        target: '≤ 2 s',
        pass: ours <= 2,
        details: {
          oursPlayableMs: m.ours.map((r) => Math.round(r.playableMs)),
          baselineProcessJobMs: m.baseline.map((r) => Math.round(r.processJobMs)),
          completeUploadCallMs: Math.round(medianOf(m.ours, (r) => r.completeUploadMs)),
          jobPickupMs: Math.round(medianOf(m.ours, (r) => r.pickupMs)),
          probeStepMs: Math.round(medianOf(m.ours, (r) => r.stepMs.probe ?? Number.NaN)),
          playableStepMs: Math.round(medianOf(m.ours, (r) => r.stepMs.playable ?? Number.NaN)),
        },
      }),
    ];
  },
};
