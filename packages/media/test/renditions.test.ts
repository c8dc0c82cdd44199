import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { probe, type MediaInfo } from '../src/probe.ts';
import { encodeRendition, planLadder, remuxFast, writeMasterPlaylist, type Rendition } from '../src/renditions.ts';
import { clips, decodeErrors, ffprobe, makeTempDir, videoPacketTimes } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('renditions');
});
afterAll(() => tmp.cleanup());

const fast = { preset: 'ultrafast' } as const;

/** The checks every output gets: it decodes cleanly as MP4 and as HLS, and keeps the source's length. */
async function expectPlayable(outDir: string, r: Rendition, info: MediaInfo) {
  const mp4 = await ffprobe(join(outDir, r.mp4));
  expect(mp4.videoCodec).toBe('h264');
  expect(mp4.pixFmt).toBe('yuv420p');
  expect(mp4.rotation).toBe(0);
  expect(Math.abs(mp4.durationS - info.durationS)).toBeLessThanOrEqual(0.1);
  expect(await decodeErrors(join(outDir, r.mp4))).toBe('');

  const hls = await ffprobe(join(outDir, r.playlist));
  expect({ w: hls.width, h: hls.height, audio: hls.hasAudio }).toEqual({
    w: mp4.width,
    h: mp4.height,
    audio: mp4.hasAudio,
  });
  expect(Math.abs(hls.durationS - info.durationS)).toBeLessThanOrEqual(0.1);
  expect(await decodeErrors(join(outDir, r.playlist))).toBe('');
  expect(r.segments.length).toBeGreaterThan(0);
  expect(r.bandwidth).toBeGreaterThanOrEqual(r.averageBandwidth);
  expect(r.averageBandwidth).toBeGreaterThan(0);
  return mp4;
}

describe('renditions', () => {
  it('fast path: a standard 720p H.264/AAC source is remuxed, not re-encoded, and plays', async () => {
    const input = await clips.landscape720(tmp.dir);
    const info = await probe(bin, input);
    expect(info.isStandard).toBe(true);
    const out = join(tmp.dir, 'out-720');
    const progress: number[] = [];
    const source = await remuxFast(bin, input, info, out, { onProgress: (p) => progress.push(p) });

    const mp4 = await expectPlayable(out, source, info);
    expect({ w: mp4.width, h: mp4.height, audio: mp4.audioCodec }).toEqual({
      w: 1280,
      h: 720,
      audio: 'aac',
    });
    // A remux keeps the source's exact bitstream: same H.264 profile as the ultrafast original.
    expect(source.codecs).toMatch(/^avc1\.42c0[0-9a-f]{2},mp4a\.40\.2$/);
    const original = (await readFile(input)).length;
    expect(Math.abs((await readFile(join(out, source.mp4))).length - original) / original).toBeLessThan(0.02);
    expect(progress.at(-1)).toBe(100);

    expect(planLadder(info).map((r) => r.name)).toEqual(['720p', '480p', '360p']);
    const rung360 = planLadder(info).at(-1)!;
    const low = await encodeRendition(bin, input, info, rung360, out, fast);
    expect({ w: low.width, h: low.height }).toEqual({ w: 640, h: 360 });
    await expectPlayable(out, low, info);

    const master = await writeMasterPlaylist(out, [source, low]);
    const text = await readFile(join(out, master), 'utf8');
    expect(text).toContain(`RESOLUTION=1280x720,FRAME-RATE=30.000,CODECS="${source.codecs}"`);
    expect(text).toMatch(/BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=640x360/);
    const viaMaster = await ffprobe(join(out, master));
    expect(viaMaster.hasAudio).toBe(true);
    expect(await decodeErrors(join(out, master))).toBe('');
  });

  it('rotated phone video comes out upright, with no rotation left in the output', async () => {
    const input = await clips.portraitRotated(tmp.dir);
    const info = await probe(bin, input);
    const ladder = planLadder(info);
    expect(ladder).toEqual([expect.objectContaining({ name: '360p', width: 360, height: 640 })]);
    const out = join(tmp.dir, 'out-portrait');
    const r = await encodeRendition(bin, input, info, ladder[0]!, out, fast);
    const mp4 = await expectPlayable(out, r, info);
    expect(mp4.width).toBeLessThan(mp4.height);
    expect({ w: mp4.width, h: mp4.height, rotation: mp4.rotation, audio: mp4.hasAudio }).toEqual({
      w: 360,
      h: 640,
      rotation: 0,
      audio: true,
    });
  });

  it('a source without audio gets no audio track, remuxed or encoded', async () => {
    const input = await clips.noAudio(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'out-silent');
    const remuxed = await remuxFast(bin, input, info, out);
    const encoded = await encodeRendition(bin, input, info, planLadder(info)[0]!, out, fast);
    for (const r of [remuxed, encoded]) {
      const mp4 = await expectPlayable(out, r, info);
      expect(mp4.hasAudio).toBe(false);
      expect(r.hasAudio).toBe(false);
      expect(r.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
    }
    expect(encoded).toMatchObject({ name: '180p', width: 320, height: 180 });
  });

  it('variable frame rate input is encoded at a constant rate', async () => {
    const input = await clips.variableFrameRate(tmp.dir);
    const info = await probe(bin, input);
    expect(info.isVfr).toBe(true);
    const out = join(tmp.dir, 'out-vfr');
    const r = await encodeRendition(bin, input, info, planLadder(info)[0]!, out, fast);
    const mp4 = await expectPlayable(out, r, info);
    expect(mp4.avgFrameRate).toBe('30/1');
    const times = await videoPacketTimes(join(out, r.mp4));
    const steps = times.slice(1).map((t, i) => t - times[i]!);
    expect(steps.length).toBeGreaterThan(80);
    for (const s of steps) expect(s).toBeCloseTo(1 / 30, 3);
  });

  it('VP9/Opus WebM is encoded to H.264/AAC', async () => {
    const input = await clips.vp9Opus(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'out-webm');
    const r = await encodeRendition(bin, input, info, planLadder(info)[0]!, out, fast);
    const mp4 = await expectPlayable(out, r, info);
    expect({ v: mp4.videoCodec, a: mp4.audioCodec, w: mp4.width, h: mp4.height }).toEqual({
      v: 'h264',
      a: 'aac',
      w: 320,
      h: 180,
    });
    expect(r.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
  });

  it('a 1-second clip gives a 1-second rendition; a re-run overwrites it with the same files', async () => {
    const input = await clips.oneSecond(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'out-short');
    const rung = planLadder(info)[0]!;
    const progress: number[] = [];
    const first = await encodeRendition(bin, input, info, rung, out, {
      ...fast,
      onProgress: (p) => progress.push(p),
    });
    const mp4 = await expectPlayable(out, first, info);
    expect(mp4.durationS).toBeCloseTo(1, 1);
    expect(mp4.hasAudio).toBe(true);
    expect(progress.every((p) => p >= 0 && p <= 100)).toBe(true);
    expect(progress.at(-1)).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const before = (await readdir(out)).sort();
    const second = await encodeRendition(bin, input, info, rung, out, fast);
    expect((await readdir(out)).sort()).toEqual(before);
    expect(before).toEqual([...first.files].sort());
    expect(second.files).toEqual(first.files);
  });
});
