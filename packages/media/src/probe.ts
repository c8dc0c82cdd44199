// ffprobe → MediaInfo, refusing anything that is not a complete, playable-in-principle video.
import { open, stat } from 'node:fs/promises';
import type { MediaInfo, Rotation } from '@arvlite/contract';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';
import {
  demuxerForContainer,
  inputArgs,
  sniffDemuxer,
  sniffFileDemuxer,
  type AcceptedContainer,
  type MediaInput,
  type VideoDemuxer,
} from './input-format.ts';
import { InvalidMediaError, MediaLimitError, MediaProcessError, isAbortError } from './media-errors.ts';
import { runProcess } from './run-process.ts';

export type { MediaInfo, Rotation } from '@arvlite/contract';

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_aspect_ratio?: string;
  field_order?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  start_time?: string;
  duration?: string;
  bit_rate?: string;
  bits_per_raw_sample?: string;
  nb_frames?: string;
  channels?: number;
  color_transfer?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
}

interface ProbeFormat {
  format_name?: string;
  start_time?: string;
  duration?: string;
  bit_rate?: string;
}

interface ProbePacket {
  stream_index: number;
  pts_time?: string;
  dts_time?: string;
  duration_time?: string;
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /** The container the upload was accepted as; a file whose bytes say otherwise is refused. */
  container?: AcceptedContainer;
  /** Refuse videos beyond these (checked before any decode). */
  limits?: MediaLimits;
  /** ffprobe's working directory (the job's scratch directory). */
  cwd?: string;
}

export interface MediaLimits {
  /** Longest accepted duration, in seconds. */
  maxDurationS?: number;
  /** Largest width × height × frames per second (display size, average rate). */
  maxPixelRate?: number;
}

const num = (v: string | number | undefined): number | null => {
  if (v === undefined || v === 'N/A') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

export function parseRational(v: string | undefined): number | null {
  if (!v) return null;
  const [a, b] = v.split(/[/:]/).map(Number);
  if (a === undefined || !Number.isFinite(a)) return null;
  if (b === undefined) return a;
  return b > 0 && a > 0 ? a / b : null;
}

function normalizeRotation(stream: ProbeStream): Rotation {
  const tag = num(stream.tags?.rotate);
  // ffprobe ≥ 5 reports the display matrix counter-clockwise; the old `rotate` tag was clockwise.
  const matrix = stream.side_data_list?.find((s) => s.side_data_type === 'Display Matrix')?.rotation;
  const cw = tag ?? (matrix !== undefined ? -matrix : 0);
  const r = (((Math.round(cw / 90) * 90) % 360) + 360) % 360;
  return r as Rotation;
}

function bitDepthOf(stream: ProbeStream): number {
  const raw = num(stream.bits_per_raw_sample);
  if (raw && raw > 0) return raw;
  const m = /p(\d{1,2})(le|be)$/.exec(stream.pix_fmt ?? '');
  return m ? Number(m[1]) : 8;
}

/** Pixel formats with an alpha plane (ffmpeg's names): yuva420p, yuva444p12le (ProRes 4444), rgba, gbrap, ya8, … */
const ALPHA_PIX_FMT = /^(yuva|rgba|bgra|argb|abgr|gbrap|ya\d|rgba64|bgra64)/;

/**
 * Whether the frames carry transparency. VP8/VP9 keep alpha in a side stream that ffmpeg's own decoders drop: ffprobe
 * then reports yuv420p and only the Matroska `alpha_mode` tag tells (decoding it needs libvpx).
 */
export function streamHasAlpha(stream: { codec_name?: string; pix_fmt?: string; tags?: Record<string, string> }) {
  if (ALPHA_PIX_FMT.test(stream.pix_fmt ?? '')) return true;
  const tag = Object.entries(stream.tags ?? {}).find(([k]) => k.toLowerCase() === 'alpha_mode')?.[1];
  return (stream.codec_name === 'vp9' || stream.codec_name === 'vp8') && tag === '1';
}

const STILL_IMAGE_FORMAT = /(^|,)(image2|image2pipe|[a-z0-9]+_pipe|apng|webp)(,|$)/;

/** Detects frame-rate variation from the packet timestamps sampled at the start of the file. */
export function timestampsIrregular(ptsTimes: number[]): boolean {
  const sorted = [...ptsTimes].sort((a, b) => a - b);
  const deltas: number[] = [];
  for (let i = 1; i < sorted.length; i++) deltas.push(sorted[i]! - sorted[i - 1]!);
  if (deltas.length < 4) return false;
  const median = [...deltas].sort((a, b) => a - b)[Math.floor(deltas.length / 2)]!;
  // Millisecond container timebases jitter a 29.97 fps stream between 33 and 34 ms: that is still CFR.
  const tolerance = Math.max(0.002, median * 0.25);
  const off = deltas.filter((d) => Math.abs(d - median) > tolerance).length;
  return off >= 2 && off / deltas.length > 0.02;
}

function invalid(reason: ConstructorParameters<typeof InvalidMediaError>[0], message: string, cause?: unknown) {
  return new InvalidMediaError(reason, message, { cause });
}

async function ffprobeJson<T>(bin: FfmpegBinaries, args: string[], signal?: AbortSignal, cwd?: string): Promise<T> {
  const { stdout } = await runProcess(bin.ffprobe, ['-v', 'error', '-of', 'json', ...args], {
    signal,
    timeoutMs: bin.timeoutMs,
    cwd,
  });
  return JSON.parse(stdout) as T;
}

export async function probe(bin: FfmpegBinaries, input: MediaInput, options: ProbeOptions = {}): Promise<MediaInfo> {
  const { signal, cwd } = options;
  const sizeBytes = typeof input === 'string' ? (await stat(input)).size : input.size;
  if (sizeBytes === 0) throw invalid('empty', 'The file is empty.');
  const demuxer = typeof input === 'string' ? await sniffFileDemuxer(input) : sniffDemuxer(input.head.subarray(0, 12));
  if (!demuxer) throw invalid('unreadable', 'The file is not an MP4, MOV, WebM or MKV video.');
  if (options.container && demuxerForContainer(options.container) !== demuxer) {
    throw invalid(
      'unreadable',
      `The file's contents are not the ${options.container.toUpperCase()} it was uploaded as.`,
    );
  }

  let meta: { streams?: ProbeStream[]; format?: ProbeFormat };
  try {
    meta = await ffprobeJson(bin, ['-show_format', '-show_streams', ...inputArgs(input, demuxer)], signal, cwd);
  } catch (err) {
    if (isAbortError(err)) throw err;
    if (err instanceof MediaProcessError) {
      if (/moov atom not found/i.test(err.stderrTail) && (await startsWithFtyp(input))) {
        throw invalid(
          'truncated',
          'The file is truncated: its MP4 index (moov atom) is missing, usually because the upload or recording was cut off.',
          err,
        );
      }
      throw invalid('unreadable', 'The file is not a video format that can be read.', err);
    }
    throw err;
  }

  const streams = meta.streams ?? [];
  const format = meta.format ?? {};
  const container = format.format_name ?? 'unknown';
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');

  if (!video) {
    throw invalid(
      'no-video',
      audio ? 'The file contains only audio; a video track is required.' : 'The file contains no video track.',
    );
  }
  if (STILL_IMAGE_FORMAT.test(container) || video.disposition?.still_image || num(video.nb_frames) === 1) {
    throw invalid('still-image', `The file is a still image (${video.codec_name ?? container}), not a video.`);
  }

  const startS = num(format.start_time) ?? 0;
  const durationS = num(format.duration) ?? num(video.duration);
  if (!durationS || durationS <= 0) throw invalid('unreadable', 'The video has no duration.');
  const storedWidth = video.width ?? 0;
  const storedHeight = video.height ?? 0;
  if (storedWidth <= 0 || storedHeight <= 0) {
    throw invalid('unreadable', 'The video has no frame size.');
  }

  checkLimits(options.limits, durationS, video, storedWidth, storedHeight);
  const packets = await samplePackets(bin, input, demuxer, durationS, signal, cwd);
  const videoPts = packets
    .filter((p) => p.stream_index === video.index)
    .map((p) => num(p.pts_time) ?? num(p.dts_time))
    .filter((t): t is number => t !== null);
  if (videoPts.length === 0) {
    throw invalid('unreadable', 'The video track holds no readable frames.');
  }
  if (videoPts.length === 1 && durationS < 0.2) {
    throw invalid('still-image', 'The file holds a single frame, not a video.');
  }

  const avgFps = parseRational(video.avg_frame_rate);
  const rFps = parseRational(video.r_frame_rate);
  const rateMismatch = avgFps !== null && rFps !== null && Math.abs(rFps - avgFps) / avgFps > 0.02;
  const headPts = videoPts.filter((t) => t <= startS + 5.5);
  const isVfr = rateMismatch || timestampsIrregular(headPts);
  const fps = avgFps ?? rFps ?? 30;
  // r_frame_rate is the base rate every timestamp fits (a phone's nominal 30 for a 29.6 average),
  // but Matroska sometimes reports its 1000/1 timebase there, and a VFR phone clip may report 120
  // for a 30 average: encoding that at a constant 60 would only duplicate frames.
  const frameRate =
    rFps !== null && video.r_frame_rate && rFps <= 240 && rFps >= fps * 0.98 && rFps <= fps * 2
      ? video.r_frame_rate
      : snapRate(fps);

  checkComplete(video, audio, format, packets, durationS, fps);

  const rotation = normalizeRotation(video);
  const sar = parseRational(video.sample_aspect_ratio) ?? 1;
  const sarWidth = sar > 0 && Math.abs(sar - 1) > 0.01 ? Math.round(storedWidth * sar) : storedWidth;
  const quarter = rotation === 90 || rotation === 270;
  const width = quarter ? storedHeight : sarWidth;
  const height = quarter ? sarWidth : storedHeight;

  const pixFmt = video.pix_fmt ?? 'unknown';
  const bitDepth = bitDepthOf(video);
  const isHdr = video.color_transfer === 'smpte2084' || video.color_transfer === 'arib-std-b67';
  const isInterlaced = ['tt', 'bb', 'tb', 'bt'].includes(video.field_order ?? '');
  const videoCodec = video.codec_name ?? 'unknown';
  const audioCodec = audio?.codec_name ?? null;
  const isStandard =
    videoCodec === 'h264' &&
    pixFmt === 'yuv420p' &&
    bitDepth === 8 &&
    !isInterlaced &&
    !isHdr &&
    rotation === 0 &&
    Math.min(width, height) <= 1080 &&
    Math.max(width, height) <= 1920 &&
    (audio === undefined || audioCodec === 'aac');

  return {
    durationS: round3(durationS),
    width,
    height,
    storedWidth,
    storedHeight,
    rotation,
    fps: round3(fps),
    frameRate,
    isVfr,
    isInterlaced,
    videoCodec,
    videoProfile: video.profile ?? null,
    pixFmt,
    bitDepth,
    hasAudio: audio !== undefined,
    audioCodec,
    audioProfile: audio?.profile ?? null,
    audioChannels: audio?.channels ?? null,
    bitrate: num(format.bit_rate),
    videoBitrate: num(video.bit_rate),
    isHdr,
    container,
    sizeBytes,
    hasAlpha: streamHasAlpha(video),
    isStandard,
  };
}

/** Duration and pixel rate from the headers, before a single frame is decoded. */
function checkLimits(
  limits: MediaLimits | undefined,
  durationS: number,
  video: ProbeStream,
  width: number,
  height: number,
) {
  if (!limits) return;
  if (limits.maxDurationS !== undefined && durationS > limits.maxDurationS) {
    throw new MediaLimitError(
      'VIDEO_TOO_LONG',
      `The video is ${Math.round(durationS)} s long; at most ${limits.maxDurationS} s are accepted.`,
    );
  }
  // The average rate, as the encoder will see it (a VFR phone clip may declare a 120 base rate for 30 frames a second).
  const rate = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate) ?? 30;
  const pixelRate = width * height * rate;
  if (limits.maxPixelRate !== undefined && pixelRate > limits.maxPixelRate) {
    throw new MediaLimitError(
      'VIDEO_TOO_LARGE',
      `The video is ${width}×${height} at ${Math.round(rate)} fps; at most ${limits.maxPixelRate} pixels per second are accepted.`,
    );
  }
}

/** An MP4 begins with an ftyp box; without one, a missing moov means garbage rather than a cut-off upload. */
async function startsWithFtyp(input: MediaInput): Promise<boolean> {
  if (typeof input !== 'string') return Buffer.from(input.head.subarray(4, 8)).toString('latin1') === 'ftyp';
  const fh = await open(input, 'r');
  try {
    const buf = Buffer.alloc(8);
    await fh.read(buf, 0, 8, 0);
    return buf.toString('latin1', 4, 8) === 'ftyp';
  } finally {
    await fh.close();
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

const COMMON_RATES = ['24000/1001', '24/1', '25/1', '30000/1001', '30/1', '48/1', '50/1', '60000/1001', '60/1'];

/** The common rate within 3 % of an average rate, else the average itself. */
export function snapRate(fps: number): string {
  let best: string | null = null;
  let bestDiff = Infinity;
  for (const rate of COMMON_RATES) {
    const diff = Math.abs(parseRational(rate)! - fps) / fps;
    if (diff < bestDiff) [best, bestDiff] = [rate, diff];
  }
  if (best && bestDiff <= 0.03) return best;
  return `${Math.round(fps * 1000)}/1000`;
}

/**
 * Reads packet timestamps from the first seconds (frame-rate sample) and the last seconds
 * (completeness): a demux only, no decode, so it stays fast on long files.
 */
async function samplePackets(
  bin: FfmpegBinaries,
  input: MediaInput,
  demuxer: VideoDemuxer,
  durationS: number,
  signal?: AbortSignal,
  cwd?: string,
) {
  const head = 5;
  const tailStart = Math.max(0, durationS - 3);
  // An explicit end (+60 s past the tail start): some ffprobe builds read nothing for an open "T%".
  const intervals = tailStart > head + 1 ? ['-read_intervals', `%+${head},${tailStart.toFixed(3)}%+60`] : [];
  const args = [
    ...intervals,
    '-show_entries',
    'packet=stream_index,pts_time,dts_time,duration_time',
    ...inputArgs(input, demuxer),
  ];
  try {
    const res = await ffprobeJson<{ packets?: ProbePacket[] }>(bin, args, signal, cwd);
    return res.packets ?? [];
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw invalid('unreadable', 'The video could not be read.', err);
  }
}

/**
 * ffprobe trusts the duration in a truncated faststart MP4's header, so compare it with where the
 * packets really end.
 */
function checkComplete(
  video: ProbeStream,
  audio: ProbeStream | undefined,
  format: ProbeFormat,
  packets: ProbePacket[],
  durationS: number,
  fps: number,
) {
  const endOf = (index: number) => {
    let end = -Infinity;
    for (const p of packets) {
      if (p.stream_index !== index) continue;
      const t = num(p.pts_time) ?? num(p.dts_time);
      if (t !== null) end = Math.max(end, t + (num(p.duration_time) ?? 0));
    }
    return end;
  };
  const tolerance = Math.max(0.5, 3 / fps);
  const videoEnd = endOf(video.index);
  const videoDuration = num(video.duration);
  let actual: number;
  let declared: number;
  if (videoDuration !== null) {
    actual = videoEnd;
    declared = (num(video.start_time) ?? num(format.start_time) ?? 0) + videoDuration;
  } else {
    // Matroska/WebM declare only the file's duration, which may be the audio's.
    actual = Math.max(videoEnd, audio ? endOf(audio.index) : -Infinity);
    declared = (num(format.start_time) ?? 0) + durationS;
  }
  if (actual < declared - tolerance) {
    const start = num(format.start_time) ?? 0;
    const got = Math.max(0, actual - start);
    throw invalid(
      'truncated',
      `The file is truncated: its data stops at ${got.toFixed(1)} s of a declared ${(declared - start).toFixed(1)} s, usually because the upload or recording was cut off.`,
    );
  }
}
