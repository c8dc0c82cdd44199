// The one-pass ladder: every rung (MP4 + HLS), the poster and the storyboard from one decode of the source.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Analyzer, AnalyzerOutcome, PassBranch } from './analyzers/analyzer.ts';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';
import {
  assembleStoryboard,
  planStoryboard,
  posterPickFilters,
  posterTimeFrom,
  storyboardTileFilters,
  storyboardTileOutput,
  writePoster,
  type Poster,
  type Storyboard,
} from './images.ts';
import { demuxerOf, inputArgs } from './input-format.ts';
import type { MediaInfo } from './probe.ts';
import {
  describeOutput,
  mediaRunOptions,
  renditionFiles,
  rungEncodeArgs,
  rungFilters,
  sourceFilters,
  type EncodeOptions,
  type Rendition,
  type Rung,
} from './renditions.ts';
import { runFfmpeg } from './run-process.ts';
import { publishFromScratch } from './scratch-dir.ts';

export interface LadderOptions extends EncodeOptions {
  /** Also the poster (JPEG + WebP) and the storyboard (sprite + WebVTT) from the same decode. */
  images?: boolean;
  /** Also these analyzers, as filters on the same decode; each must have an `inPass` form (`canAnalyzeInPass`). */
  analyzers?: readonly Analyzer[];
}

export interface LadderArgsOptions extends Omit<LadderOptions, 'analyzers'> {
  /** The analyzers' branches (`Analyzer.inPass`). */
  branches?: readonly PassBranch[];
}

export interface Ladder {
  renditions: Rendition[];
  poster: Poster | null;
  storyboard: Storyboard | null;
  /** One outcome per analyzer asked for, in order; each one's `durationMs` is the whole pass's. */
  analysis: AnalyzerOutcome[];
}

/** Whether every one of these analyzers can run inside the pass. */
export const canAnalyzeInPass = (analyzers: readonly Analyzer[]) => analyzers.every((a) => a.inPass !== undefined);

const SCORES_FILE = 'poster-scores.txt';
const PICK_FILE = 'poster-pick.txt';

/**
 * The ffmpeg arguments of the pass: the source decoded once (deinterlaced and tone-mapped once), split to every rung
 * (each encoded once and written as faststart MP4 and as HLS at the same time, tee muxer), and with `images` to the
 * poster's scoring and the storyboard's tiles, and to the analyzers' branches (the audio's too). Exported for the tests
 * and the benchmark.
 */
export function ladderArgs(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  rungs: readonly Rung[],
  options: LadderArgsOptions = {},
): string[] {
  const { images = false, segmentSeconds = 4, branches: analyses = [] } = options;
  const videoAnalyses = analyses.flatMap((a) => (a.video ? [a.video] : []));
  const audioAnalyses = info.hasAudio ? analyses.flatMap((a) => (a.audio ? [a.audio] : [])) : [];
  const branches = rungs.length + (images ? 2 : 0) + videoAnalyses.length;
  if (rungs.length + (images ? 2 : 0) === 0) throw new Error('The ladder pass needs a rung or the images');
  const pre = sourceFilters(info);
  const labels =
    rungs.map((_, i) => `[r${i}]`).join('') +
    (images ? '[pk][sb]' : '') +
    videoAnalyses.map((_, i) => `[an${i}]`).join('');
  const board = planStoryboard(info);
  const graph = [
    `[0:v:0]${pre ? `${pre},` : ''}${branches > 1 ? `split=${branches}` : 'null'}${labels}`,
    ...rungs.map((r, i) => `[r${i}]${rungFilters(r)}[v${i}]`),
    ...(images
      ? [
          `[pk]${posterPickFilters(info.durationS, SCORES_FILE, PICK_FILE)}[pick]`,
          `[sb]${storyboardTileFilters(board)}[tiles]`,
        ]
      : []),
    ...videoAnalyses.map((chain, i) => `[an${i}]${chain}`),
    ...(audioAnalyses.length > 1
      ? [
          `[0:a:0]asplit=${audioAnalyses.length}${audioAnalyses.map((_, i) => `[aa${i}]`).join('')}`,
          ...audioAnalyses.map((chain, i) => `[aa${i}]${chain}`),
        ]
      : audioAnalyses.map((chain) => `[0:a:0]${chain}`)),
  ].join(';');
  // prettier-ignore
  return [
    // An analyzer that reads ffmpeg's log (blackdetect, silencedetect, ebur128's summary) needs the info level.
    '-v', analyses.some((a) => a.logLine) ? 'info' : 'error',
    ...inputArgs(input, demuxerOf(info)),
    '-filter_complex', graph,
    ...rungs.flatMap((r, i) => [
      '-map', `[v${i}]`, ...(info.hasAudio ? ['-map', '0:a:0'] : []),
      ...rungEncodeArgs(bin, info, r, options),
      '-f', 'tee',
      `[f=mp4:movflags=+faststart]${r.name}.mp4|` +
        `[f=hls:hls_time=${segmentSeconds}:hls_playlist_type=vod:hls_flags=independent_segments:` +
        `hls_segment_type=mpegts:hls_segment_filename=${r.name}_%05d.ts]${r.name}.m3u8`,
    ]),
    ...(images
      ? ['-map', '[pick]', '-f', 'null', '-', '-map', '[tiles]', ...storyboardTileOutput(board)]
      : []),
  ];
}

/** Everything the pass may leave in the output directory, so a re-run first clears the previous set. */
function ladderFiles(rungs: readonly Rung[], images: boolean): RegExp {
  const parts = rungs.map((r) => renditionFiles(r.name).source.slice(1, -1));
  if (images) parts.push('poster\\.(jpg|webp)', 'storyboard\\.(jpg|vtt)');
  return new RegExp(`^(${parts.map((p) => `(${p})`).join('|')})$`);
}

/**
 * Encodes the given rungs (and with `images`, the poster and storyboard) in one ffmpeg process, reading the source
 * once: the per-rung path (encodeRendition, then HLS cut from each MP4, then generatePoster and generateStoryboard
 * each decoding again) does the same work in 2 + 2 × rungs + 3 processes. The poster frame is then taken from the
 * source at the picked time (one seek). Outputs appear in `outDir` only once all of them are complete.
 */
export async function encodeLadder(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  rungs: readonly Rung[],
  outDir: string,
  options: LadderOptions = {},
): Promise<Ladder> {
  const { signal, onProgress, images = false, analyzers = [], ...rest } = options;
  if (!canAnalyzeInPass(analyzers)) throw new Error('An analyzer without an inPass form cannot run in the ladder pass');
  const branches = analyzers.map((a, i) => a.inPass!(info, `analysis${i}`));
  const logged = branches.map(() => [] as string[]);
  return publishFromScratch(outDir, 'ladder', ladderFiles(rungs, images), async (dir) => {
    const started = performance.now();
    await runFfmpeg(bin.ffmpeg, ladderArgs(bin, input, info, rungs, { ...rest, signal, images, branches }), {
      ...mediaRunOptions(bin, dir, info, options),
      onStderrLine: (line) => branches.forEach((b, i) => b.logLine?.(line) && logged[i]!.push(line)),
    });
    const passMs = Math.round(performance.now() - started);
    // One analyzer's failure is recorded and does not fail the pass (as runAnalyzers does).
    const analysis = Promise.all(
      branches.map(async (b, i): Promise<AnalyzerOutcome> => {
        const name = analyzers[i]!.name;
        try {
          return { name, ok: true, result: await b.result(logged[i]!, dir), durationMs: passMs };
        } catch (e) {
          return { name, ok: false, error: e instanceof Error ? e : new Error(String(e)), durationMs: passMs };
        }
      }),
    );
    // What follows the pass is independent: each rung's description, the poster's frame, the storyboard's sprite.
    const renditions = Promise.all(rungs.map((r) => describeOutput(bin, dir, r.name)));
    let imagesMade: Promise<[Poster, Storyboard]> | null = null;
    if (images) {
      imagesMade = (async () => {
        const [scores, pick] = await Promise.all([
          readFile(join(dir, SCORES_FILE), 'utf8'),
          readFile(join(dir, PICK_FILE), 'utf8'),
        ]);
        const pre = sourceFilters(info);
        return Promise.all([
          writePoster(bin, input, info, posterTimeFrom(scores, pick), dir, {
            signal,
            ...(pre ? { filters: pre } : {}),
          }),
          assembleStoryboard(bin, dir, planStoryboard(info), info.durationS, signal),
        ]);
      })();
    }
    const [described, made, analyzed] = await Promise.all([renditions, imagesMade, analysis]);
    const [poster, storyboard] = made ?? [null, null];
    // Only the outputs move into place: the scoring and analysis files stay behind, removed with the directory.
    const outputs = ladderFiles(rungs, images);
    for (const f of await readdir(dir)) if (!outputs.test(f)) await rm(join(dir, f), { force: true });
    onProgress?.(100);
    return { renditions: described, poster, storyboard, analysis: analyzed };
  });
}
