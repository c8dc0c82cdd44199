// Integrated loudness, true peak and loudness range (EBU R128, ffmpeg's ebur128), and the gain that reaches a target.
import type { FfmpegBinaries } from '../ffmpeg-binary.ts';
import { demuxerOf, inputArgs } from '../input-format.ts';
import type { MediaInfo } from '../probe.ts';
import { runFfmpeg } from '../run-process.ts';
import type { AnalyzeOptions, Analyzer } from './analyzer.ts';

export type LoudnessResult =
  | { hasAudio: false }
  | {
      hasAudio: true;
      /** null when the track is silent (below the absolute gate). */
      integratedLufs: number | null;
      truePeakDbtp: number | null;
      loudnessRangeLu: number | null;
      targetLufs: number;
      /** Gain to apply for the target, capped so the true peak stays at or under `maxTruePeakDbtp`. */
      gainDb: number;
      limitedByPeak: boolean;
      maxTruePeakDbtp: number;
    };

export interface LoudnessOptions {
  /** -14 LUFS is what the big streaming services normalize to. */
  targetLufs?: number;
  maxTruePeakDbtp?: number;
}

/** Reads the Summary block ebur128 logs when it finishes. */
export function parseEbur128Summary(lines: readonly string[]) {
  const start = lines.findLastIndex((l) => l.includes('Summary:'));
  const summary = start >= 0 ? lines.slice(start) : [];
  const value = (label: RegExp) => {
    for (const l of summary) {
      const m = label.exec(l);
      if (m) return m[1] === '-inf' ? -Infinity : Number(m[1]);
    }
    return null;
  };
  return {
    integrated: value(/^\s*I:\s+(-?[\d.]+|-inf)\s+LUFS/),
    range: value(/^\s*LRA:\s+(-?[\d.]+|-inf)\s+LU/),
    truePeak: value(/^\s*Peak:\s+(-?[\d.]+|-inf)\s+dBFS/),
  };
}

export function normalizationGain(integrated: number | null, truePeak: number | null, target: number, maxPeak: number) {
  // ebur128 reports -70 LUFS when the absolute gate leaves nothing: the track is silent.
  if (integrated === null || !Number.isFinite(integrated) || integrated <= -69.9) {
    return { gainDb: 0, limitedByPeak: false };
  }
  const wanted = target - integrated;
  const headroom = truePeak !== null && Number.isFinite(truePeak) ? maxPeak - truePeak : Infinity;
  const gainDb = Math.round(Math.min(wanted, headroom) * 10) / 10;
  return { gainDb, limitedByPeak: headroom < wanted };
}

export function createLoudnessAnalyzer(bin: FfmpegBinaries, options: LoudnessOptions = {}): Analyzer<LoudnessResult> {
  const targetLufs = options.targetLufs ?? -14;
  const maxTruePeakDbtp = options.maxTruePeakDbtp ?? -1;
  // The summary is logged at info level; framelog=verbose keeps the per-100 ms lines out of it.
  const filter = 'ebur128=peak=true:framelog=verbose';
  const result = (lines: readonly string[]): LoudnessResult => {
    const { integrated, range, truePeak } = parseEbur128Summary(lines);
    if (integrated === null) throw new Error('ebur128 printed no loudness summary');
    const silent = !Number.isFinite(integrated) || integrated <= -69.9;
    return {
      hasAudio: true,
      integratedLufs: silent ? null : integrated,
      truePeakDbtp: truePeak !== null && Number.isFinite(truePeak) ? truePeak : null,
      loudnessRangeLu: silent ? null : range,
      targetLufs,
      maxTruePeakDbtp,
      ...normalizationGain(integrated, truePeak, targetLufs, maxTruePeakDbtp),
    };
  };
  return {
    name: 'loudness',
    async analyze(input: string, info: MediaInfo, { signal }: AnalyzeOptions = {}) {
      if (!info.hasAudio) return { hasAudio: false };
      const lines: string[] = [];
      // prettier-ignore
      await runFfmpeg(
        bin.ffmpeg,
        [
          '-v', 'info',
          ...inputArgs(input, demuxerOf(info)),
          '-map', '0:a:0', '-vn', '-sn', '-dn',
          '-af', filter,
          '-f', 'null', '-',
        ],
        { timeoutMs: bin.timeoutMs, signal, onStderrLine: (l) => lines.push(l) },
      );
      return result(lines);
    },
    inPass(info: MediaInfo) {
      if (!info.hasAudio) return { result: async () => ({ hasAudio: false }) };
      // The summary block: its first line names the filter, the rest are its own lines, up to the next tagged one.
      let inSummary = false;
      return {
        audio: `${filter},anullsink`,
        logLine: (l: string) => {
          if (/\[Parsed_ebur128_\d+ @ [^\]]+\] Summary:/.test(l)) inSummary = true;
          else if (/^\[/.test(l)) inSummary = false;
          return inSummary;
        },
        result: async (lines) => result(lines),
      };
    },
  };
}
