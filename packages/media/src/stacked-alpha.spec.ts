import type { MediaInfo } from '@arvlite/contract';
import { describe, expect, it } from 'vitest';
import { streamHasAlpha } from './probe.ts';
import { stackedAlphaArgs, stackedAlphaSize } from './stacked-alpha.ts';

describe('alpha detection', () => {
  it('reads alpha pixel formats, and VP9/VP8 only by their alpha_mode tag', () => {
    expect(streamHasAlpha({ codec_name: 'prores', pix_fmt: 'yuva444p12le' })).toBe(true);
    expect(streamHasAlpha({ codec_name: 'qtrle', pix_fmt: 'argb' })).toBe(true);
    expect(streamHasAlpha({ codec_name: 'png', pix_fmt: 'rgba' })).toBe(true);
    expect(streamHasAlpha({ codec_name: 'vp9', pix_fmt: 'yuv420p', tags: { alpha_mode: '1' } })).toBe(true);
    expect(streamHasAlpha({ codec_name: 'vp8', pix_fmt: 'yuv420p', tags: { ALPHA_MODE: '1' } })).toBe(true);
    expect(streamHasAlpha({ codec_name: 'vp9', pix_fmt: 'yuv420p', tags: { alpha_mode: '0' } })).toBe(false);
    expect(streamHasAlpha({ codec_name: 'h264', pix_fmt: 'yuv420p', tags: { alpha_mode: '1' } })).toBe(false);
    expect(streamHasAlpha({ codec_name: 'prores', pix_fmt: 'yuv422p10le' })).toBe(false);
  });
});

describe('the stacked-alpha encode', () => {
  const info = { width: 1920, height: 1080, frameRate: '30/1', videoCodec: 'vp9', container: 'matroska,webm' };

  it('halves are at most 720 lines, even, in the display aspect', () => {
    expect(stackedAlphaSize({ width: 1920, height: 1080 })).toEqual({ width: 1280, height: 720 });
    expect(stackedAlphaSize({ width: 321, height: 241 })).toEqual({ width: 322, height: 242 });
    expect(stackedAlphaSize({ width: 1080, height: 1920 })).toEqual({ width: 406, height: 720 });
  });

  it('decodes VP9 with libvpx (which keeps the alpha), fails on any decode error, and stacks colour | matte', () => {
    const args = stackedAlphaArgs(info as MediaInfo, '/tmp/in.webm', 'veryfast', 20);
    expect(args.slice(args.indexOf('-c:v'), args.indexOf('-c:v') + 2)).toEqual(['-c:v', 'libvpx-vp9']);
    expect(args.indexOf('-c:v')).toBeLessThan(args.indexOf('-i'));
    expect(args).toContain('-xerror');
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('scale=1280:720');
    expect(graph).toContain('alphaextract');
    expect(graph).toContain('[cc][m]hstack=inputs=2');
    expect(args.at(-1)).toBe('alpha.mp4');
    const prores = stackedAlphaArgs(
      { ...info, videoCodec: 'prores', container: 'mov,mp4' } as MediaInfo,
      '/i',
      'fast',
      20,
    );
    expect(prores.indexOf('-c:v')).toBeGreaterThan(prores.indexOf('-i')); // ffmpeg's ProRes decoder keeps alpha
  });
});
