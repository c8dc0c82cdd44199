// Finds the ffmpeg and ffprobe to use: a configured path, else PATH, else the npm-shipped 4.x builds.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FfmpegNotFoundError } from './media-errors.ts';
import { runProcess } from './run-process.ts';

export type FfmpegSource = 'option' | 'path' | 'installer';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  source: { ffmpeg: FfmpegSource; ffprobe: FfmpegSource };
  /** As ffmpeg prints it, e.g. "5.1.9-0+deb12u1" or "N-47683-g0e8eb07980-static". */
  version: string;
  /** null for git snapshot builds, which carry no release number. */
  major: number | null;
  /** `-fps_mode` arrived in ffmpeg 5.1; older builds only know `-vsync`. */
  fpsModeOption: '-fps_mode' | '-vsync';
  warnings: string[];
  /** Wall-clock limit of each ffmpeg/ffprobe run on media (none when undefined). */
  timeoutMs?: number;
}

export interface ResolveFfmpegOptions {
  /** FFMPEG_PATH from config. When set it must work: a broken configured path is an error, not a fallback. */
  ffmpegPath?: string;
  /** Defaults to the ffprobe beside ffmpegPath, else PATH. */
  ffprobePath?: string;
  onWarning?: (message: string) => void;
  /** Skip PATH (tests of the fallback). */
  skipPath?: boolean;
  /**
   * NODE_ENV=production: the npm-shipped 4.1 build and any ffmpeg older than 5 are refused (an error, not a warning),
   * so a worker without a maintained ffmpeg fails at start instead of processing user files with it.
   */
  production?: boolean;
  /** Wall-clock limit of each run on media; carried on the result. */
  timeoutMs?: number;
}

const require = createRequire(import.meta.url);

async function versionLine(command: string): Promise<string | null> {
  try {
    const { stdout } = await runProcess(command, ['-hide_banner', '-version'], {
      dieWithParent: false,
    });
    return stdout.split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

function installerPath(pkg: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string | null {
  try {
    // These packages throw a string (not an Error) on platforms they do not ship.
    return (require(pkg) as { path: string }).path;
  } catch {
    return null;
  }
}

async function pick(
  name: 'ffmpeg' | 'ffprobe',
  explicit: string | undefined,
  skipPath: boolean,
): Promise<{ path: string; source: FfmpegSource; line: string }> {
  if (explicit) {
    const line = await versionLine(explicit);
    if (line === null) {
      throw new FfmpegNotFoundError(`The configured ${name} (${explicit}) does not run`);
    }
    return { path: explicit, source: 'option', line };
  }
  if (!skipPath) {
    // spawn() does the PATH lookup, so this module never reads the environment itself.
    const line = await versionLine(name);
    if (line !== null) return { path: name, source: 'path', line };
  }
  const shipped = installerPath(name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe');
  const line = shipped ? await versionLine(shipped) : null;
  if (shipped && line !== null) return { path: shipped, source: 'installer', line };
  throw new FfmpegNotFoundError(`No ${name} found: install ffmpeg ≥ 5 or set FFMPEG_PATH`);
}

export function parseFfmpegVersion(line: string): {
  version: string;
  major: number | null;
  minor: number | null;
} {
  const version = /version\s+(\S+)/.exec(line)?.[1] ?? 'unknown';
  const release = /^n?(\d+)\.(\d+)/.exec(version);
  return {
    version,
    major: release ? Number(release[1]) : null,
    minor: release ? Number(release[2]) : null,
  };
}

async function hasFpsMode(ffmpeg: string, major: number | null, minor: number | null): Promise<boolean> {
  if (major !== null && minor !== null) return major > 5 || (major === 5 && minor >= 1);
  try {
    const { stdout } = await runProcess(ffmpeg, ['-hide_banner', '-h', 'long'], {
      dieWithParent: false,
    });
    return stdout.includes('-fps_mode');
  } catch {
    return false;
  }
}

export async function resolveFfmpeg(options: ResolveFfmpegOptions = {}): Promise<FfmpegBinaries> {
  const skipPath = options.skipPath ?? false;
  const ffmpeg = await pick('ffmpeg', options.ffmpegPath, skipPath);
  let probeExplicit = options.ffprobePath;
  if (!probeExplicit && options.ffmpegPath) {
    const sibling = join(dirname(options.ffmpegPath), 'ffprobe');
    if (existsSync(sibling)) probeExplicit = sibling;
  }
  const ffprobe = await pick('ffprobe', probeExplicit, skipPath);

  const { version, major, minor } = parseFfmpegVersion(ffmpeg.line);
  if (options.production) {
    const old = ffmpeg.source === 'installer' || ffprobe.source === 'installer' || (major !== null && major < 5);
    if (old) {
      throw new FfmpegNotFoundError(
        `NODE_ENV=production needs a system ffmpeg ≥ 5 (found ${ffmpeg.source === 'installer' ? 'only the npm-shipped build' : 'ffmpeg'} ${version}): ` +
          'install ffmpeg ≥ 5 (e.g. apt-get install ffmpeg) or set FFMPEG_PATH and FFPROBE_PATH.',
      );
    }
  }
  const warnings: string[] = [];
  if (ffmpeg.source === 'installer') {
    warnings.push(
      `No system ffmpeg found; using the ffmpeg 4.1 build from @ffmpeg-installer/ffmpeg (${ffmpeg.path}). ` +
        'It lacks var_stream_map stream names and newer filters; install ffmpeg ≥ 5 or set FFMPEG_PATH.',
    );
  } else if (major !== null && major < 5) {
    warnings.push(`ffmpeg ${version} is older than 5: it lacks var_stream_map stream names; install ffmpeg ≥ 5.`);
  }
  for (const w of warnings) options.onWarning?.(w);

  return {
    ffmpeg: ffmpeg.path,
    ffprobe: ffprobe.path,
    source: { ffmpeg: ffmpeg.source, ffprobe: ffprobe.source },
    version,
    major,
    fpsModeOption: (await hasFpsMode(ffmpeg.path, major, minor)) ? '-fps_mode' : '-vsync',
    warnings,
    timeoutMs: options.timeoutMs,
  };
}
