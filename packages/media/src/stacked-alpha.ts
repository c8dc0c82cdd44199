// The stacked-alpha rendition of a video with transparency (ProRes 4444, VP9 with alpha): browsers decode neither
// reliably, but every one decodes H.264, so the colour and the matte are laid side by side in one H.264 frame, and
// the viewer's shader composes them (colour × matte).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaInfo, StackedAlphaRendition } from '@arvlite/contract';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';
import { demuxerOf, inputArgs } from './input-format.ts';
import { InvalidMediaError, MediaProcessError, isAbortError } from './media-errors.ts';
import { mediaRunOptions, outputFrameRate, type EncodeOptions } from './renditions.ts';
import { runFfmpeg } from './run-process.ts';

export const STACKED_ALPHA_FILE = 'alpha.mp4';
/** The height of each half at most: the size AR planes are shown at on phones. */
const MAX_HEIGHT = 720;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** One half's size: the display size scaled down to at most 720 lines, even numbers. */
export function stackedAlphaSize(info: Pick<MediaInfo, 'width' | 'height'>): { width: number; height: number } {
  const height = even(Math.min(info.height, MAX_HEIGHT));
  return { width: even((info.width * height) / info.height), height };
}

/**
 * The ffmpeg arguments: decoders that keep alpha (libvpx for VP8/VP9, whose own decoders drop it), every decode error
 * fatal (a damaged alpha plane must not become a half-transparent picture), colour | matte side by side in yuv420p.
 */
export function stackedAlphaArgs(info: MediaInfo, input: string, preset: string, crf: number): string[] {
  const { width, height } = stackedAlphaSize(info);
  const decoder =
    info.videoCodec === 'vp9' ? ['-c:v', 'libvpx-vp9'] : info.videoCodec === 'vp8' ? ['-c:v', 'libvpx'] : [];
  const rate = outputFrameRate(info.frameRate);
  const graph = [
    `[0:v:0]scale=${width}:${height}:flags=bicubic,setsar=1,format=rgba,split=2[c][a]`,
    '[a]alphaextract,format=yuv420p[m]',
    '[c]format=yuv420p[cc]',
    '[cc][m]hstack=inputs=2,format=yuv420p[out]',
  ].join(';');
  // prettier-ignore
  return [
    '-v', 'error', '-xerror', '-err_detect', 'explode',
    ...decoder,
    ...inputArgs(input, demuxerOf(info)),
    '-filter_complex', graph,
    '-map', '[out]', '-an', '-sn', '-dn',
    '-r', rate,
    '-c:v', 'libx264', '-preset', preset, '-profile:v', 'high', '-crf', String(crf), '-pix_fmt', 'yuv420p',
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-movflags', '+faststart',
    '-f', 'mp4', STACKED_ALPHA_FILE,
  ];
}

/**
 * Encodes `alpha.mp4` into `outDir`. A source whose transparency cannot be decoded (damaged frames, an alpha stream
 * libvpx refuses) is refused with InvalidMediaError('alpha'), which ends processing with a reason.
 */
export async function encodeStackedAlpha(
  bin: Pick<FfmpegBinaries, 'ffmpeg' | 'timeoutMs'>,
  input: string,
  info: MediaInfo,
  outDir: string,
  options: Pick<EncodeOptions, 'signal' | 'onProgress' | 'onSpawn' | 'preset' | 'crf'> = {},
): Promise<StackedAlphaRendition> {
  if (!info.hasAlpha) throw new Error('encodeStackedAlpha needs a source with an alpha channel');
  const { onProgress, preset = 'veryfast', crf = 20 } = options;
  try {
    await runFfmpeg(
      bin.ffmpeg,
      stackedAlphaArgs(info, input, preset, crf),
      mediaRunOptions(bin, outDir, info, options),
    );
  } catch (err) {
    if (isAbortError(err) || !(err instanceof MediaProcessError) || err.exitSignal) throw err;
    throw new InvalidMediaError(
      'alpha',
      'The video has a transparency (alpha) channel that could not be decoded: the file is damaged. Export it again (ProRes 4444 or VP9 with alpha) and upload it again.',
      { cause: err },
    );
  }
  const { size } = await stat(join(outDir, STACKED_ALPHA_FILE));
  onProgress?.(100);
  return { layout: 'side-by-side', mp4: STACKED_ALPHA_FILE, ...stackedAlphaSize(info), sizeBytes: size };
}
