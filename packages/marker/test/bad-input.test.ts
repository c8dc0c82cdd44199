// Odd marker photos: each one is refused with its own reason code, or converted into a usable sRGB 8-bit marker.
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  COMPILE_LONG_SIDE_PX,
  MarkerError,
  MAX_ASPECT_RATIO,
  MAX_INPUT_PIXELS,
  normalizeMarker,
  type MarkerErrorCode,
} from '../src/index.ts';
import { generateMarkerImage, meanDifference, phonePhoto } from '../src/testing.ts';

async function refusal(input: Buffer): Promise<MarkerError> {
  const error = await normalizeMarker(input).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MarkerError);
  return error as MarkerError;
}

async function expectRefused(input: Buffer, code: MarkerErrorCode, message: RegExp) {
  const error = await refusal(input);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A PNG whose header claims width×height, with a few bytes of image data: decoding it would fail at once. */
function pngHeaderClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The PNG with an APNG animation control chunk (2 frames) after its header, as APNG encoders write it. */
function withAnimationControl(png: Buffer): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  return Buffer.concat([png.subarray(0, afterIhdr), chunk('acTL', actl), png.subarray(afterIhdr)]);
}

function correlation(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  const mean = (x: Uint8Array) => x.reduce((sum, v) => sum + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('refused marker photos', () => {
  it('a decompression bomb: more pixels than the limit, refused from its header before decoding', async () => {
    const side = Math.ceil(Math.sqrt(MAX_INPUT_PIXELS)) + 1;
    const bomb = pngHeaderClaiming(side, side);
    expect(bomb.length).toBeLessThan(100);
    // Its image data is garbage: had it been decoded, the answer would be UNSUPPORTED_IMAGE.
    await expectRefused(bomb, 'IMAGE_TOO_LARGE', new RegExp(`${side}×${side} px.*100 megapixels`));
    await expectRefused(pngHeaderClaiming(60_000, 60_000), 'IMAGE_TOO_LARGE', /60000×60000 px/);
  });

  it('a tiny image', async () => {
    await expectRefused(await generateMarkerImage('busy', 32, 24), 'IMAGE_TOO_SMALL', /32×24 px.*480 px/);
  });

  it('a panorama strip, but not a wide photo', async () => {
    await expectRefused(
      await generateMarkerImage('busy', 2400, 500, 'jpeg'),
      'EXTREME_ASPECT_RATIO',
      new RegExp(`2400×500 px, more than ${MAX_ASPECT_RATIO} times`),
    );
    // Upright after EXIF rotation: a tall strip is refused the same way.
    const tall = await sharp(await generateMarkerImage('busy', 2400, 500, 'jpeg'))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    await expectRefused(tall, 'EXTREME_ASPECT_RATIO', /500×2400 px/);
    const wide = await normalizeMarker(await generateMarkerImage('busy', 1920, 480, 'jpeg'));
    expect([wide.width, wide.height]).toEqual([1024, 256]);
  });

  it('an animated WebP and an animated PNG (APNG)', async () => {
    const frames = await Promise.all([1, 2].map((seed) => generateMarkerImage('busy', 640, 480, 'png', seed)));
    const webp = await sharp(frames, { join: { animated: true } })
      .webp({ loop: 0, delay: [100, 100] })
      .toBuffer();
    expect((await sharp(webp).metadata()).pages).toBe(2);
    await expectRefused(webp, 'ANIMATED_IMAGE', /animated/);

    const apng = withAnimationControl(frames[0]!);
    // libvips reads the APNG's default image without complaint; the refusal comes from its acTL chunk.
    expect((await sharp(apng).metadata()).width).toBe(640);
    await expectRefused(apng, 'ANIMATED_IMAGE', /animated/);
    // The same PNG without it is a fine marker.
    expect((await normalizeMarker(frames[0]!)).width).toBe(640);
  });

  it('GIF (even a still one), a truncated JPEG and a file that is no image at all', async () => {
    const gif = await sharp(await generateMarkerImage('busy', 640, 480))
      .gif()
      .toBuffer();
    await expectRefused(gif, 'UNSUPPORTED_IMAGE', /^GIF images are not supported/);
    const jpeg = await generateMarkerImage('busy', 640, 480, 'jpeg');
    await expectRefused(jpeg.subarray(0, jpeg.length / 2), 'UNSUPPORTED_IMAGE', /damaged/);
    await expectRefused(Buffer.from('%PDF-1.7\n'), 'UNSUPPORTED_IMAGE', /not an image we can read/);
  });
});

describe('converted marker photos', () => {
  it('CMYK becomes sRGB 8-bit with the same picture', async () => {
    const rgb = await generateMarkerImage('busy', 800, 600, 'jpeg');
    const cmyk = await sharp(rgb).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const [fromCmyk, fromRgb] = await Promise.all([normalizeMarker(cmyk), normalizeMarker(rgb)]);
    const meta = await sharp(fromCmyk.jpeg).metadata();
    expect([meta.space, meta.channels, meta.depth]).toEqual(['srgb', 3, 'uchar']);
    // Through a CMYK round trip saturated colours shift (gamut), not the picture: the grey the compiler sees
    // follows the original's closely. CMYK read as if it were RGB would be a negative (correlation near -1).
    expect(await meanDifference(fromCmyk.jpeg, fromRgb.jpeg)).toBeLessThan(25);
    expect(correlation(fromCmyk.grey.data, fromRgb.grey.data)).toBeGreaterThan(0.95);
  });

  it('16-bit PNG becomes 8-bit with the same picture', async () => {
    const png8 = await generateMarkerImage('busy', 800, 600);
    const png16 = await sharp(png8).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const [from16, from8] = await Promise.all([normalizeMarker(png16), normalizeMarker(png8)]);
    const meta = await sharp(from16.jpeg).metadata();
    expect([meta.space, meta.channels, meta.depth]).toEqual(['srgb', 3, 'uchar']);
    expect(await meanDifference(from16.jpeg, from8.jpeg)).toBeLessThan(1);
    expect(from16.grey.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(from16.grey.data), Buffer.from(from8.grey.data))).toBe(0);
  });

  it('a 12 MP phone photo with EXIF orientation: upright, 1024 px published, grey at the working resolution', async () => {
    const photo = await phonePhoto();
    const stored = await sharp(photo).metadata();
    expect([stored.width, stored.height, stored.orientation]).toEqual([3000, 4000, 6]);
    const marker = await normalizeMarker(photo);
    expect(marker.source).toEqual({ format: 'jpeg', width: 4000, height: 3000 });
    expect([marker.width, marker.height]).toEqual([1024, 768]);
    const { grey } = marker;
    expect(Math.max(grey.width, grey.height)).toBe(COMPILE_LONG_SIDE_PX);
    expect(grey.width / grey.height).toBeCloseTo(4 / 3, 2);
    expect(grey.data).toHaveLength(grey.width * grey.height);
    // The grey pixels are the published picture's (mean of R, G and B), not another crop or orientation.
    const published = await sharp(marker.jpeg)
      .resize(grey.width, grey.height)
      .raw()
      .toBuffer({ resolveWithObject: true });
    let difference = 0;
    for (let i = 0; i < grey.data.length; i++) {
      const o = i * published.info.channels;
      difference += Math.abs(
        grey.data[i]! - (published.data[o]! + published.data[o + 1]! + published.data[o + 2]!) / 3,
      );
    }
    expect(difference / grey.data.length).toBeLessThan(4);
  });
});
