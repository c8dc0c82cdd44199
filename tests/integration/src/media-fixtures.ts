// Small real media files generated with ffmpeg for tests (never downloaded).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'arvlite-fixtures-'));

export function tinyMp4(seconds = 1): Uint8Array {
  const out = join(dir, `tiny-${seconds}.mp4`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=10`, '-t', String(seconds), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', out]);
  return new Uint8Array(readFileSync(out));
}

export function tinyPng(): Uint8Array {
  const out = join(dir, 'tiny.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:size=64x64', '-frames:v', '1', out]);
  return new Uint8Array(readFileSync(out));
}

/** A real MP4 header followed by random bytes up to `size`: enough for upload checks, not for decoding. */
export function paddedMp4(size: number): Uint8Array {
  const head = tinyMp4(1);
  const out = new Uint8Array(size);
  out.set(head.subarray(0, Math.min(head.length, size)));
  for (let i = head.length; i < size; i += 65536) out.set(crypto.getRandomValues(new Uint8Array(Math.min(65536, size - i))), i);
  return out;
}
