// The errors this package throws; callers map them to a step's failure code and message.

export type InvalidMediaReason = 'unreadable' | 'empty' | 'no-video' | 'still-image' | 'truncated' | 'alpha';

/** The input is not a usable video. Retrying cannot help, so callers fail the job permanently. */
export class InvalidMediaError extends Error {
  readonly code = 'INVALID_MEDIA';
  readonly reason: InvalidMediaReason;

  constructor(reason: InvalidMediaReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidMediaError';
    this.reason = reason;
  }
}

/** The video is readable but beyond the installation's limits (duration, pixel rate). Permanent, like invalid media. */
export class MediaLimitError extends Error {
  readonly code: 'VIDEO_TOO_LONG' | 'VIDEO_TOO_LARGE';

  constructor(code: 'VIDEO_TOO_LONG' | 'VIDEO_TOO_LARGE', message: string) {
    super(message);
    this.name = 'MediaLimitError';
    this.code = code;
  }
}

/** ffmpeg or ffprobe ran past its wall-clock limit and was killed. */
export class MediaTimeoutError extends Error {
  readonly code = 'PROCESSING_TIMEOUT';
  readonly timeoutMs: number;

  constructor(command: string, timeoutMs: number) {
    super(`${command} ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    this.name = 'MediaTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** ffmpeg or ffprobe exited with an error. `stderrTail` holds its last lines, which say why. */
export class MediaProcessError extends Error {
  readonly code = 'MEDIA_PROCESS_FAILED';
  readonly command: string;
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly stderrTail: string;

  constructor(command: string, exitCode: number | null, exitSignal: NodeJS.Signals | null, stderrTail: string) {
    const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${exitCode}`;
    const lastLine = stderrTail.trim().split('\n').at(-1) ?? '';
    super(lastLine ? `${command} ${how}: ${lastLine}` : `${command} ${how}`);
    this.name = 'MediaProcessError';
    this.command = command;
    this.exitCode = exitCode;
    this.exitSignal = exitSignal;
    this.stderrTail = stderrTail;
  }
}

/** No usable ffmpeg/ffprobe was found, or the configured one does not run. */
export class FfmpegNotFoundError extends Error {
  readonly code = 'FFMPEG_NOT_FOUND';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FfmpegNotFoundError';
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
