import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { generatePoster, generateStoryboard } from '../src/images.ts';
import { probe } from '../src/probe.ts';
import { clips, ffmpeg, imageSize, makeTempDir, meanLuma } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('images');
});
afterAll(() => tmp.cleanup());

describe('poster', () => {
  it('skips the black opening shot and writes JPEG and WebP', async () => {
    // The first 1.5 s are black: a naive "first frame" poster would be black.
    const input = await clips.shotsAndSilence(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'poster');
    const poster = await generatePoster(bin, input, info, out);
    expect(poster.timeS).toBeGreaterThanOrEqual(1.5);
    for (const file of [poster.jpeg, poster.webp]) {
      expect(await meanLuma(join(out, file))).toBeGreaterThan(40);
      expect(await imageSize(join(out, file))).toEqual({ width: 320, height: 180 });
    }
  });

  it('is upright for rotated video', async () => {
    const input = await clips.portraitRotated(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'poster-portrait');
    const poster = await generatePoster(bin, input, info, out);
    expect(await imageSize(join(out, poster.jpeg))).toEqual({ width: 360, height: 640 });
    expect(await imageSize(join(out, poster.webp))).toEqual({ width: 360, height: 640 });
  });
});

describe('storyboard', () => {
  it('tiles a frame per second into one sprite and maps each cue to its tile', async () => {
    const input = await clips.shotsAndSilence(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'storyboard');
    const sb = await generateStoryboard(bin, input, info, out);
    expect(sb).toMatchObject({
      intervalS: 1,
      tiles: 5,
      columns: 5,
      rows: 1,
      tileWidth: 160,
      tileHeight: 90,
    });
    expect(await imageSize(join(out, sb.sprite))).toEqual({ width: 800, height: 90 });

    const vtt = await readFile(join(out, sb.vtt), 'utf8');
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    const cues = [
      ...vtt.matchAll(/(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)#xywh=(\d+),(\d+),(\d+),(\d+)/g),
    ];
    expect(cues.map((c) => [c[1], c[2], c[3], c[4]])).toEqual([
      ['00:00:00.000', '00:00:01.000', 'storyboard.jpg', '0'],
      ['00:00:01.000', '00:00:02.000', 'storyboard.jpg', '160'],
      ['00:00:02.000', '00:00:03.000', 'storyboard.jpg', '320'],
      ['00:00:03.000', '00:00:04.000', 'storyboard.jpg', '480'],
      ['00:00:04.000', '00:00:04.500', 'storyboard.jpg', '640'],
    ]);

    // Tile 0 is from the black opening, tile 2 from the test pattern: the tiles are in time order.
    const tile = async (i: number) => {
      const crop = join(tmp.dir, `tile-${i}.png`);
      await ffmpeg(['-i', join(out, sb.sprite), '-vf', `crop=160:90:${i * 160}:0`, crop]);
      return meanLuma(crop);
    };
    expect(await tile(0)).toBeLessThan(20);
    expect(await tile(2)).toBeGreaterThan(40);
  });
});
