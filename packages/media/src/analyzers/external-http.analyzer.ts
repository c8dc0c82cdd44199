// Sends a video's audio to an external HTTP service (transcription, tagging) and keeps its JSON answer.
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FfmpegBinaries } from '../ffmpeg-binary.ts';
import { demuxerOf, inputArgs } from '../input-format.ts';
import type { MediaInfo } from '../probe.ts';
import { runFfmpeg } from '../run-process.ts';
import type { AnalyzeOptions, Analyzer } from './analyzer.ts';

export interface ExternalHttpOptions {
  /** Registry name, e.g. "transcript". */
  name: string;
  /** Receives a multipart/form-data POST: `file` (16 kHz mono 16-bit WAV), `metadata` (JSON), plus `fields`. */
  url: string;
  headers?: Record<string, string>;
  /** Extra form fields, e.g. `{ model: 'whisper-1' }` for OpenAI-style transcription endpoints. */
  fields?: Record<string, string>;
  timeoutMs?: number;
  /** Scratch directory for the extracted audio; the OS temp directory by default. */
  tmpDir?: string;
}

export type ExternalHttpResult = { skipped: 'no-audio' } | { status: number; body: unknown };

export class ExternalAnalyzerError extends Error {
  readonly code = 'EXTERNAL_ANALYZER_FAILED';
  readonly status: number | null;

  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExternalAnalyzerError';
    this.status = status;
  }
}

/**
 * 16 kHz mono WAV is what speech services (Whisper and its servers) take without conversion; the
 * file is streamed from disk, not held in memory.
 */
export function createExternalHttpAnalyzer(
  bin: FfmpegBinaries,
  options: ExternalHttpOptions,
): Analyzer<ExternalHttpResult> {
  const { name, url, headers = {}, fields = {}, timeoutMs = 10 * 60_000 } = options;
  if (!URL.canParse(url)) throw new Error(`Analyzer ${name}: invalid URL ${url}`);
  return {
    name,
    async analyze(input: string, info: MediaInfo, { signal }: AnalyzeOptions = {}) {
      if (!info.hasAudio) return { skipped: 'no-audio' };
      const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'arvlite-analyzer-'));
      try {
        const wav = join(dir, 'audio.wav');
        // prettier-ignore
        await runFfmpeg(
          bin.ffmpeg,
          ['-v', 'error', ...inputArgs(input, demuxerOf(info)), '-map', '0:a:0', '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', wav],
          { timeoutMs: bin.timeoutMs, signal },
        );
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.set(k, v);
        form.set(
          'metadata',
          JSON.stringify({
            durationS: info.durationS,
            width: info.width,
            height: info.height,
            hasAudio: info.hasAudio,
          }),
        );
        form.set('file', await openAsBlob(wav, { type: 'audio/wav' }), 'audio.wav');
        const timeout = AbortSignal.timeout(timeoutMs);
        let res: Response;
        try {
          res = await fetch(url, {
            method: 'POST',
            headers,
            body: form,
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          });
        } catch (err) {
          if (signal?.aborted) throw err;
          throw new ExternalAnalyzerError(`${name}: ${new URL(url).host} could not be reached`, null, { cause: err });
        }
        const text = await res.text();
        if (!res.ok) {
          throw new ExternalAnalyzerError(
            `${name}: ${new URL(url).host} answered ${res.status}: ${text.slice(0, 200)}`,
            res.status,
          );
        }
        let body: unknown = text;
        if ((res.headers.get('content-type') ?? '').includes('json')) {
          try {
            body = JSON.parse(text);
          } catch (err) {
            throw new ExternalAnalyzerError(`${name}: the answer is not valid JSON`, res.status, {
              cause: err,
            });
          }
        }
        return { status: res.status, body };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
