// The one-pass ladder against the per-rung path it replaces for short clips: the same files, each playable, the
// poster off the black opening, upright for rotated sources, the storyboard's tiles in time order.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInAnalyzers, runAnalyzers } from '../src/analyzers/index.ts';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { generatePoster, generateStoryboard } from '../src/images.ts';
import { encodeLadder, ladderArgs } from '../src/ladder.ts';
import { probe } from '../src/probe.ts';
import { encodeRendition, planLadder } from '../src/renditions.ts';
import { clips, decodeErrors, ffmpeg, ffprobe, imageSize, makeTempDir, meanLuma } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('ladder');
});
afterAll(() => tmp.cleanup());

const fast = { preset: 'ultrafast' } as const;
const execFileP = promisify(execFile);
const segmentKind = (files: string[]) => [...new Set(files.map((f) => f.replace(/_\d{5}\.ts$/, '_N.ts')))].sort();

// Each test runs several ffmpeg encodes: generous limits, for a loaded machine.
describe('encodeLadder', { timeout: 180_000 }, () => {
  it('makes the files the per-rung path makes, from one ffmpeg, each rung playable as MP4 and HLS', async () => {
    const input = await clips.landscape720(tmp.dir);
    const info = await probe(bin, input);
    const rungs = planLadder(info);
    expect(rungs.map((r) => r.name)).toEqual(['720p', '480p', '360p']);
    // One process: one input, every rung an output of it.
    const args = ladderArgs(bin, input, info, rungs, { ...fast, images: true });
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args.filter((a) => a === 'tee')).toHaveLength(3);

    const onePass = join(tmp.dir, 'one-pass');
    const progress: number[] = [];
    const ladder = await encodeLadder(bin, input, info, rungs, onePass, {
      ...fast,
      images: true,
      onProgress: (p) => progress.push(p),
    });
    const perRung = join(tmp.dir, 'per-rung');
    const codecs: Record<string, string> = {};
    for (const r of rungs) codecs[r.name] = (await encodeRendition(bin, input, info, r, perRung, fast)).codecs;
    await generatePoster(bin, input, info, perRung);
    await generateStoryboard(bin, input, info, perRung);

    const files = (await readdir(onePass)).sort();
    expect(segmentKind(files)).toEqual(segmentKind(await readdir(perRung)));
    expect(progress.at(-1)).toBe(100);
    expect(ladder.renditions.map((r) => [r.name, r.width, r.height])).toEqual(
      rungs.map((r) => [r.name, r.width, r.height]),
    );
    for (const r of ladder.renditions) {
      expect(r.files.every((f) => files.includes(f))).toBe(true);
      const mp4 = await ffprobe(join(onePass, r.mp4));
      expect({ codec: mp4.videoCodec, pix: mp4.pixFmt, audio: mp4.audioCodec }).toEqual({
        codec: 'h264',
        pix: 'yuv420p',
        audio: 'aac',
      });
      expect(Math.abs(mp4.durationS - info.durationS)).toBeLessThanOrEqual(0.1);
      expect(await decodeErrors(join(onePass, r.mp4))).toBe('');
      const hls = await ffprobe(join(onePass, r.playlist));
      expect(Math.abs(hls.durationS - info.durationS)).toBeLessThanOrEqual(0.1);
      expect(await decodeErrors(join(onePass, r.playlist))).toBe('');
      // The same profile and level as the rung's own encode (ultrafast here: constrained baseline).
      expect(r.codecs).toBe(codecs[r.name]);
      expect(r.bandwidth).toBeGreaterThanOrEqual(r.averageBandwidth);
      expect(r.averageBandwidth).toBeGreaterThan(0);
      // Faststart: the index before the media data.
      const head = (await readFile(join(onePass, r.mp4))).subarray(0, 64 * 1024).toString('latin1');
      expect(head.indexOf('moov')).toBeGreaterThan(0);
      expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
    }
    expect(ladder.poster).toMatchObject({ jpeg: 'poster.jpg', webp: 'poster.webp', width: 1280, height: 720 });
    expect(ladder.storyboard).toMatchObject({ tiles: 3, columns: 3, rows: 1, tileWidth: 160, tileHeight: 90 });
    // Nothing of the pass's own (the poster's scores) is left beside the outputs.
    expect(files.filter((f) => f.endsWith('.txt'))).toEqual([]);
  });

  it('picks a poster off the black opening shot and lays the storyboard out in time order', async () => {
    const input = await clips.shotsAndSilence(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'shots');
    const { poster, storyboard, renditions } = await encodeLadder(bin, input, info, [], out, { ...fast, images: true });
    expect(renditions).toEqual([]);
    expect(poster!.timeS).toBeGreaterThanOrEqual(1.5);
    for (const file of [poster!.jpeg, poster!.webp]) {
      expect(await meanLuma(join(out, file))).toBeGreaterThan(40);
      expect(await imageSize(join(out, file))).toEqual({ width: 320, height: 180 });
    }
    expect(storyboard).toMatchObject({ intervalS: 1, tiles: 5, columns: 5, rows: 1, tileWidth: 160, tileHeight: 90 });
    expect(await imageSize(join(out, storyboard!.sprite))).toEqual({ width: 800, height: 90 });
    const tile = async (i: number) => {
      const crop = join(tmp.dir, `shots-tile-${i}.png`);
      await ffmpeg(['-i', join(out, storyboard!.sprite), '-vf', `crop=160:90:${i * 160}:0`, crop]);
      return meanLuma(crop);
    };
    expect(await tile(0)).toBeLessThan(20);
    expect(await tile(2)).toBeGreaterThan(40);
    const vtt = await readFile(join(out, storyboard!.vtt), 'utf8');
    expect(vtt).toContain('00:00:04.000 --> 00:00:04.500\nstoryboard.jpg#xywh=640,0,160,90');
  });

  it('turns a rotated phone clip upright in every output, with no rotation left', async () => {
    const input = await clips.portraitRotated(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'rotated');
    const { renditions, poster, storyboard } = await encodeLadder(bin, input, info, planLadder(info), out, {
      ...fast,
      images: true,
    });
    const mp4 = await ffprobe(join(out, renditions[0]!.mp4));
    expect({ w: mp4.width, h: mp4.height, rotation: mp4.rotation }).toEqual({ w: 360, h: 640, rotation: 0 });
    expect(await imageSize(join(out, poster!.jpeg))).toEqual({ width: 360, height: 640 });
    expect(storyboard).toMatchObject({ tileWidth: 160, tileHeight: 284 });
  });

  it('tone-maps an HDR (PQ, 10-bit) source once for every rung: BT.709, 8-bit 4:2:0 out', async () => {
    const input = join(tmp.dir, 'hdr.mp4');
    // prettier-ignore
    await ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=size=854x480:rate=30:duration=1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le',
      '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', input,
    ]);
    const info = await probe(bin, input);
    expect(info.isHdr).toBe(true);
    const out = join(tmp.dir, 'hdr');
    const { renditions, poster } = await encodeLadder(bin, input, info, planLadder(info), out, {
      ...fast,
      images: true,
    });
    expect(renditions.map((r) => r.name)).toEqual(['480p', '360p']);
    for (const r of renditions) {
      const mp4 = await ffprobe(join(out, r.mp4));
      expect(mp4.pixFmt).toBe('yuv420p');
      expect(await decodeErrors(join(out, r.mp4))).toBe('');
    }
    const { stdout } = await execFileP('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=color_transfer,color_primaries',
      '-of',
      'csv=p=0',
      join(out, '480p.mp4'),
    ]);
    expect(stdout.trim()).toBe('bt709,bt709');
    expect(await meanLuma(join(out, poster!.jpeg))).toBeGreaterThan(40);
  });

  it('a source without audio: rungs without an audio track', async () => {
    const input = await clips.noAudio(tmp.dir);
    const info = await probe(bin, input);
    const out = join(tmp.dir, 'silent');
    const { renditions } = await encodeLadder(bin, input, info, planLadder(info), out, fast);
    const mp4 = await ffprobe(join(out, renditions[0]!.mp4));
    expect(mp4.hasAudio).toBe(false);
    expect(renditions[0]!.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect((await readdir(out)).some((f) => f.startsWith('poster'))).toBe(false);
  });

  it('runs the analyzers in the same decode, with the results they give when run alone', async () => {
    // Black 0–1.5 s, test pattern, colour bars; tone, silence 1.5–3 s, tone.
    const input = await clips.shotsAndSilence(tmp.dir);
    const info = await probe(bin, input);
    const analyzers = builtInAnalyzers(bin);
    const alone = await runAnalyzers(analyzers, input, info);
    const out = join(tmp.dir, 'analyzed');
    const ladder = await encodeLadder(bin, input, info, planLadder(info), out, { ...fast, images: true, analyzers });
    const results = (outcomes: typeof alone) => outcomes.map((o) => [o.name, o.ok && o.result]);
    expect(results(ladder.analysis)).toEqual(results(alone));
    // The clip's stretches were found (so the comparison compares something).
    expect(results(alone)).toMatchObject([
      ['scenes', { cuts: [{ timeS: 1.5 }, { timeS: 3 }] }],
      ['loudness', { hasAudio: true }],
      ['silence-black', { black: [{ startS: 0, endS: 1.5 }], silence: [{ startS: expect.closeTo(1.5, 1) }] }],
    ]);
    // One ffmpeg still: the analyzers' filters are branches of its graph. Their files do not stay with the outputs.
    const args = ladderArgs(bin, input, info, planLadder(info), {
      images: true,
      branches: analyzers.map((a, i) => a.inPass!(info, `analysis${i}`)),
    });
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args[args.indexOf('-filter_complex') + 1]).toMatch(/blackdetect.*ebur128|ebur128.*blackdetect/);
    expect((await readdir(out)).filter((f) => f.endsWith('.txt'))).toEqual([]);
  });

  it('a source without audio: the analyzers say so, as they do alone', async () => {
    const input = await clips.noAudio(tmp.dir);
    const info = await probe(bin, input);
    const analyzers = builtInAnalyzers(bin);
    const alone = await runAnalyzers(analyzers, input, info);
    const ladder = await encodeLadder(bin, input, info, planLadder(info), join(tmp.dir, 'analyzed-silent'), {
      ...fast,
      analyzers,
    });
    const results = (outcomes: typeof alone) => outcomes.map((o) => [o.name, o.ok && o.result]);
    expect(results(ladder.analysis)).toEqual(results(alone));
    expect(results(alone)[1]).toEqual(['loudness', { hasAudio: false }]);
  });
});
