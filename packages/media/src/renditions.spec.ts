import { describe, expect, it } from 'vitest';
import { buildMasterPlaylist, codecString, outputFrameRate, planLadder, type Rendition } from './renditions.ts';

const names = (w: number, h: number, fps = 30) =>
  planLadder({ width: w, height: h, fps }).map((r) => `${r.name}:${r.width}x${r.height}`);

describe('planLadder', () => {
  it('never goes above the source', () => {
    expect(names(1920, 1080)).toEqual(['1080p:1920x1080', '720p:1280x720', '480p:854x480', '360p:640x360']);
    expect(names(1280, 720)).toEqual(['720p:1280x720', '480p:854x480', '360p:640x360']);
    expect(names(3840, 2160)).toEqual(['1080p:1920x1080', '720p:1280x720', '480p:854x480', '360p:640x360']);
  });

  it('scales portrait and non-16:9 sources into the same boxes', () => {
    expect(names(1080, 1920)).toEqual(['1080p:1080x1920', '720p:720x1280', '480p:480x854', '360p:360x640']);
    expect(names(1440, 1080)).toEqual(['1080p:1440x1080', '720p:960x720', '480p:640x480', '360p:480x360']);
    expect(names(1920, 800)[0]).toBe('1080p:1920x800');
  });

  it('gives a source smaller than 360p one rung at its own size, rounded to even', () => {
    expect(names(320, 180)).toEqual(['180p:320x180']);
    expect(names(501, 281)).toEqual(['282p:502x282']);
    expect(names(500, 280)).toEqual(['280p:500x280']);
  });

  it('spends more bits on high frame rates and fewer on smaller frames', () => {
    const [at30] = planLadder({ width: 1280, height: 720, fps: 30 });
    const [at60] = planLadder({ width: 1280, height: 720, fps: 60 });
    expect(at60!.videoBitrate).toBe(at30!.videoBitrate * 1.5);
    const [wide] = planLadder({ width: 1920, height: 800, fps: 30 });
    const [full] = planLadder({ width: 1920, height: 1080, fps: 30 });
    expect(wide!.videoBitrate).toBeLessThan(full!.videoBitrate);
  });
});

describe('outputFrameRate', () => {
  it('keeps rates up to 60 and halves higher ones', () => {
    expect(outputFrameRate('30000/1001')).toBe('30000/1001');
    expect(outputFrameRate('120/1')).toBe('120/2');
    expect(outputFrameRate('240/1')).toBe('240/4');
    expect(outputFrameRate('100/1')).toBe('100/2');
  });
});

describe('codecString', () => {
  it('reads profile, constraints and level from the avcC box', () => {
    const extradata = '\n00000000: 0164 001f ffe1 0019 6764 001f acd9 4050  .d......gd....@P\n';
    expect(codecString({ codec_name: 'h264', extradata })).toBe('avc1.64001f');
  });

  it('falls back to the profile name and level', () => {
    expect(codecString({ codec_name: 'h264', profile: 'Main', level: 30 })).toBe('avc1.4d401e');
    expect(codecString({ codec_name: 'h264', profile: 'Constrained Baseline', level: 13 })).toBe('avc1.42c00d');
  });

  it('gives the AAC object type', () => {
    expect(
      codecString({
        codec_name: 'aac',
        extradata: '\n00000000: 1190                                     ..\n',
      }),
    ).toBe('mp4a.40.2');
    expect(codecString({ codec_name: 'aac', profile: 'HE-AAC' })).toBe('mp4a.40.5');
  });
});

describe('buildMasterPlaylist', () => {
  const variant = (name: string, width: number, height: number, bandwidth: number): Rendition => ({
    name,
    width,
    height,
    frameRate: 29.97,
    durationS: 10,
    hasAudio: true,
    mp4: `${name}.mp4`,
    playlist: `${name}.m3u8`,
    segments: [],
    files: [],
    sizeBytes: 0,
    codecs: 'avc1.64001f,mp4a.40.2',
    bandwidth,
    averageBandwidth: Math.round(bandwidth * 0.8),
  });

  it('lists every variant with its attributes, starting from the largest one up to 720p', () => {
    const text = buildMasterPlaylist([
      variant('360p', 640, 360, 900_000),
      variant('1080p', 1920, 1080, 6_000_000),
      variant('720p', 1280, 720, 3_000_000),
    ]);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2400000,RESOLUTION=1280x720,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2"',
        '720p.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=6000000,AVERAGE-BANDWIDTH=4800000,RESOLUTION=1920x1080,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2"',
        '1080p.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=720000,RESOLUTION=640x360,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2"',
        '360p.m3u8',
        '',
      ].join('\n'),
    );
  });
});
