import { describe, expect, it } from 'vitest';
import { buildStoryboardVtt } from './images.ts';

describe('buildStoryboardVtt', () => {
  it('points each interval at its tile, row by row, and ends the last cue at the duration', () => {
    const vtt = buildStoryboardVtt(
      'sb.jpg',
      { intervalS: 2, tiles: 3, columns: 2, tileWidth: 160, tileHeight: 90 },
      5.5,
    );
    expect(vtt).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:02.000',
        'sb.jpg#xywh=0,0,160,90',
        '',
        '00:00:02.000 --> 00:00:04.000',
        'sb.jpg#xywh=160,0,160,90',
        '',
        '00:00:04.000 --> 00:00:05.500',
        'sb.jpg#xywh=0,90,160,90',
        '',
      ].join('\n'),
    );
  });

  it('writes hours', () => {
    const vtt = buildStoryboardVtt(
      's.jpg',
      { intervalS: 3600, tiles: 2, columns: 2, tileWidth: 10, tileHeight: 10 },
      7300.25,
    );
    expect(vtt).toContain('01:00:00.000 --> 02:01:40.250');
  });
});
