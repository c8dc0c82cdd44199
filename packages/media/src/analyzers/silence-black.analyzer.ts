// Black and silent stretches (ffmpeg's blackdetect and silencedetect), in one decode.
import type { FfmpegBinaries } from '../ffmpeg-binary.ts';
import { demuxerOf, inputArgs } from '../input-format.ts';
import type { MediaInfo } from '../probe.ts';
import { runFfmpeg } from '../run-process.ts';
import type { AnalyzeOptions, Analyzer } from './analyzer.ts';

export interface Segment {
  startS: number;
  endS: number;
}

export interface SilenceBlackResult {
  black: Segment[];
  /** Empty when the video has no audio track; see `hasAudio`. */
  silence: Segment[];
  hasAudio: boolean;
}

export interface SilenceBlackOptions {
  /** Shortest stretch reported. */
  minDurationS?: number;
  /** Level under which audio counts as silent. */
  silenceDb?: number;
  /** Luma (0–1) under which a pixel counts as black. */
  blackPixelThreshold?: number;
}

/** Parses blackdetect/silencedetect log lines; a stretch still open at the end closes at the duration. */
export function parseDetections(lines: readonly string[], durationS: number) {
  const black: Segment[] = [];
  const silence: Segment[] = [];
  let silenceStart: number | null = null;
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  for (const line of lines) {
    const b = /black_start:\s*(-?[\d.]+)\s+black_end:\s*(-?[\d.]+)/.exec(line);
    if (b)
      black.push({
        startS: r3(Math.max(0, Number(b[1]))),
        endS: r3(Math.min(durationS, Number(b[2]))),
      });
    const s = /silence_start:\s*(-?[\d.e+-]+)/.exec(line);
    if (s) silenceStart = Math.max(0, Number(s[1]));
    const e = /silence_end:\s*(-?[\d.e+-]+)/.exec(line);
    if (e && silenceStart !== null) {
      silence.push({ startS: r3(silenceStart), endS: r3(Math.min(durationS, Number(e[1]))) });
      silenceStart = null;
    }
  }
  if (silenceStart !== null && durationS > silenceStart)
    silence.push({ startS: r3(silenceStart), endS: r3(durationS) });
  return { black, silence };
}

export function createSilenceBlackAnalyzer(
  bin: FfmpegBinaries,
  options: SilenceBlackOptions = {},
): Analyzer<SilenceBlackResult> {
  const d = options.minDurationS ?? 0.5;
  const noise = options.silenceDb ?? -50;
  const pixTh = options.blackPixelThreshold ?? 0.1;
  const silence = `silencedetect=n=${noise}dB:d=${d}`;
  const black = `blackdetect=d=${d}:pix_th=${pixTh}`;
  // Detections are logged at info level.
  const logLine = (l: string) => /black_start|silence_(start|end)/.test(l);
  const result = (lines: readonly string[], info: MediaInfo) => ({
    ...parseDetections(lines, info.durationS),
    hasAudio: info.hasAudio,
  });
  return {
    name: 'silence-black',
    async analyze(input: string, info: MediaInfo, { signal }: AnalyzeOptions = {}) {
      const lines: string[] = [];
      // prettier-ignore
      await runFfmpeg(
        bin.ffmpeg,
        [
          '-v', 'info',
          ...inputArgs(input, demuxerOf(info)),
          '-map', '0:v:0',
          ...(info.hasAudio ? ['-map', '0:a:0', '-af', silence] : []),
          '-sn', '-dn',
          '-vf', black,
          '-f', 'null', '-',
        ],
        { timeoutMs: bin.timeoutMs, signal, onStderrLine: (l) => logLine(l) && lines.push(l) },
      );
      return result(lines, info);
    },
    inPass(info: MediaInfo) {
      return {
        video: `${black},nullsink`,
        ...(info.hasAudio ? { audio: `${silence},anullsink` } : {}),
        logLine,
        result: async (lines) => result(lines, info),
      };
    },
  };
}
