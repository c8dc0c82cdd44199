// The rendition ladder: a stream-copy remux for standard sources, H.264/AAC encodes per rung, HLS playlists.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';
import { demuxerOf, inputArgs, type MediaInput } from './input-format.ts';
import { parseRational, type MediaInfo } from './probe.ts';
import { runFfmpeg, runProcess, type FfmpegRunOptions } from './run-process.ts';
import { escapeRegExp, publishFromScratch } from './scratch-dir.ts';

export interface Rung {
  /** Also the stem of every output file name, e.g. "720p". */
  name: string;
  width: number;
  height: number;
  /** Peak video bits per second (x264 maxrate); quality comes from CRF under that cap. */
  videoBitrate: number;
  audioBitrate: number;
}

/** One playable output: a faststart MP4 plus an HLS variant playlist over MPEG-TS segments. */
export interface Rendition {
  name: string;
  width: number;
  height: number;
  frameRate: number;
  durationS: number;
  hasAudio: boolean;
  /** File names relative to the output directory, so callers can map them to storage keys. */
  mp4: string;
  playlist: string;
  segments: string[];
  files: string[];
  sizeBytes: number;
  /** RFC 6381 codecs from the written stream headers, e.g. "avc1.64001f,mp4a.40.2". */
  codecs: string;
  /** Peak and mean segment bit rates, as HLS defines BANDWIDTH and AVERAGE-BANDWIDTH. */
  bandwidth: number;
  averageBandwidth: number;
}

export interface EncodeOptions {
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  /** The encoding ffmpeg's pid, for logs (and for tests that check it is gone after an abort). */
  onSpawn?: (pid: number) => void;
  /** x264 preset; tests use ultrafast. */
  preset?: string;
  crf?: number;
  /** Target HLS segment length; keyframes fall every half of it so segments cut evenly. */
  segmentSeconds?: number;
  /** Encoder threads; ffmpeg's default is every core, which the caller's concurrency limit must allow for. */
  threads?: number;
}

/** Box each rung must fit (long × short side), so portrait and ultra-wide sources scale the same way. */
const LADDER = [
  { name: '1080p', long: 1920, short: 1080, videoBitrate: 5_000_000, audioBitrate: 128_000 },
  { name: '720p', long: 1280, short: 720, videoBitrate: 2_800_000, audioBitrate: 128_000 },
  { name: '480p', long: 854, short: 480, videoBitrate: 1_400_000, audioBitrate: 128_000 },
  { name: '360p', long: 640, short: 360, videoBitrate: 800_000, audioBitrate: 96_000 },
] as const;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * Rungs from 1080p down to 360p that need no upscaling. A source smaller than 360p gets one rung
 * at its own size.
 */
export function planLadder(info: Pick<MediaInfo, 'width' | 'height' | 'fps'>): Rung[] {
  const portrait = info.height > info.width;
  const srcLong = Math.max(info.width, info.height);
  const srcShort = Math.min(info.width, info.height);
  // Above ~30 fps the same quality needs about half as many bits again.
  const fpsFactor = info.fps > 35 ? 1.5 : 1;
  const rungs: Rung[] = [];
  for (const r of LADDER) {
    const fit = Math.min(r.long / srcLong, r.short / srcShort);
    if (fit > 1) continue; // the source is smaller than this rung: never upscale
    const long = even(srcLong * fit);
    const short = even(srcShort * fit);
    const pixelShare = (long * short) / (r.long * r.short);
    rungs.push({
      name: r.name,
      width: portrait ? short : long,
      height: portrait ? long : short,
      videoBitrate: roundK(r.videoBitrate * Math.max(pixelShare, 0.5) * fpsFactor),
      audioBitrate: r.audioBitrate,
    });
  }
  if (rungs.length === 0) {
    const smallest = LADDER.at(-1)!;
    const w = even(info.width);
    const h = even(info.height);
    const pixelShare = (w * h) / (smallest.long * smallest.short);
    rungs.push({
      name: `${Math.min(w, h)}p`,
      width: w,
      height: h,
      videoBitrate: roundK(Math.max(smallest.videoBitrate * pixelShare * fpsFactor, 150_000)),
      audioBitrate: smallest.audioBitrate,
    });
  }
  return rungs;
}

const roundK = (n: number) => Math.round(n / 1000) * 1000;

/** The source rate, halved until it is at most 60 fps (120 → 60, 100 → 50). */
export function outputFrameRate(frameRate: string): string {
  const [n = 30, d = 1] = frameRate.split('/').map(Number);
  let den = d > 0 ? d : 1;
  const numr = n > 0 ? n : 30;
  while (numr / den > 60.5) den *= 2;
  return `${numr}/${den}`;
}

/**
 * runFfmpeg's options for a run over a whole video in `cwd`: the binaries' time limit, the caller's signal and pid
 * hook, and progress by the video's duration, held at 99 until the caller's own work after the run is done.
 */
export function mediaRunOptions(
  bin: Pick<FfmpegBinaries, 'timeoutMs'>,
  cwd: string,
  info: Pick<MediaInfo, 'durationS'>,
  options: Pick<EncodeOptions, 'signal' | 'onProgress' | 'onSpawn'>,
): FfmpegRunOptions {
  const { signal, onProgress, onSpawn } = options;
  return {
    timeoutMs: bin.timeoutMs,
    cwd,
    signal,
    onSpawn,
    durationS: info.durationS,
    onProgress: onProgress && ((p) => onProgress(Math.min(p, 99))),
  };
}

/** Everything a rendition named `name` writes, so a re-run first clears the previous set. */
export const renditionFiles = (name: string) => new RegExp(`^${escapeRegExp(name)}(\\.mp4|\\.m3u8|_\\d+\\.ts)$`);

/** Cuts a finished MP4 into an HLS VOD playlist and TS segments without re-encoding. */
async function segmentHls(
  bin: FfmpegBinaries,
  dir: string,
  name: string,
  segmentSeconds: number,
  signal?: AbortSignal,
) {
  // prettier-ignore
  await runFfmpeg(
    bin.ffmpeg,
    [
      '-v', 'error',
      ...inputArgs(join(dir, `${name}.mp4`), 'mov'),
      '-map', '0', '-c', 'copy',
      '-f', 'hls',
      '-hls_time', String(segmentSeconds),
      '-hls_playlist_type', 'vod',
      '-hls_flags', 'independent_segments',
      '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', `${name}_%05d.ts`,
      `${name}.m3u8`,
    ],
    { timeoutMs: bin.timeoutMs, cwd: dir, signal },
  );
}

interface StreamHeaders {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  extradata?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
}

function hexBytes(dump: string | undefined): number[] {
  if (!dump) return [];
  const bytes: number[] = [];
  for (const line of dump.split('\n')) {
    const m = /^[0-9a-f]{8}:\s+((?:[0-9a-f]{2,4}\s)+)/i.exec(line.trim() + ' ');
    if (!m) continue;
    for (const group of m[1]!.trim().split(/\s+/)) {
      for (let i = 0; i < group.length; i += 2) bytes.push(parseInt(group.slice(i, i + 2), 16));
    }
  }
  return bytes;
}

const H264_PROFILES: Record<string, [number, number]> = {
  'Constrained Baseline': [0x42, 0xc0],
  Baseline: [0x42, 0x00],
  Main: [0x4d, 0x40],
  Extended: [0x58, 0x00],
  High: [0x64, 0x00],
  'High 10': [0x6e, 0x00],
  'High 4:2:2': [0x7a, 0x00],
  'High 4:4:4 Predictive': [0xf4, 0x00],
};

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * avc1.PPCCLL straight from the avcC box (profile, constraint flags, level), falling back to
 * ffprobe's profile name and level when the extradata is not shown.
 */
export function codecString(stream: StreamHeaders): string | null {
  if (stream.codec_name === 'h264') {
    const avcc = hexBytes(stream.extradata);
    if (avcc.length >= 4 && avcc[0] === 1) {
      return `avc1.${hex2(avcc[1]!)}${hex2(avcc[2]!)}${hex2(avcc[3]!)}`;
    }
    const known = H264_PROFILES[stream.profile ?? ''];
    if (!known || !stream.level || stream.level <= 0) return null;
    return `avc1.${hex2(known[0])}${hex2(known[1])}${hex2(stream.level)}`;
  }
  if (stream.codec_name === 'aac') {
    const asc = hexBytes(stream.extradata);
    const aot = asc.length >= 1 ? asc[0]! >> 3 : null;
    if (aot && aot !== 31) return `mp4a.40.${aot}`;
    const byProfile: Record<string, number> = { LC: 2, 'HE-AAC': 5, 'HE-AACv2': 29 };
    return `mp4a.40.${byProfile[stream.profile ?? ''] ?? 2}`;
  }
  return null;
}

/** Peak and average segment bit rates from a VOD playlist and its segment files. */
async function measurePlaylist(dir: string, playlist: string) {
  const text = await readFile(join(dir, playlist), 'utf8');
  const segments: Array<{ uri: string; durationS: number; bytes: number }> = [];
  let pending: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) pending = Number(line.slice(8).split(',')[0]);
    else if (line && !line.startsWith('#') && pending !== null) {
      const { size } = await stat(join(dir, line));
      segments.push({ uri: line, durationS: pending, bytes: size });
      pending = null;
    }
  }
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  for (const s of segments) {
    // A sub-second tail segment would overstate the peak; judge it over at least one second.
    peak = Math.max(peak, (s.bytes * 8) / Math.max(s.durationS, 1));
    bits += s.bytes * 8;
    seconds += s.durationS;
  }
  return {
    segments: segments.map((s) => s.uri),
    bandwidth: Math.ceil(peak),
    averageBandwidth: Math.ceil(seconds > 0 ? bits / seconds : 0),
  };
}

export async function describeOutput(bin: FfmpegBinaries, dir: string, name: string): Promise<Rendition> {
  // prettier-ignore
  const { stdout } = await runProcess(bin.ffprobe, [
    '-v', 'error', '-of', 'json', '-show_data',
    '-show_entries', 'stream=codec_type,codec_name,profile,level,extradata,width,height,avg_frame_rate:format=duration',
    ...inputArgs(join(dir, `${name}.mp4`), 'mov'),
  ], { cwd: dir, timeoutMs: bin.timeoutMs });
  const meta = JSON.parse(stdout) as { streams?: StreamHeaders[]; format?: { duration?: string } };
  const v = meta.streams?.find((s) => s.codec_type === 'video');
  const a = meta.streams?.find((s) => s.codec_type === 'audio');
  if (!v) throw new Error(`${name}.mp4 has no video stream`);
  const codecs = [codecString(v), a ? codecString(a) : null].filter(Boolean).join(',');
  const { segments, bandwidth, averageBandwidth } = await measurePlaylist(dir, `${name}.m3u8`);
  const files = [`${name}.mp4`, `${name}.m3u8`, ...segments];
  let sizeBytes = 0;
  for (const f of files) sizeBytes += (await stat(join(dir, f))).size;
  return {
    name,
    width: v.width ?? 0,
    height: v.height ?? 0,
    frameRate: Math.round((parseRational(v.avg_frame_rate) ?? 0) * 1000) / 1000,
    durationS: Number(meta.format?.duration ?? 0),
    hasAudio: a !== undefined,
    mp4: `${name}.mp4`,
    playlist: `${name}.m3u8`,
    segments,
    files,
    sizeBytes,
    codecs,
    bandwidth,
    averageBandwidth,
  };
}

export interface RemuxOptions {
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
  onSpawn?: (pid: number) => void;
  /** File stem of the outputs. */
  name?: string;
  segmentSeconds?: number;
}

/**
 * Makes a standard source playable in seconds: stream copy into a faststart MP4 and HLS, no
 * re-encode. Only the first video and audio tracks are kept; metadata (GPS, device) is dropped.
 */
export async function remuxFast(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  outDir: string,
  options: RemuxOptions = {},
): Promise<Rendition> {
  if (!info.isStandard) {
    throw new Error('remuxFast needs a standard source (H.264/AAC, ≤1080p, upright); encode instead');
  }
  const { signal, onProgress, onSpawn, name = 'source', segmentSeconds = 4 } = options;
  return publishFromScratch(outDir, name, renditionFiles(name), async (dir) => {
    // prettier-ignore
    await runFfmpeg(
      bin.ffmpeg,
      [
        '-v', 'error',
        ...inputArgs(input, demuxerOf(info)),
        '-map', '0:v:0', '-map', '0:a:0?',
        '-c', 'copy',
        '-map_metadata', '-1', '-map_chapters', '-1',
        '-movflags', '+faststart',
        '-f', 'mp4', `${name}.mp4`,
      ],
      mediaRunOptions(bin, dir, info, { signal, onProgress, onSpawn }),
    );
    await segmentHls(bin, dir, name, segmentSeconds, signal);
    const rendition = await describeOutput(bin, dir, name);
    onProgress?.(100);
    return rendition;
  });
}

/** One finished HLS segment: its file name and length in seconds. */
export interface HlsSegment {
  uri: string;
  durationS: number;
}

export interface ProgressiveRemuxOptions extends RemuxOptions {
  /**
   * Called, one call at a time, with the segments ffmpeg has finished since the previous call (in order, in the
   * directory `dir`), while it runs and once more after it ends. Answering false stops the remux (ffmpeg is killed and
   * remuxProgressive answers null).
   */
  onSegments: (dir: string, segments: HlsSegment[]) => Promise<boolean>;
  /** How often the playlist ffmpeg writes is read for new segments. */
  pollMs?: number;
}

/** The segments an HLS playlist lists, in order (a segment is listed only once ffmpeg has closed it). */
export function playlistSegments(text: string): HlsSegment[] {
  const out: HlsSegment[] = [];
  let pending: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) pending = Number(line.slice(8).split(',')[0]);
    else if (line && !line.startsWith('#') && pending !== null) {
      out.push({ uri: line, durationS: Number.isFinite(pending) ? pending : 0 });
      pending = null;
    }
  }
  return out;
}

/**
 * An HLS media playlist over `segments`. `ended` false: an EVENT playlist that players reload while it grows, with
 * EXT-X-START at 0 so they start from the beginning rather than at the live edge; true: the finished VOD playlist.
 */
export function mediaPlaylist(segments: readonly HlsSegment[], segmentSeconds: number, ended: boolean): string {
  const target = Math.max(segmentSeconds, ...segments.map((s) => Math.ceil(s.durationS)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...(ended ? [] : ['#EXT-X-START:TIME-OFFSET=0,PRECISE=YES']),
  ];
  for (const s of segments) lines.push(`#EXTINF:${s.durationS.toFixed(6)},`, s.uri);
  if (ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** AVC profile_idc values of the profiles H264_PROFILES names. */
const AVC_PROFILE_IDC = new Set([66, 77, 88, 100, 110, 122, 244]);

/**
 * RFC 6381 codecs of an MPEG-TS segment without running ffprobe: avc1.PPCCLL from the first sequence parameter set
 * (NAL type 7) in its first 256 KiB, the audio from the probe's AAC profile. Null when no SPS is found there.
 */
async function codecsFromSegment(
  file: string,
  info: Pick<MediaInfo, 'hasAudio' | 'audioCodec' | 'audioProfile'>,
): Promise<string | null> {
  const bytes = (await readFile(file)).subarray(0, 256 * 1024);
  let video: string | null = null;
  for (let i = bytes.indexOf(Buffer.from([0, 0, 1])); i >= 0 && i + 6 < bytes.length;) {
    const [nal, profile, flags, level] = [bytes[i + 3]!, bytes[i + 4]!, bytes[i + 5]!, bytes[i + 6]!];
    if ((nal & 0x9f) === 0x07 && AVC_PROFILE_IDC.has(profile) && level > 0) {
      video = `avc1.${hex2(profile)}${hex2(flags)}${hex2(level)}`;
      break;
    }
    i = bytes.indexOf(Buffer.from([0, 0, 1]), i + 3);
  }
  if (!video) return null;
  if (!info.hasAudio) return video;
  if (info.audioCodec !== 'aac') return null;
  const audio = codecString({ codec_name: 'aac', profile: info.audioProfile ?? 'LC' });
  return audio ? `${video},${audio}` : null;
}

/** RFC 6381 codecs of one segment from ffprobe's view of its stream headers. */
async function probeCodecs(bin: FfmpegBinaries, dir: string, file: string): Promise<string> {
  // prettier-ignore
  const { stdout } = await runProcess(bin.ffprobe, [
    '-v', 'error', '-of', 'json', '-show_data',
    '-show_entries', 'stream=codec_type,codec_name,profile,level,extradata',
    ...inputArgs(join(dir, file), 'mpegts'),
  ], { cwd: dir, timeoutMs: bin.timeoutMs });
  const streams = (JSON.parse(stdout) as { streams?: StreamHeaders[] }).streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  return [v ? codecString(v) : null, a ? codecString(a) : null].filter(Boolean).join(',');
}

/**
 * A variant as far as the first `segments` of a progressive remux tell: codecs from the first segment's stream
 * headers, size and rate from the probe, bit rates from the segments' sizes. The finished remux describes itself.
 */
export async function describeSegments(
  bin: FfmpegBinaries,
  dir: string,
  name: string,
  segments: readonly HlsSegment[],
  info: Pick<MediaInfo, 'width' | 'height' | 'fps' | 'durationS' | 'hasAudio' | 'audioCodec' | 'audioProfile'>,
): Promise<Rendition> {
  const first = segments[0];
  if (!first) throw new Error('describeSegments needs a segment');
  const codecs = (await codecsFromSegment(join(dir, first.uri), info)) ?? (await probeCodecs(bin, dir, first.uri));
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  for (const s of segments) {
    const bytes = (await stat(join(dir, s.uri))).size;
    peak = Math.max(peak, (bytes * 8) / Math.max(s.durationS, 1));
    bits += bytes * 8;
    seconds += s.durationS;
  }
  return {
    name,
    width: info.width,
    height: info.height,
    frameRate: info.fps,
    durationS: info.durationS,
    hasAudio: info.hasAudio,
    mp4: `${name}.mp4`,
    playlist: `${name}.m3u8`,
    segments: segments.map((s) => s.uri),
    files: [],
    sizeBytes: 0,
    codecs,
    bandwidth: Math.ceil(peak),
    averageBandwidth: Math.ceil(seconds > 0 ? bits / seconds : 0),
  };
}

/**
 * remuxFast while reading: one ffmpeg stream-copies the source into HLS segments and the faststart MP4 at once, and
 * hands each segment over as soon as it is closed, so a caller can publish a growing playlist long before the whole
 * source has been read. Reads `input` once, front to back (a moov at the end costs one ranged read of the tail). Only
 * the first video and audio tracks are kept; container, stream and chapter metadata (location, device, dates) are not
 * copied into either output. The final playlist is the VOD one.
 */
export async function remuxProgressive(
  bin: FfmpegBinaries,
  input: MediaInput,
  info: MediaInfo,
  outDir: string,
  options: ProgressiveRemuxOptions,
): Promise<Rendition | null> {
  if (!info.isStandard) {
    throw new Error('remuxProgressive needs a standard source (H.264/AAC, ≤1080p, upright); encode instead');
  }
  const { signal, onProgress, onSpawn, name = 'source', segmentSeconds = 4, onSegments, pollMs = 100 } = options;
  return publishFromScratch(outDir, name, renditionFiles(name), async (dir) => {
    const stop = new AbortController();
    const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const streams = ['-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-map_metadata', '-1', '-map_chapters', '-1'];
    // prettier-ignore
    const args = [
      '-v', 'error',
      ...inputArgs(input, demuxerOf(info)),
      ...streams,
      '-f', 'hls',
      '-hls_time', String(segmentSeconds),
      '-hls_playlist_type', 'event',
      '-hls_flags', 'independent_segments+temp_file',
      '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', `${name}_%05d.ts`,
      `${name}.m3u8`,
      ...streams,
      '-movflags', '+faststart',
      '-f', 'mp4', `${name}.mp4`,
    ];
    let handed = 0;
    let stopped = false;
    const handOver = async () => {
      const text = await readFile(join(dir, `${name}.m3u8`), 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw e;
      });
      const fresh = playlistSegments(text).slice(handed);
      if (fresh.length === 0 || stopped) return;
      handed += fresh.length;
      if (!(await onSegments(dir, fresh))) {
        stopped = true;
        stop.abort(new Error('stopped by the caller'));
      }
    };
    const run = runFfmpeg(bin.ffmpeg, args, mediaRunOptions(bin, dir, info, { signal: both, onProgress, onSpawn }));
    let done = false;
    const finished = run.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    try {
      while (!done && !stopped) {
        await Promise.race([finished, new Promise((r) => setTimeout(r, pollMs))]);
        if (!done) await handOver();
      }
      await run;
    } catch (e) {
      stop.abort(e);
      await finished;
      if (stopped) return null;
      throw e;
    }
    if (stopped) return null;
    await handOver();
    if (stopped) return null;
    // ffmpeg's last playlist is the EVENT one with an end; the published one is the plain VOD playlist.
    const all = playlistSegments(await readFile(join(dir, `${name}.m3u8`), 'utf8'));
    await writeFile(join(dir, `${name}.m3u8`), mediaPlaylist(all, segmentSeconds, true));
    const rendition = await describeOutput(bin, dir, name);
    onProgress?.(100);
    return rendition;
  });
}

/** Deinterlace and tone-map HDR to SDR: what every output of a source needs before its own scaling (none: ''). */
export function sourceFilters(info: MediaInfo): string {
  const f: string[] = [];
  if (info.isInterlaced) f.push('yadif');
  if (info.isHdr) {
    f.push(
      'zscale=t=linear:npl=100',
      'format=gbrpf32le',
      'zscale=p=bt709',
      'tonemap=tonemap=hable:desat=0',
      'zscale=t=bt709:m=bt709:r=tv',
    );
  }
  return f.join(',');
}

/** Scale to the rung with square pixels, 8-bit 4:2:0. */
export function rungFilters(rung: Rung): string {
  return `scale=${rung.width}:${rung.height}:flags=bicubic,setsar=1,format=yuv420p`;
}

/** Deinterlace, tone-map HDR to SDR, scale to the rung with square pixels, 8-bit 4:2:0. */
function videoFilters(info: MediaInfo, rung: Rung): string {
  return [sourceFilters(info), rungFilters(rung)].filter(Boolean).join(',');
}

/** x264 + AAC output options of one rung (everything but the maps and the output itself). */
export function rungEncodeArgs(
  bin: FfmpegBinaries,
  info: MediaInfo,
  rung: Rung,
  options: Pick<EncodeOptions, 'preset' | 'crf' | 'segmentSeconds' | 'threads'> = {},
): string[] {
  const { preset = 'veryfast', crf = 23, segmentSeconds = 4, threads } = options;
  const rate = outputFrameRate(info.frameRate);
  const gop = Math.max(1, Math.round((parseRational(rate) ?? 30) * (segmentSeconds / 2)));
  // prettier-ignore
  return [
    '-r', rate, bin.fpsModeOption, 'cfr',
    '-c:v', 'libx264', '-preset', preset, '-profile:v', 'high',
    '-crf', String(crf), '-maxrate', String(rung.videoBitrate), '-bufsize', String(rung.videoBitrate * 2),
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
    ...(info.isHdr ? ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'] : []),
    ...(info.hasAudio ? ['-c:a', 'aac', '-b:a', String(rung.audioBitrate), '-ac', '2', '-ar', '48000'] : ['-an']),
    '-sn', '-dn',
    ...(threads ? ['-threads', String(threads)] : []),
    // Sources whose audio starts long after the video would otherwise overflow the default queue.
    '-max_muxing_queue_size', '1024',
    '-map_metadata', '-1', '-map_chapters', '-1',
    // Old ffmpeg copied the legacy rotate tag to the autorotated output; 5.x needs no help.
    ...(info.rotation !== 0 ? ['-metadata:s:v:0', 'rotate=0'] : []),
  ];
}

/**
 * Encodes one rung: H.264 High/yuv420p + AAC stereo, upright (ffmpeg's autorotate turns the frames
 * and the display matrix is not carried over), constant frame rate, keyframes every half segment,
 * faststart MP4, then HLS from that MP4. A source without audio gets no audio track.
 */
export async function encodeRendition(
  bin: FfmpegBinaries,
  input: string,
  info: MediaInfo,
  rung: Rung,
  outDir: string,
  options: EncodeOptions = {},
): Promise<Rendition> {
  const { signal, onProgress, segmentSeconds = 4 } = options;
  return publishFromScratch(outDir, rung.name, renditionFiles(rung.name), async (dir) => {
    // prettier-ignore
    const args = [
      '-v', 'error',
      ...inputArgs(input, demuxerOf(info)),
      '-map', '0:v:0',
      ...(info.hasAudio ? ['-map', '0:a:0'] : []),
      '-vf', videoFilters(info, rung),
      ...rungEncodeArgs(bin, info, rung, options),
      '-movflags', '+faststart',
      '-f', 'mp4', `${rung.name}.mp4`,
    ];
    await runFfmpeg(bin.ffmpeg, args, mediaRunOptions(bin, dir, info, options));
    await segmentHls(bin, dir, rung.name, segmentSeconds, signal);
    const rendition = await describeOutput(bin, dir, rung.name);
    onProgress?.(100);
    return rendition;
  });
}

/**
 * HLS master playlist text. Variants are listed from the highest bit rate down, except that the
 * largest one up to 720p goes first: players start on the first entry, and that one starts fast
 * without looking blurry.
 */
export function buildMasterPlaylist(variants: readonly Rendition[]): string {
  const byBandwidth = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const start = byBandwidth.find((v) => Math.min(v.width, v.height) <= 720);
  const ordered = start ? [start, ...byBandwidth.filter((v) => v !== start)] : byBandwidth;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of ordered) {
    const attrs = [`BANDWIDTH=${v.bandwidth}`];
    if (v.averageBandwidth > 0) attrs.push(`AVERAGE-BANDWIDTH=${v.averageBandwidth}`);
    attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.frameRate > 0) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    if (v.codecs) attrs.push(`CODECS="${v.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.playlist);
  }
  return lines.join('\n') + '\n';
}

/** Writes `master.m3u8` (or `fileName`) beside the variant playlists; returns its file name. */
export async function writeMasterPlaylist(
  outDir: string,
  variants: readonly Rendition[],
  fileName = 'master.m3u8',
): Promise<string> {
  if (variants.length === 0) throw new Error('A master playlist needs at least one variant');
  await writeFile(join(outDir, fileName), buildMasterPlaylist(variants));
  return fileName;
}
