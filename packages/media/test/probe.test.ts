import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { InvalidMediaError } from '../src/media-errors.ts';
import { probe } from '../src/probe.ts';
import { clips, makeTempDir } from './fixtures.ts';

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('probe');
});
afterAll(() => tmp.cleanup());

async function invalidMedia(file: string): Promise<InvalidMediaError> {
  const err = await probe(bin, file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidMediaError);
  return err as InvalidMediaError;
}

describe('probe', () => {
  it('describes a standard landscape H.264/AAC clip', async () => {
    const info = await probe(bin, await clips.landscape720(tmp.dir));
    expect(info).toMatchObject({
      width: 1280,
      height: 720,
      rotation: 0,
      fps: 30,
      frameRate: '30/1',
      isVfr: false,
      videoCodec: 'h264',
      pixFmt: 'yuv420p',
      bitDepth: 8,
      hasAudio: true,
      audioCodec: 'aac',
      isHdr: false,
      isStandard: true,
    });
    expect(info.durationS).toBeCloseTo(3, 1);
    expect(info.bitrate).toBeGreaterThan(0);
  });

  it('reports display size after rotation, and rotated video is not standard', async () => {
    const info = await probe(bin, await clips.portraitRotated(tmp.dir));
    expect([90, 270]).toContain(info.rotation);
    expect({ w: info.width, h: info.height }).toEqual({ w: 360, h: 640 });
    expect({ w: info.storedWidth, h: info.storedHeight }).toEqual({ w: 640, h: 360 });
    expect(info.isStandard).toBe(false);
  });

  it('detects variable frame rate', async () => {
    const info = await probe(bin, await clips.variableFrameRate(tmp.dir));
    expect(info.isVfr).toBe(true);
    expect(info.frameRate).toBe('30/1');
    expect(info.fps).toBeCloseTo(20, 0);
  });

  it('reports a clip without audio', async () => {
    const info = await probe(bin, await clips.noAudio(tmp.dir));
    expect(info).toMatchObject({ hasAudio: false, audioCodec: null, isStandard: true });
  });

  it('marks VP9/Opus WebM as not standard', async () => {
    const info = await probe(bin, await clips.vp9Opus(tmp.dir));
    expect(info).toMatchObject({
      videoCodec: 'vp9',
      audioCodec: 'opus',
      isStandard: false,
      isVfr: false,
    });
    expect(info.durationS).toBeCloseTo(2, 1);
  });

  it('rejects a truncated faststart MP4 whose header claims the full duration', async () => {
    const err = await invalidMedia(await clips.truncated(tmp.dir));
    expect(err.code).toBe('INVALID_MEDIA');
    expect(err.reason).toBe('truncated');
    expect(err.message).toMatch(/truncated/i);
  });

  it('rejects an audio-only file', async () => {
    const err = await invalidMedia(await clips.audioOnly(tmp.dir));
    expect(err).toMatchObject({ code: 'INVALID_MEDIA', reason: 'no-video' });
    expect(err.message).toMatch(/only audio/);
  });

  it('rejects a PNG renamed .mp4 by its bytes, before ffprobe guesses a format for it', async () => {
    const err = await invalidMedia(await clips.pngAsMp4(tmp.dir));
    expect(err).toMatchObject({ code: 'INVALID_MEDIA', reason: 'unreadable' });
    expect(err.message).toMatch(/not an MP4, MOV, WebM or MKV/);
  });

  it('rejects garbage and empty files', async () => {
    const garbage = join(tmp.dir, 'garbage.mp4');
    await writeFile(garbage, Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 251)));
    expect(await invalidMedia(garbage)).toMatchObject({
      code: 'INVALID_MEDIA',
      reason: 'unreadable',
    });
    const empty = join(tmp.dir, 'empty.mp4');
    await writeFile(empty, '');
    expect(await invalidMedia(empty)).toMatchObject({ code: 'INVALID_MEDIA', reason: 'empty' });
  });
});
