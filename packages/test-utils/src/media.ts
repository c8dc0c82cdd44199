// Media fixtures and checks shared by the media package's tests and the integration tests: what a phone clip carries
// and how to read it back with ffprobe from the command line (never through the code under test). Node built-ins
// only, so that a package as low as @arvlite/media can use it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the phone clip says it was recorded (ISO 6709). */
export const PHONE_LOCATION = '+59.9343+030.3351+012.000/';

/** Tags that say where, when, or on what a clip was recorded. */
export const PERSONAL = /location|xyz|6709|make|model|software|creation_time|date|iphone|apple|core media/i;

/**
 * ffmpeg's inputs and options (no output, no global flags) for a phone recording as it leaves the camera app:
 * 1080p30 H.264 with 1 s keyframes and stereo AAC, the index (moov) at the end when written to .mov, and personal
 * metadata: a location (QuickTime's ISO 6709 key and MP4's ©xyz), make, model, software, dates.
 */
export function phoneClipArgs(seconds: number): string[] {
  // prettier-ignore
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-shortest',
    '-movflags', 'use_metadata_tags',
    '-metadata', `location=${PHONE_LOCATION}`,
    '-metadata', `com.apple.quicktime.location.ISO6709=${PHONE_LOCATION}`,
    '-metadata', 'com.apple.quicktime.make=Apple',
    '-metadata', 'com.apple.quicktime.model=iPhone 15 Pro',
    '-metadata', 'com.apple.quicktime.software=17.4.1',
    '-metadata', 'creation_time=2026-05-01T10:20:30Z',
    '-metadata:s:v:0', 'handler_name=Core Media Video',
    '-metadata:s:v:0', 'creation_time=2026-05-01T10:20:30Z',
  ];
}

/** Every tag ffprobe finds on a file's (or URL's) container and streams, as `scope:key=value`. */
export async function metadataTags(input: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-of',
    'json',
    '-show_entries',
    'format_tags:stream_tags',
    input,
  ]);
  const meta = JSON.parse(stdout) as { format?: { tags?: object }; streams?: { tags?: object }[] };
  const out = Object.entries(meta.format?.tags ?? {}).map(([k, v]) => `format:${k}=${String(v)}`);
  for (const [i, s] of (meta.streams ?? []).entries())
    out.push(...Object.entries(s.tags ?? {}).map(([k, v]) => `stream${i}:${k}=${String(v)}`));
  return out;
}
