// Real media made with ffmpeg once per run (never downloaded): a short clip for single uploads, a clip over the
// (lowered) multipart threshold for multipart ones, and a file ffmpeg cannot decode past its header (the poison job).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'arvlite-chaos-media-'));
const cache = new Map<string, Uint8Array<ArrayBuffer>>();

function ff(name: string, args: string[]): Uint8Array<ArrayBuffer> {
  const hit = cache.get(name);
  if (hit) return hit;
  const out = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  const bytes = new Uint8Array(readFileSync(out));
  cache.set(name, bytes);
  return bytes;
}

/** 2 s, 320x180, H.264/AAC: the cheap path (remux, one rung). */
export const smallClip = () =>
  ff('small.mp4', [
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
  ]);

/** ~6 MiB of noisy 640x360 H.264 over 3 s (above a 5 MiB multipart threshold: two 5 MiB parts). */
export const multipartClip = () =>
  ff('multipart.mp4', [
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
  ]);

/** A WebM (VP9) that must be encoded: the slow path, for killing workers mid-encode. */
export const encodeClip = (seconds = 6) =>
  ff(`encode-${seconds}.webm`, [
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
  ]);

/**
 * Poison: a real MP4 whose header probes fine (duration, streams) but whose media data is garbage, so every encode of
 * it crashes ffmpeg. Same bytes each call.
 */
export function poisonClip(): Uint8Array<ArrayBuffer> {
  const hit = cache.get('poison');
  if (hit) return hit;
  const good = ff('poison-src.mp4', [
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
  ]);
  const bytes = new Uint8Array(good);
  // moov first (faststart): find mdat's payload and overwrite it with a fixed pseudo-random pattern.
  const mdat = findBox(bytes, 'mdat');
  let x = 0x2545f491;
  for (let i = mdat + 8; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  cache.set('poison', bytes);
  return bytes;
}

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
