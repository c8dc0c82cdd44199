// Sends a video's audio to an external HTTP service (transcription, tagging) and keeps its JSON answer. The request
// goes through an injected function (the worker passes the SSRF-checked one), so this package sends nothing itself.
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FfmpegBinaries } from '../ffmpeg-binary.ts';
import { demuxerOf, inputArgs } from '../input-format.ts';
import type { MediaInfo } from '../probe.ts';
import { runFfmpeg } from '../run-process.ts';
import type { AnalyzeOptions, Analyzer } from './analyzer.ts';

/** One POST, as the SSRF guard sends it: checked address, no redirects followed, bounded answer and time. */
export interface AnalyzerHttpRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: Readable;
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface AnalyzerHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** True when the answer was longer than maxResponseBytes (the rest was not read). */
  truncated: boolean;
}

export type AnalyzerHttpClient = (request: AnalyzerHttpRequest) => Promise<AnalyzerHttpResponse>;

/** The most of an answer kept: a JSON transcript or tag list fits; anything longer fails the analyzer. */
export const EXTERNAL_ANALYZER_MAX_ANSWER_BYTES = 1024 * 1024;

export interface ExternalHttpOptions {
  /** Registry name, e.g. "transcript". */
  name: string;
  /** Receives a multipart/form-data POST: `file` (16 kHz mono 16-bit WAV), `metadata` (JSON), plus `fields`. */
  url: string;
  headers?: Record<string, string>;
  /** Extra form fields, e.g. `{ model: 'whisper-1' }` for OpenAI-style transcription endpoints. */
  fields?: Record<string, string>;
  timeoutMs?: number;
  /** Sends the request; the worker injects the SSRF-checked client (`safeRequest` under the configured policy). */
  request: AnalyzerHttpClient;
  maxResponseBytes?: number;
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
  const {
    name,
    url,
    headers = {},
    fields = {},
    timeoutMs = 10 * 60_000,
    request,
    maxResponseBytes = EXTERNAL_ANALYZER_MAX_ANSWER_BYTES,
  } = options;
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
        // The form encoded as a stream (the WAV is read from disk as it is sent), with its multipart boundary.
        const encoded = new Request('http://form.invalid/', { method: 'POST', body: form });
        let res: AnalyzerHttpResponse;
        try {
          res = await request({
            url,
            method: 'POST',
            headers: { ...headers, 'content-type': encoded.headers.get('content-type')! },
            body: Readable.fromWeb(encoded.body! as WebReadableStream<Uint8Array>),
            timeoutMs,
            maxResponseBytes,
            signal,
          });
        } catch (err) {
          if (signal?.aborted) throw err;
          const why = err instanceof Error ? err.message : String(err);
          throw new ExternalAnalyzerError(`${name}: ${new URL(url).host} could not be reached: ${why}`, null, {
            cause: err,
          });
        }
        const text = res.body.toString('utf8');
        if (res.status >= 300 && res.status < 400) {
          throw new ExternalAnalyzerError(
            `${name}: ${new URL(url).host} answered a redirect (not followed)`,
            res.status,
          );
        }
        if (res.status < 200 || res.status >= 300) {
          throw new ExternalAnalyzerError(
            `${name}: ${new URL(url).host} answered ${res.status}: ${text.slice(0, 200)}`,
            res.status,
          );
        }
        if (res.truncated) {
          throw new ExternalAnalyzerError(`${name}: the answer is larger than ${maxResponseBytes} bytes`, res.status);
        }
        let body: unknown = text;
        if (String(res.headers['content-type'] ?? '').includes('json')) {
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
