// Test clips generated with ffmpeg's lavfi sources, and ffprobe helpers that check outputs independently of the code under test.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { phoneClipArgs } from '@arvlite/test-utils/media';

const run = promisify(execFile);

export async function makeTempDir(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), `arvlite-media-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** ffmpeg from the command line, for fixtures and checks that must not go through the package. */
export async function ffmpeg(args: string[]) {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
/** H.264 + AAC, cut to the shorter input. */
const h264aac = [...x264, '-c:a', 'aac', '-shortest'];
const video = (size: string, d: number) => ['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=30:d=${d}`];
const tone = (d: number) => ['-f', 'lavfi', '-i', `sine=f=440:d=${d}:sample_rate=48000`];

/** Every clip the suite uses, each a few seconds long and small. */
export const clips = {
  async landscape720(dir: string) {
    const out = join(dir, 'landscape-720p.mp4');
    await ffmpeg([...video('1280x720', 3), ...tone(3), ...h264aac, out]);
    return out;
  },
  /** A phone-style clip: landscape frames with a 90° display matrix, so it shows as portrait. */
  async portraitRotated(dir: string) {
    const flat = join(dir, 'portrait-flat.mp4');
    const out = join(dir, 'portrait-rotated.mp4');
    await ffmpeg([...video('640x360', 2), ...tone(2), ...h264aac, flat]);
    await ffmpeg(['-i', flat, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out]);
    return out;
  },
  /** A phone recording as it leaves the camera app (.mov, moov at the end, location and device metadata). */
  async phone(dir: string, seconds = 6) {
    const out = join(dir, `phone-${seconds}s.mov`);
    await ffmpeg([...phoneClipArgs(seconds), out]);
    return out;
  },
  async noAudio(dir: string) {
    const out = join(dir, 'no-audio.mp4');
    await ffmpeg([...video('320x180', 2), ...x264, out]);
    return out;
  },
  /** Every third frame of a 30 fps source dropped: timestamps step 1/30 s, then 2/30 s. */
  async variableFrameRate(dir: string) {
    const out = join(dir, 'vfr.mp4');
    // prettier-ignore
    await ffmpeg([
      '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=30:d=3,select='not(eq(mod(n\\,3)\\,1))'`,
      ...tone(3), ...x264, '-fps_mode:v', 'passthrough', '-c:a', 'aac', '-shortest', out,
    ]);
    return out;
  },
  async vp9Opus(dir: string) {
    const out = join(dir, 'vp9-opus.webm');
    // prettier-ignore
    await ffmpeg([
      ...video('320x180', 2), ...tone(2),
      '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k',
      '-c:a', 'libopus', '-shortest', out,
    ]);
    return out;
  },
  async oneSecond(dir: string) {
    const out = join(dir, 'one-second.mp4');
    await ffmpeg([...video('320x180', 1), ...tone(1), ...h264aac, out]);
    return out;
  },
  /** A faststart MP4 (index first) cut at 60 %: its header still claims the full duration. */
  async truncated(dir: string) {
    const whole = join(dir, 'whole.mp4');
    const out = join(dir, 'truncated.mp4');
    const faststart = ['-movflags', '+faststart'];
    await ffmpeg([...video('320x180', 4), ...tone(4), ...h264aac, ...faststart, whole]);
    const bytes = await readFile(whole);
    await writeFile(out, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    return out;
  },
  async audioOnly(dir: string) {
    const m4a = join(dir, 'audio.m4a');
    const out = join(dir, 'audio-only.mp4');
    await ffmpeg([...tone(2), '-c:a', 'aac', m4a]);
    await copyFile(m4a, out);
    return out;
  },
  async pngAsMp4(dir: string) {
    const png = join(dir, 'still.png');
    const out = join(dir, 'still-image.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x180', '-frames:v', '1', png]);
    await copyFile(png, out);
    return out;
  },
  /** 4.5 s in three shots (black, test pattern, colour bars) over tone, silence, tone. */
  async shotsAndSilence(dir: string) {
    const out = join(dir, 'shots.mp4');
    // prettier-ignore
    await ffmpeg([
      '-filter_complex',
      'color=c=black:s=320x180:r=30:d=1.5[a];testsrc2=s=320x180:r=30:d=1.5[b];smptebars=s=320x180:r=30:d=1.5[c];' +
        '[a][b][c]concat=n=3:v=1:a=0[v];' +
        'sine=f=440:d=1.5:sample_rate=48000[x];anullsrc=r=48000:cl=mono,atrim=0:1.5[y];sine=f=880:d=1.5:sample_rate=48000[z];' +
        '[x][y][z]concat=n=3:v=0:a=1[aud]',
      '-map', '[v]', '-map', '[aud]', ...x264, '-c:a', 'aac', out,
    ]);
    return out;
  },
  /** Long enough that a slow preset is still encoding when the test aborts it. */
  async long(dir: string) {
    const out = join(dir, 'long.mp4');
    await ffmpeg([...video('320x180', 20), ...x264, out]);
    return out;
  },
};

export interface ProbedOutput {
  width: number;
  height: number;
  /** Display-matrix rotation left on the output, 0 when there is none. */
  rotation: number;
  durationS: number;
  hasAudio: boolean;
  videoCodec: string;
  audioCodec: string | null;
  pixFmt: string;
  rFrameRate: string;
  avgFrameRate: string;
}

interface RawStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  side_data_list?: Array<{ rotation?: number }>;
  tags?: Record<string, string>;
}

/** ffprobe straight from the command line, not through the package. */
export async function ffprobe(file: string): Promise<ProbedOutput> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', file]);
  const meta = JSON.parse(stdout) as { streams: RawStream[]; format: { duration: string } };
  const v = meta.streams.find((s) => s.codec_type === 'video');
  const a = meta.streams.find((s) => s.codec_type === 'audio');
  if (!v) throw new Error(`${file} has no video`);
  return {
    width: v.width ?? 0,
    height: v.height ?? 0,
    rotation: v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? Number(v.tags?.rotate ?? 0),
    durationS: Number(meta.format.duration),
    hasAudio: a !== undefined,
    videoCodec: v.codec_name,
    audioCodec: a?.codec_name ?? null,
    pixFmt: v.pix_fmt ?? '',
    rFrameRate: v.r_frame_rate ?? '',
    avgFrameRate: v.avg_frame_rate ?? '',
  };
}

/** Decodes a file (or an HLS playlist with its segments) completely; returns what ffmpeg complained about. */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
  return stderr.trim();
}

/** Sorted presentation times of every video packet. */
export async function videoPacketTimes(file: string): Promise<number[]> {
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file,
  ]);
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Number(l.split(',')[0]))
    .filter((n) => Number.isFinite(n) && n >= 0)
    .sort((a, b) => a - b);
}

/** Mean luma of an image (limited range: black is 16), measured by ffmpeg's signalstats. */
export async function meanLuma(image: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-i', image,
    '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-', '-f', 'null', '-',
  ]);
  const m = /YAVG=([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`no YAVG for ${image}`);
  return Number(m[1]);
}

export async function imageSize(image: string) {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=width,height',
    '-of',
    'csv=p=0',
    image,
  ]);
  const [width, height] = stdout.trim().split(',').map(Number);
  return { width: width ?? 0, height: height ?? 0 };
}

export async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A zombie (exited, not yet reaped by whoever inherited it) counts as gone: it runs nothing. */
export async function pidAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
