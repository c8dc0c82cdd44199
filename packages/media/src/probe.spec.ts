import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion } from './ffmpeg-binary.ts';
import { parseRational, snapRate, timestampsIrregular } from './probe.ts';

const frames = (n: number, step: number) => Array.from({ length: n }, (_, i) => i * step);

describe('timestampsIrregular', () => {
  it('accepts constant rates, including millisecond-rounded 29.97 fps', () => {
    expect(timestampsIrregular(frames(150, 1 / 30))).toBe(false);
    expect(timestampsIrregular(frames(150, 1001 / 30000).map((t) => Math.round(t * 1000) / 1000))).toBe(false);
  });

  it('flags dropped frames and rate switches, in any packet order', () => {
    const dropped = frames(90, 1 / 30).filter((_, i) => i % 3 !== 1);
    expect(timestampsIrregular(dropped.reverse())).toBe(true);
    const switched = [...frames(60, 1 / 30), ...frames(30, 1 / 15).map((t) => 2 + t)];
    expect(timestampsIrregular(switched)).toBe(true);
  });
});

describe('frame rates', () => {
  it('parses rationals and rejects 0/0', () => {
    expect(parseRational('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRational('0/0')).toBeNull();
    expect(parseRational(undefined)).toBeNull();
  });

  it('snaps an average rate to the common rate it is near', () => {
    expect(snapRate(30.4)).toBe('30/1');
    expect(snapRate(29.97)).toBe('30000/1001');
    expect(snapRate(24.2)).toBe('24/1');
    expect(snapRate(12.5)).toBe('12500/1000');
  });
});

describe('parseFfmpegVersion', () => {
  it('reads release numbers, and none from git snapshots', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c)')).toMatchObject({
      major: 5,
      minor: 1,
    });
    expect(parseFfmpegVersion('ffmpeg version n6.1.1 Copyright')).toMatchObject({
      major: 6,
      minor: 1,
    });
    expect(parseFfmpegVersion('ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com')).toMatchObject({
      version: 'N-47683-g0e8eb07980-static',
      major: null,
    });
  });
});
