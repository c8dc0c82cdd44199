export * from './analyzers/index.ts';
export * from './ffmpeg-binary.ts';
export * from './frame-metadata.ts';
export * from './images.ts';
export * from './input-format.ts';
export * from './ladder.ts';
export * from './media-errors.ts';
export * from './probe.ts';
export * from './renditions.ts';
export {
  abortError,
  createProgressParser,
  runFfmpeg,
  runProcess,
  stopProcessLauncher,
  useProcessLauncher,
  type FfmpegRunOptions,
  type ProgressOptions,
  type RunOptions,
  type RunResult,
} from './run-process.ts';
export * from './stacked-alpha.ts';
