// Poster images and the storyboard sprite + WebVTT used for scrubbing previews.
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';
import { demuxerOf, inputArgs } from './input-format.ts';
import type { MediaInfo } from './probe.ts';
import { parseFrameMetadata } from './frame-metadata.ts';
import { runFfmpeg } from './run-process.ts';
import { publishFromScratch } from './scratch-dir.ts';

export interface ImageOptions {
  signal?: AbortSignal;
}

export interface Poster {
  /** File names relative to the output directory. */
  jpeg: string;
  webp: string;
  /** Where in the video the frame comes from. */
  timeS: number;
  width: number;
  height: number;
}

/** Mean luma (limited range, black = 16) below which a frame counts as black. */
const BLACK_YAVG = 32;
/** Frames scored per video; beyond this the candidates are spread evenly. */
const MAX_CANDIDATES = 200;
/** Full decodes are cheap for short videos; longer ones are sampled on keyframes only. */
const KEYFRAMES_ONLY_AFTER_S = 30;

interface Candidate {
  timeS: number;
  yavg: number;
}

/** Seconds between the frames scored for the poster: at most MAX_CANDIDATES over the video. */
const scoreStep = (durationS: number) => Math.max(durationS / MAX_CANDIDATES, 0.001);

/** Filters that sample frames for the poster and attach their mean luma (signalstats), before `tail`. */
function scoreFilters(durationS: number, tail: string): string {
  const step = scoreStep(durationS).toFixed(3);
  return `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${step})',scale=160:-2,signalstats,${tail}`;
}

/** Keeps the sampled frames brighter than black and lets ffmpeg's `thumbnail` pick the most typical of them. */
const PICK_TAIL = `metadata=select:key=lavfi.signalstats.YAVG:value=${BLACK_YAVG}:function=greater,thumbnail=n=${MAX_CANDIDATES + 50}`;

async function scoreFrames(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  tail: string,
  signal?: AbortSignal,
): Promise<Candidate[]> {
  const lines: string[] = [];
  // prettier-ignore
  await runFfmpeg(
    bin.ffmpeg,
    [
      '-v', 'error',
      ...(info.durationS > KEYFRAMES_ONLY_AFTER_S ? ['-skip_frame', 'nokey'] : []),
      ...inputArgs(input, demuxerOf(info)),
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-vf', `${scoreFilters(info.durationS, tail)},metadata=print:file=-`,
      '-f', 'null', '-',
    ],
    { timeoutMs: bin.timeoutMs, signal, onStdoutLine: (l) => lines.push(l), collectStdout: false },
  );
  return candidates(lines);
}

function candidates(lines: readonly string[]): Candidate[] {
  return parseFrameMetadata(lines).map((f) => ({
    timeS: f.timeS,
    yavg: f.values['lavfi.signalstats.YAVG'] ?? 0,
  }));
}

const brightest = (all: readonly Candidate[]) =>
  all.reduce<Candidate | null>((best, c) => (!best || c.yavg > best.yavg ? c : best), null);

/**
 * The poster's branch of a filter graph that decodes the video anyway (the one-pass ladder): the sampled frames' luma
 * printed to `scoresFile`, the picked frame to `pickFile` (relative to ffmpeg's working directory). Map its output
 * to a null sink; `posterTimeFrom` reads the two files afterwards.
 */
export function posterPickFilters(durationS: number, scoresFile: string, pickFile: string): string {
  return scoreFilters(durationS, `metadata=print:file=${scoresFile},${PICK_TAIL},metadata=print:file=${pickFile}`);
}

/**
 * The poster's time from what posterPickFilters printed: the picked frame, else (dark throughout) the brightest one;
 * from the first sampled frame, so a source whose timestamps do not start at 0 gives the time into the video.
 */
export function posterTimeFrom(scoresText: string, pickText: string): number {
  const all = candidates(scoresText.split('\n'));
  const start = all[0]?.timeS ?? 0;
  const picked = candidates(pickText.split('\n'))[0] ?? brightest(all);
  return Math.max(0, Math.round(((picked?.timeS ?? start) - start) * 1000) / 1000);
}

/** Fits a display size into a square box without upscaling; both sides even. */
export function fitBox(width: number, height: number, box: number) {
  const scale = Math.min(1, box / Math.max(width, height));
  const even = (n: number) => Math.max(2, Math.round((n * scale) / 2) * 2);
  return { width: even(width), height: even(height) };
}

/**
 * Picks a representative, non-black frame: frames are sampled, those with a mean luma under the
 * black threshold are dropped, and ffmpeg's `thumbnail` filter picks the one closest to the
 * average colour histogram of the rest. A video that is dark throughout gets its brightest frame.
 */
export async function choosePosterTime(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  options: ImageOptions = {},
): Promise<number> {
  const picked = await scoreFrames(bin, input, info, PICK_TAIL, options.signal);
  if (picked[0]) return picked[0].timeS;
  const all = await scoreFrames(bin, input, info, 'null', options.signal);
  return brightest(all)?.timeS ?? 0;
}

/** Writes `poster.jpg` and `poster.webp` (at most 1280 px on the long side, upright). */
export async function generatePoster(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  outDir: string,
  options: ImageOptions = {},
): Promise<Poster> {
  const timeS = await choosePosterTime(bin, input, info, options);
  return publishFromScratch(outDir, 'poster', /^poster\.(jpg|webp)$/, (dir) =>
    writePoster(bin, input, info, timeS, dir, { signal: options.signal }),
  );
}

/**
 * Writes `poster.jpg` and `poster.webp` into `dir`: the frame at `timeS`, at most 1280 px on the long side, through
 * `filters` first when given (the one-pass ladder's deinterlace or tone mapping, so an original can be the input).
 */
export async function writePoster(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  timeS: number,
  dir: string,
  options: ImageOptions & { filters?: string } = {},
): Promise<Poster> {
  const { width, height } = fitBox(info.width, info.height, 1280);
  const pre = options.filters ? `${options.filters},` : '';
  // prettier-ignore
  await runFfmpeg(
    bin.ffmpeg,
    [
      '-v', 'error',
      '-ss', timeS.toFixed(3),
      ...inputArgs(input, demuxerOf(info)),
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-filter_complex', `[0:v:0]${pre}scale=${width}:${height}:flags=lanczos,setsar=1,split=2[j][w]`,
      '-map', '[j]', '-frames:v', '1', '-q:v', '3', '-update', '1', 'poster.jpg',
      '-map', '[w]', '-frames:v', '1', '-c:v', 'libwebp', '-quality', '80', '-update', '1', 'poster.webp',
    ],
    { timeoutMs: bin.timeoutMs, cwd: dir, signal: options.signal },
  );
  return { jpeg: 'poster.jpg', webp: 'poster.webp', timeS, width, height };
}

export interface StoryboardOptions extends ImageOptions {
  /** Seconds between tiles; by default chosen so the sprite holds at most `maxTiles`. */
  intervalS?: number;
  maxTiles?: number;
  tileWidth?: number;
  columns?: number;
}

export interface Storyboard {
  /** File names relative to the output directory; the VTT refers to the sprite by this name. */
  sprite: string;
  vtt: string;
  intervalS: number;
  tiles: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

function vttTime(s: number): string {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(sec)}.${pad(ms % 1000, 3)}`;
}

/** The WebVTT thumbnail track: one cue per tile, pointing into the sprite with a `#xywh=` fragment. */
export function buildStoryboardVtt(
  sprite: string,
  layout: Pick<Storyboard, 'intervalS' | 'tiles' | 'columns' | 'tileWidth' | 'tileHeight'>,
  durationS: number,
): string {
  const cues = ['WEBVTT', ''];
  for (let i = 0; i < layout.tiles; i++) {
    const start = i * layout.intervalS;
    const end = i === layout.tiles - 1 ? Math.max(durationS, start + 0.001) : (i + 1) * layout.intervalS;
    const x = (i % layout.columns) * layout.tileWidth;
    const y = Math.floor(i / layout.columns) * layout.tileHeight;
    cues.push(
      `${vttTime(start)} --> ${vttTime(end)}`,
      `${sprite}#xywh=${x},${y},${layout.tileWidth},${layout.tileHeight}`,
      '',
    );
  }
  return cues.join('\n');
}

/** Where the storyboard's tiles come from: one every `intervalS`, `planned` of them at most, each tile's size. */
export interface StoryboardPlan {
  intervalS: number;
  planned: number;
  tileWidth: number;
  tileHeight: number;
  maxColumns: number;
}

export function planStoryboard(
  info: Pick<MediaInfo, 'durationS' | 'width' | 'height'>,
  options: StoryboardOptions = {},
): StoryboardPlan {
  const { maxTiles = 100, tileWidth = 160, columns: maxColumns = 10 } = options;
  const intervalS = options.intervalS ?? Math.max(1, Math.ceil(info.durationS / maxTiles));
  const planned = Math.max(1, Math.ceil(info.durationS / intervalS - 1e-6));
  const tileHeight = Math.max(2, Math.round((tileWidth * info.height) / info.width / 2) * 2);
  return { intervalS, planned, tileWidth, tileHeight, maxColumns };
}

/** The filters that turn decoded frames into the storyboard's tiles; write them as `STORYBOARD_TILES` JPEGs. */
export function storyboardTileFilters(plan: StoryboardPlan): string {
  return `fps=1/${plan.intervalS}:round=up,scale=${plan.tileWidth}:${plan.tileHeight},setsar=1`;
}

/** The output options that write the tiles, in the directory `assembleStoryboard` then reads. */
export function storyboardTileOutput(plan: StoryboardPlan): string[] {
  return ['-frames:v', String(plan.planned), '-q:v', '4', 'tile_%05d.jpg'];
}

/**
 * Writes `storyboard.jpg` (tiles every `intervalS`, left to right, top to bottom) and
 * `storyboard.vtt`. It decodes the whole input, so pass the smallest rendition rather than a
 * large original when one exists.
 */
export async function generateStoryboard(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  outDir: string,
  options: StoryboardOptions = {},
): Promise<Storyboard> {
  const plan = planStoryboard(info, options);
  return publishFromScratch(outDir, 'storyboard', /^storyboard\.(jpg|vtt)$/, async (dir) => {
    // prettier-ignore
    await runFfmpeg(
      bin.ffmpeg,
      [
        '-v', 'error',
        // Tiles several seconds apart do not need the frames between keyframes.
        ...(plan.intervalS >= 5 ? ['-skip_frame', 'nokey'] : []),
        ...inputArgs(input, demuxerOf(info)),
        '-map', '0:v:0', '-an', '-sn', '-dn',
        '-vf', storyboardTileFilters(plan),
        ...storyboardTileOutput(plan),
      ],
      { timeoutMs: bin.timeoutMs, cwd: dir, signal: options.signal },
    );
    return assembleStoryboard(bin, dir, plan, info.durationS, options.signal);
  });
}

/** Lays the tiles in `dir` out as `storyboard.jpg` with its `storyboard.vtt`, then removes the tiles. */
export async function assembleStoryboard(
  bin: FfmpegBinaries,
  dir: string,
  plan: StoryboardPlan,
  durationS: number,
  signal?: AbortSignal,
): Promise<Storyboard> {
  const { intervalS, tileWidth, tileHeight } = plan;
  const tileFiles = (await readdir(dir)).filter((f) => /^tile_\d+\.jpg$/.test(f)).sort();
  const tiles = tileFiles.length;
  if (tiles === 0) throw new Error('The storyboard pass produced no frames');
  const columns = Math.min(tiles, plan.maxColumns);
  const rows = Math.ceil(tiles / columns);
  // prettier-ignore
  await runFfmpeg(
    bin.ffmpeg,
    [
      '-v', 'error',
      '-framerate', '1', ...inputArgs(join(dir, 'tile_%05d.jpg'), 'image2'),
      '-vf', `tile=${columns}x${rows}`,
      '-frames:v', '1', '-q:v', '4', '-update', '1',
      'storyboard.jpg',
    ],
    { timeoutMs: bin.timeoutMs, cwd: dir, signal },
  );
  const layout = { intervalS, tiles, columns, rows, tileWidth, tileHeight };
  await writeFile(join(dir, 'storyboard.vtt'), buildStoryboardVtt('storyboard.jpg', layout, durationS));
  await Promise.all(tileFiles.map((f) => rm(join(dir, f))));
  return { sprite: 'storyboard.jpg', vtt: 'storyboard.vtt', ...layout };
}
