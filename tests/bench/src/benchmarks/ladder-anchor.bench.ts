// Ladder against one command (decision 5 of #22): the encodes a video needs (every rung as MP4 + HLS, the poster as
// JPEG and WebP, the storyboard sprite), made by our media package as the worker's video:ladder job makes them for a
// short clip (encodeLadder: one pass), against the best single hand-written ffmpeg command that makes the same files:
// one decode, split to every rung, the poster and the storyboard, each rung written as faststart MP4 and HLS at once
// (tee muxer). A third side, reported, is the per-rung path long clips keep (encodeRendition per rung, then
// generatePoster and generateStoryboard), as the worker ran every clip before video:ladder.
// The replay baseline of the Pipeline row runs our commands, so it cannot show whether the commands are wasteful;
// this row can. Both sides run on the same clip, interleaved; CPU is ffmpeg's (the bench process's waited children).
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  encodeLadder,
  encodeRendition,
  generatePoster,
  generateStoryboard,
  outputFrameRate,
  parseRational,
  planLadder,
  probe,
  resolveFfmpeg,
  runFfmpeg,
  type FfmpegBinaries,
  type MediaInfo,
  type Rung,
} from '@arvlite/media';
import { interleave, median, medianPairRatio, round, row, type Benchmark, type Row } from '../harness.ts';
import { readChildrenCpuMs } from '../processes.ts';
import { standardClip } from '../pipeline/clip.ts';
import { pipelineMeasuredInRun } from './pipeline.bench.ts';

const PRESET = 'veryfast';
const CRF = 23;
const SEGMENT_S = 4;

interface Side {
  wallMs: number;
  cpuMs: number;
  files: string[];
  bytes: number;
}

/** Runs `work` in a fresh scratch directory and measures its wall time and the CPU of the processes it waited for. */
async function measure(work: (dir: string) => Promise<void>): Promise<Side> {
  const dir = await mkdtemp(path.join(tmpdir(), 'arv-ladder-'));
  try {
    const cpu0 = await readChildrenCpuMs(process.pid);
    const t0 = performance.now();
    await work(dir);
    const wallMs = performance.now() - t0;
    const cpuMs = (await readChildrenCpuMs(process.pid)) - cpu0;
    const files = (await readdir(dir)).sort();
    let bytes = 0;
    for (const f of files) bytes += (await stat(path.join(dir, f))).size;
    return { wallMs, cpuMs, files, bytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Ours: the one-pass ladder, as the video:ladder job calls it for a short clip. */
async function ours(bin: FfmpegBinaries, input: string, info: MediaInfo, dir: string) {
  const made = await encodeLadder(bin, input, info, planLadder(info), dir, {
    preset: PRESET,
    crf: CRF,
    segmentSeconds: SEGMENT_S,
    images: true,
  });
  return { poster: made.poster!, storyboard: made.storyboard! };
}

/**
 * The per-rung path (long clips; every clip before video:ladder): rungs one at a time, then the images. Each job's wall
 * time goes into `jobMs`: the longest is what the path would take with a free worker per job.
 */
async function perRung(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  dir: string,
  jobMs: Record<string, number>,
) {
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    jobMs[name] = Math.round(performance.now() - t0);
  };
  for (const rung of planLadder(info)) {
    await timed(rung.name, () =>
      encodeRendition(bin, input, info, rung, dir, { preset: PRESET, crf: CRF, segmentSeconds: SEGMENT_S }),
    );
  }
  await timed('images', async () => {
    await generatePoster(bin, input, info, dir);
    await generateStoryboard(bin, input, info, dir);
  });
}

type Images = Awaited<ReturnType<typeof ours>>;

/**
 * The anchor: one ffmpeg process. The poster's time and size and the storyboard's layout are ours' (ours picks the
 * poster time with a scoring pass, which ours pays for).
 */
function anchorArgs(fpsMode: string, info: MediaInfo, rungs: Rung[], { poster, storyboard }: Images): string[] {
  const rate = outputFrameRate(info.frameRate);
  const gop = Math.max(1, Math.round((parseRational(rate) ?? 30) * (SEGMENT_S / 2)));
  const { intervalS, columns, rows, tileWidth, tileHeight } = storyboard;
  const graph = [
    `[0:v:0]split=${rungs.length + 2}${rungs.map((_, i) => `[r${i}]`).join('')}[p][s]`,
    ...rungs.map((r, i) => `[r${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`),
    `[p]trim=start=${poster.timeS.toFixed(3)},setpts=PTS-STARTPTS,scale=${poster.width}:${poster.height}:flags=lanczos,setsar=1,split=2[pj][pw]`,
    `[s]fps=1/${intervalS}:round=up,scale=${tileWidth}:${tileHeight},setsar=1,tile=${columns}x${rows}[sb]`,
  ].join(';');
  // prettier-ignore
  return [
    '-v', 'error', '-y', '-i', 'INPUT',
    '-filter_complex', graph,
    ...rungs.flatMap((r, i) => [
      '-map', `[v${i}]`, ...(info.hasAudio ? ['-map', '0:a:0'] : []),
      '-r', rate, fpsMode, 'cfr',
      '-c:v', 'libx264', '-preset', PRESET, '-profile:v', 'high',
      '-crf', String(CRF), '-maxrate', String(r.videoBitrate), '-bufsize', String(r.videoBitrate * 2),
      '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
      ...(info.hasAudio ? ['-c:a', 'aac', '-b:a', String(r.audioBitrate), '-ac', '2', '-ar', '48000'] : ['-an']),
      '-map_metadata', '-1', '-map_chapters', '-1',
      '-f', 'tee',
      `[f=mp4:movflags=+faststart]${r.name}.mp4|` +
        `[f=hls:hls_time=${SEGMENT_S}:hls_playlist_type=vod:hls_flags=independent_segments:hls_segment_type=mpegts:` +
        `hls_segment_filename=${r.name}_%05d.ts]${r.name}.m3u8`,
    ]),
    '-map', '[pj]', '-frames:v', '1', '-q:v', '3', '-update', '1', 'poster.jpg',
    '-map', '[pw]', '-frames:v', '1', '-c:v', 'libwebp', '-quality', '80', '-update', '1', 'poster.webp',
    '-map', '[sb]', '-frames:v', '1', '-q:v', '4', '-update', '1', 'storyboard.jpg',
  ];
}

/** The file kinds a side made (segment numbers aside), to check that both made the same set. */
const kinds = (files: string[]) =>
  [...new Set(files.filter((f) => !f.endsWith('.vtt')).map((f) => f.replace(/_\d{5}\.ts$/, '_N.ts')))].sort();

export const ladderAnchor: Benchmark = {
  name: 'Ladder vs one command',
  feature:
    'packages/media encodeLadder as the video:ladder job calls it (and, reported, the per-rung path of long clips)',
  ours: 'every rung (MP4 + HLS), the poster (JPEG + WebP) and the storyboard sprite in one pass (encodeLadder); the per-rung path (encodeRendition per rung, generatePoster, generateStoryboard) measured once per clip beside it',
  baseline:
    'one hand-written ffmpeg command making the same files: one decode split to every rung, the poster and the storyboard; each rung written as MP4 and HLS at once (tee); the poster time given',
  async run(ctx) {
    const bin = await resolveFfmpeg();
    const clips: { label: string; file: string; pairs: number }[] = ctx.quick
      ? [{ label: '10 s 720p', file: await standardClip(10), pairs: 1 }]
      : [
          { label: '10 s 720p', file: await standardClip(10), pairs: 2 },
          { label: '30 s 720p', file: await standardClip(30), pairs: 2 },
          { label: '30 s 1080p', file: await standardClip(30, 1080), pairs: 1 },
          { label: '3 min 1080p', file: await standardClip(180, 1080), pairs: 1 },
        ];
    const rows: Row[] = [];
    for (const clip of clips) {
      const info = await probe(bin, clip.file);
      const rungs = planLadder(info);
      let images: Images | undefined;
      const rounds = await interleave({
        pairs: clip.pairs,
        signal: ctx.signal,
        a: () =>
          measure(async (dir) => {
            images = await ours(bin, clip.file, info, dir);
          }),
        b: () =>
          measure(async (dir) => {
            const args = anchorArgs(bin.fpsModeOption, info, rungs, images!).map((a) =>
              a === 'INPUT' ? clip.file : a,
            );
            await runFfmpeg(bin.ffmpeg, args, { cwd: dir, timeoutMs: 3_600_000 });
          }),
        onRound: (i, side, r) =>
          ctx.log(
            `  ${clip.label} ${i + 1} ${side === 'a' ? 'ours' : 'one command'}: ${round(r.wallMs / 1000, 2)} s wall, ${round(r.cpuMs / 1000, 1)} s CPU`,
          ),
      });
      // The per-rung path, once per clip after the pairs (reported beside them, not interleaved).
      const jobMs: Record<string, number> = {};
      const split = await measure((dir) => perRung(bin, clip.file, info, dir, jobMs));
      const longestJobMs = Math.max(...Object.values(jobMs));
      ctx.log(
        `  ${clip.label} per-rung path: ${round(split.wallMs / 1000, 2)} s wall, ${round(split.cpuMs / 1000, 1)} s CPU`,
      );
      // The first round is A B, so the anchor always has ours' poster and storyboard layout. Both must have made the same files.
      const [oursKinds, anchorKinds] = [kinds(rounds.a[0]!.files), kinds(rounds.b[0]!.files)];
      if (JSON.stringify(oursKinds) !== JSON.stringify(anchorKinds))
        throw new Error(`not the same outputs: ours ${oursKinds.join(' ')}; one command ${anchorKinds.join(' ')}`);
      if (JSON.stringify(kinds(split.files)) !== JSON.stringify(anchorKinds))
        throw new Error(`not the same outputs: per-rung ${kinds(split.files).join(' ')}`);
      const minutes = info.durationS / 60;
      const wall = { a: rounds.a.map((r) => r.wallMs), b: rounds.b.map((r) => r.wallMs) };
      const cpu = { a: rounds.a.map((r) => r.cpuMs), b: rounds.b.map((r) => r.cpuMs) };
      const details = {
        rungs: rungs.map((r) => r.name),
        pairs: clip.pairs,
        oursWallMs: wall.a.map(Math.round),
        anchorWallMs: wall.b.map(Math.round),
        oursCpuMs: cpu.a.map(Math.round),
        anchorCpuMs: cpu.b.map(Math.round),
        oursBytes: rounds.a.map((r) => r.bytes),
        anchorBytes: rounds.b.map((r) => r.bytes),
        posterTimeS: images?.poster.timeS,
        preset: PRESET,
      };
      rows.push(
        row({
          benchmark: this.name,
          metric: `wall, ${clip.label}: ${rungs.length} rungs, poster, storyboard`,
          unit: 's',
          ours: round(median(wall.a) / 1000, 2),
          baseline: round(median(wall.b) / 1000, 2),
          ratio: round(medianPairRatio(wall.a, wall.b), 3),
          target: 'report',
          details,
        }),
        row({
          benchmark: this.name,
          metric: `ffmpeg CPU-seconds per video-minute, ${clip.label}`,
          unit: 'CPU-s',
          ours: round(median(cpu.a) / 1000 / minutes, 1),
          baseline: round(median(cpu.b) / 1000 / minutes, 1),
          ratio: round(medianPairRatio(cpu.a, cpu.b), 3),
          target: 'report',
          details: {},
        }),
        row({
          benchmark: this.name,
          metric: `per-rung path (clips over MEDIA_LADDER_ONE_PASS_MAX_S) vs the one command, ${clip.label}: wall`,
          unit: 's',
          ours: round(split.wallMs / 1000, 2),
          baseline: round(median(wall.b) / 1000, 2),
          ratio: round(split.wallMs / median(wall.b), 3),
          target: 'report',
          details: {
            cpuS: round(split.cpuMs / 1000, 1),
            cpuRatio: round(split.cpuMs / median(cpu.b), 3),
            jobMs,
            note: 'one run after the interleaved pairs, against their median',
          },
        }),
        row({
          benchmark: this.name,
          metric: `per-rung path, its longest job (a free worker per job) vs one pass (ours), ${clip.label}`,
          unit: 's',
          ours: round(longestJobMs / 1000, 2),
          baseline: round(median(wall.a) / 1000, 2),
          ratio: round(longestJobMs / median(wall.a), 3),
          target: 'report',
          details: {
            note: 'below 1×, spreading the rungs over idle workers (each on cores of its own) would finish sooner than one pass; measured on one machine, one job at a time',
          },
        }),
      );
    }
    // Decision 5's goal: time-to-READY through the whole platform within 1.0× the single command, on the Pipeline
    // row's clip. Not interleaved with it (the Pipeline row measured first), so the details say so.
    const m = await pipelineMeasuredInRun(ctx);
    const same = m && clips.find((c) => c.label === `${m.clipS} s 720p`);
    const anchorWall = same && rows.find((r) => r.metric.startsWith(`wall, ${same.label}`))?.baseline;
    if (m && anchorWall) {
      const readyS = median(m.ours.map((r) => r.readyMs)) / 1000;
      rows.push(
        row({
          benchmark: this.name,
          metric: `\`completeUpload\` → READY (Pipeline row) vs the one command, ${m.clipS} s 720p`,
          unit: 's',
          ours: round(readyS, 2),
          baseline: anchorWall,
          ratio: round(readyS / anchorWall, 3),
          target: '≤ 1.0×',
          pass: readyS / anchorWall <= 1,
          details: {
            note: 'ratio of medians: the Pipeline rounds and the one-command rounds ran one after the other, not interleaved',
          },
        }),
      );
    }
    return rows;
  },
};
