import type { FfmpegBinaries } from '../ffmpeg-binary.ts';
import type { Analyzer } from './analyzer.ts';
import { createLoudnessAnalyzer, type LoudnessOptions } from './loudness.analyzer.ts';
import { createScenesAnalyzer, type ScenesOptions } from './scenes.analyzer.ts';
import { createSilenceBlackAnalyzer, type SilenceBlackOptions } from './silence-black.analyzer.ts';

export * from './analyzer.ts';
export * from './external-http.analyzer.ts';
export * from './loudness.analyzer.ts';
export * from './scenes.analyzer.ts';
export * from './silence-black.analyzer.ts';

export interface BuiltInAnalyzerOptions {
  scenes?: ScenesOptions;
  loudness?: LoudnessOptions;
  silenceBlack?: SilenceBlackOptions;
}

/** The analyzers that need nothing but ffmpeg: `scenes`, `loudness`, `silence-black`. */
export function builtInAnalyzers(bin: FfmpegBinaries, options: BuiltInAnalyzerOptions = {}): Analyzer[] {
  return [
    createScenesAnalyzer(bin, options.scenes),
    createLoudnessAnalyzer(bin, options.loudness),
    createSilenceBlackAnalyzer(bin, options.silenceBlack),
  ];
}
