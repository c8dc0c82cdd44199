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
