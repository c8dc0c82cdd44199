// Scene changes from ffmpeg's `scene` score, turned into chapters and the frames that open each shot.
import type { FfmpegBinaries } from '../ffmpeg-binary.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demuxerOf, inputArgs } from '../input-format.ts';
import { parseFrameMetadata } from '../frame-metadata.ts';
import type { MediaInfo } from '../probe.ts';
import { runFfmpeg } from '../run-process.ts';
import type { AnalyzeOptions, Analyzer } from './analyzer.ts';

export interface SceneCut {
  timeS: number;
  /** ffmpeg's scene score, 0–1. */
  score: number;
}

export interface Chapter {
  index: number;
  startS: number;
  endS: number;
}

export interface ScenesResult {
  threshold: number;
  cuts: SceneCut[];
  /** Opening frame of every shot: 0 and each cut. */
  keyFrames: number[];
  /** Shots merged until each lasts at least `minChapterS`. */
  chapters: Chapter[];
  minChapterS: number;
}

export interface ScenesOptions {
  /** Scene score above which a frame starts a new shot. */
  threshold?: number;
  /** Shortest chapter; by default a twentieth of the video, between 1 s and 60 s. */
  minChapterS?: number;
}

export function chaptersFromCuts(cuts: readonly number[], durationS: number, minChapterS: number): Chapter[] {
  const bounds = [0];
  for (const t of [...cuts].sort((a, b) => a - b)) {
    if (t - bounds.at(-1)! >= minChapterS && durationS - t >= minChapterS) bounds.push(t);
  }
  bounds.push(durationS);
  return bounds.slice(0, -1).map((startS, index) => ({ index, startS, endS: bounds[index + 1]! }));
}

export function createScenesAnalyzer(bin: FfmpegBinaries, options: ScenesOptions = {}): Analyzer<ScenesResult> {
  const threshold = options.threshold ?? 0.3;
  // The score compares whole frames; 320 px wide judges cuts as well as full size, for less work.
  const filters = (file: string) =>
    `scale='min(320,iw)':-2,select='gt(scene\\,${threshold})',metadata=print:file=${file}`;
  const result = (lines: readonly string[], info: MediaInfo): ScenesResult => {
    const cuts = parseFrameMetadata(lines)
      .filter((f) => f.timeS > 0)
      .map((f) => ({
        timeS: round3(f.timeS),
        score: round3(f.values['lavfi.scene_score'] ?? 0),
      }));
    const minChapterS = options.minChapterS ?? Math.min(60, Math.max(1, info.durationS / 20));
    return {
      threshold,
      cuts,
      keyFrames: [0, ...cuts.map((c) => c.timeS)],
      chapters: chaptersFromCuts(
        cuts.map((c) => c.timeS),
        info.durationS,
        minChapterS,
      ),
      minChapterS,
    };
  };
  return {
    name: 'scenes',
    async analyze(input: string, info: MediaInfo, { signal }: AnalyzeOptions = {}) {
      const lines: string[] = [];
      // prettier-ignore
      await runFfmpeg(
        bin.ffmpeg,
        [
          '-v', 'error',
          ...inputArgs(input, demuxerOf(info)),
          '-map', '0:v:0', '-an', '-sn', '-dn',
          '-vf', filters('-'),
          '-f', 'null', '-',
        ],
        { timeoutMs: bin.timeoutMs, signal, collectStdout: false, onStdoutLine: (l) => lines.push(l) },
      );
      return result(lines, info);
    },
    inPass(info: MediaInfo, tag: string) {
      const file = `${tag}-scenes.txt`;
      return {
        video: `${filters(file)},nullsink`,
        result: async (_lines, dir) => result((await readFile(join(dir, file), 'utf8')).split('\n'), info),
      };
    },
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
