// The standard clip for the Pipeline rows: 720p30 (other heights for warm-ups) H.264 High / AAC stereo in a faststart MP4, as a phone or an
// editor exports it, made with ffmpeg's lavfi sources. Kept in .data/bench-clips between runs (it takes a while).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../services.ts';

export async function standardClip(seconds: number, height = 720): Promise<string> {
  const width = Math.round((height * 16) / 9 / 2) * 2;
  const dir = path.join(repoRoot, '.data', 'bench-clips');
  const file = path.join(dir, `standard-${height}p30-${seconds}s.mp4`);
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial.mp4`;
  // Moving test pattern and a tone that changes every 5 s, so scene, loudness and silence analyzers see something.
  // prettier-ignore
  await promisify(execFile)('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}:beep_factor=4`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '60',
    '-b:v', '4M', '-maxrate', '5M', '-bufsize', '8M',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
    '-movflags', '+faststart', partial,
  ]);
  await rename(partial, file);
  return file;
}

/**
 * A phone recording as the camera app leaves it, for the long-clip Time-to-playable row: 1080p30 H.264 High / AAC in
 * a .mov at a phone's bit rate (16 Mbit/s constant), 1 s keyframes, the index (moov) at the end, and personal
 * metadata (a location, make, model, software, dates). One 10 s piece is encoded and then repeated by stream copy,
 * so a 10-minute clip takes seconds to make; kept in .data/bench-clips.
 */
export async function phoneClip(seconds: number): Promise<string> {
  const dir = path.join(repoRoot, '.data', 'bench-clips');
  const file = path.join(dir, `phone-1080p30-${seconds}s.mov`);
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  const piece = path.join(dir, 'phone-piece-1080p30-10s.mov');
  const run = promisify(execFile);
  if (!existsSync(piece)) {
    const partial = `${piece}.${process.pid}.partial.mov`;
    // prettier-ignore
    await run('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=10,noise=alls=12:allf=t',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10:beep_factor=4',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '30',
      '-b:v', '16M', '-minrate', '16M', '-maxrate', '16M', '-bufsize', '16M', '-x264-params', 'nal-hrd=cbr',
      '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
      partial,
    ]);
    await rename(partial, piece);
  }
  const partial = `${file}.${process.pid}.partial.mov`;
  // prettier-ignore
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-stream_loop', String(Math.ceil(seconds / 10) - 1), '-i', piece,
    '-map', '0:v', '-map', '0:a', '-c', 'copy', '-t', String(seconds),
    '-movflags', 'use_metadata_tags',
    '-metadata', 'location=+59.9343+030.3351+012.000/',
    '-metadata', 'com.apple.quicktime.location.ISO6709=+59.9343+030.3351+012.000/',
    '-metadata', 'com.apple.quicktime.make=Apple',
    '-metadata', 'com.apple.quicktime.model=iPhone 15 Pro',
    '-metadata', 'com.apple.quicktime.software=17.4.1',
    '-metadata', 'creation_time=2026-05-01T10:20:30Z',
    '-metadata:s:v:0', 'handler_name=Core Media Video',
    partial,
  ]);
  await rename(partial, file);
  return file;
}
