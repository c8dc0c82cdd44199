// Small real media files generated with ffmpeg for tests (never downloaded).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phoneClipArgs } from '@arvlite/test-utils/media';

const dir = mkdtempSync(join(tmpdir(), 'arvlite-fixtures-'));

export function tinyMp4(seconds = 1): Uint8Array<ArrayBuffer> {
  const out = join(dir, `tiny-${seconds}.mp4`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x90:rate=10`,
    '-t',
    String(seconds),
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-movflags',
    '+faststart',
    out,
  ]);
  return new Uint8Array(readFileSync(out));
}

export function tinyPng(): Uint8Array<ArrayBuffer> {
  const out = join(dir, 'tiny.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:size=64x64', '-frames:v', '1', out]);
  return new Uint8Array(readFileSync(out));
}

/** A real MP4 header followed by random bytes up to `size`: enough for upload checks, not for decoding. */
export function paddedMp4(size: number): Uint8Array<ArrayBuffer> {
  const head = tinyMp4(1);
  const out = new Uint8Array(size);
  out.set(head.subarray(0, Math.min(head.length, size)));
  for (let i = head.length; i < size; i += 65536)
    out.set(crypto.getRandomValues(new Uint8Array(Math.min(65536, size - i))), i);
  return out;
}

function ff(args: string[], out: string): string {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  return out;
}

/** Test clips made with lavfi, a few seconds each. Returns file paths. */
export const clips = {
  landscape720: (s = 2) =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=1280x720:rate=30`,
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
        '-t',
        String(s),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
        '-movflags',
        '+faststart',
      ],
      join(dir, `landscape-${s}.mp4`),
    ),
  portraitRotated: () => {
    // Stored 640x360 with a 90° display matrix (set on a stream-copy remux): a phone held upright.
    const flat = ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=30',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=330',
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
      ],
      join(dir, 'portrait-flat.mp4'),
    );
    return ff(['-i', flat, '-c', 'copy', '-metadata:s:v:0', 'rotate=90'], join(dir, 'portrait.mp4'));
  },
  noAudio: () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=480x270:rate=25',
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
      ],
      join(dir, 'silent.mp4'),
    ),
  vfr: () =>
    // Every third frame of a 30 fps source dropped: timestamps step 1/30 s, then 2/30 s.
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        "testsrc2=s=480x270:r=30:d=2,select='not(eq(mod(n\\,3)\\,1))'",
        '-f',
        'lavfi',
        '-i',
        'sine=d=2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-fps_mode:v',
        'passthrough',
        '-c:a',
        'aac',
        '-shortest',
      ],
      join(dir, 'vfr.mp4'),
    ),
  webm: () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=480x270:rate=25',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=550',
        '-t',
        '2',
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '300k',
        '-c:a',
        'libopus',
        '-shortest',
      ],
      join(dir, 'clip.webm'),
    ),
  oneSecond: () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=480x270:rate=30',
        '-f',
        'lavfi',
        '-i',
        'sine',
        '-t',
        '1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
      ],
      join(dir, 'one.mp4'),
    ),
  audioOnly: () =>
    ff(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:a', 'aac', '-f', 'mp4'], join(dir, 'audio-only.mp4')),
  /** The first 60% of a faststart MP4: a header that promises more than the file holds. */
  truncated: () => {
    const full = readFileSync(clips.landscape720(3));
    const out = join(dir, 'truncated.mp4');
    writeFileSync(out, full.subarray(0, Math.floor(full.length * 0.6)));
    return out;
  },
  png: () =>
    ff(
      ['-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', '-f', 'image2', '-c:v', 'png'],
      join(dir, 'still.png'),
    ),
  longEncode: () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=1280x720:rate=30',
        '-f',
        'lavfi',
        '-i',
        'sine',
        '-t',
        '8',
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '1M',
        '-c:a',
        'libopus',
        '-shortest',
      ],
      join(dir, 'long.webm'),
    ),
};

const madeBytes = new Map<string, Uint8Array<ArrayBuffer>>();

/** The bytes of the file `make` writes (it returns the path), made once per process and the same on every call. */
function bytesOnce(key: string, make: () => string): Uint8Array<ArrayBuffer> {
  let bytes = madeBytes.get(key);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(make()));
    madeBytes.set(key, bytes);
  }
  return bytes;
}

/** A phone recording as it leaves the camera app (.mov, moov at the end, location and device metadata). */
export const phoneClip = (seconds = 10) => ff(phoneClipArgs(seconds), join(dir, `phone-${seconds}s.mov`));

// The clips of a steady upload load (the chaos suite), as bytes.

/** 2 s, 320x180, H.264/AAC: the cheap path (remux, one rung). */
export const smallClip = () =>
  bytesOnce('small', () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x180:rate=15',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
        '-movflags',
        '+faststart',
      ],
      join(dir, 'load-small.mp4'),
    ),
  );

/** ~6 MiB of noisy 640x360 H.264 over 3 s (above a 5 MiB multipart threshold: two 5 MiB parts). */
export const multipartClip = () =>
  bytesOnce('multipart', () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=25,noise=alls=60:allf=t',
        '-t',
        '3',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-b:v',
        '17M',
        '-maxrate',
        '17M',
        '-bufsize',
        '4M',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
      ],
      join(dir, 'load-multipart.mp4'),
    ),
  );

/** A WebM (VP9, 854x480) that must be encoded: the slow path, for killing workers mid-encode. */
export const encodeClip = (seconds = 6) =>
  bytesOnce(`encode-${seconds}`, () =>
    ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=854x480:rate=30',
        '-t',
        String(seconds),
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '1M',
      ],
      join(dir, `load-encode-${seconds}.webm`),
    ),
  );

/**
 * Poison: a real MP4 whose header probes fine (duration, streams) but whose media data is garbage, so every encode of
 * it crashes ffmpeg. The same bytes on every call and in every process.
 */
export const poisonClip = () =>
  bytesOnce('poison', () => {
    const src = ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=25',
        '-t',
        '3',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
      ],
      join(dir, 'poison-src.mp4'),
    );
    const bytes = new Uint8Array(readFileSync(src));
    // moov first (faststart): find mdat's payload and overwrite it with a fixed pseudo-random pattern.
    const mdat = findBox(bytes, 'mdat');
    let x = 0x2545f491;
    for (let i = mdat + 8; i < bytes.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    const out = join(dir, 'poison.mp4');
    writeFileSync(out, bytes);
    return out;
  });

function findBox(bytes: Uint8Array, type: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = view.getUint32(at);
    const name = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (name === type) return at;
    if (size < 8) break;
    at += size;
  }
  throw new Error(`no ${type} box`);
}

export interface ProbedStream {
  codec_type: string;
  width?: number;
  height?: number;
  side_data_list?: { rotation?: number }[];
  r_frame_rate?: string;
  avg_frame_rate?: string;
}

/** ffprobe of a file or URL: streams and duration. Async, so a server in this same process can answer it. */
export async function ffprobe(input: string): Promise<{ streams: ProbedStream[]; durationS: number }> {
  const { stdout: out } = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', input],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const j = JSON.parse(out) as { streams: ProbedStream[]; format: { duration?: string } };
  return { streams: j.streams, durationS: Number(j.format.duration ?? 0) };
}
