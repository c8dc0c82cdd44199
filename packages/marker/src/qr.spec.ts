import jsQRModule, { type QRCode } from 'jsqr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { qrPng, qrSvg, viewerLinks } from './qr.ts';

// jsqr is CommonJS; depending on the loader its function is the default export or its `default` property.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => QRCode | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as Decode;

const { url, deepLink } = viewerLinks('https://ar.example.test/', 'Ab3_x-9QpL2mZ');

async function decode(png: Buffer) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    info,
    data,
    code: jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height),
  };
}

describe('viewerLinks', () => {
  it('builds the viewer URL and the app deep link', () => {
    expect(url).toBe('https://ar.example.test/v/Ab3_x-9QpL2mZ');
    expect(deepLink).toBe('arvlite://v/Ab3_x-9QpL2mZ');
  });
});

describe('qrPng', () => {
  it.each(['M', 'Q'] as const)(
    'encodes the URL at error correction %s with a white quiet zone',
    async (errorCorrection) => {
      const png = await qrPng(url, { errorCorrection, sizePx: 512 });
      const metadata = await sharp(png).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 512, 512]);

      const { data, info, code } = await decode(png);
      expect(code?.data).toBe(url);
      const modules = 17 + 4 * code!.version + 2 * 4;
      const quietZonePx = Math.floor((4 * info.width) / modules);
      let darkInQuietZone = 0;
      for (let y = 0; y < info.height; y++) {
        for (let x = 0; x < info.width; x++) {
          const inQuietZone =
            x < quietZonePx || y < quietZonePx || x >= info.width - quietZonePx || y >= info.height - quietZonePx;
          if (inQuietZone && data[(y * info.width + x) * 4] !== 255) darkInQuietZone++;
        }
      }
      expect(quietZonePx).toBeGreaterThan(0);
      expect(darkInQuietZone).toBe(0);
    },
  );

  it('Q spends more modules than M on the same URL', async () => {
    const m = await decode(await qrPng(url, { errorCorrection: 'M', sizePx: 400 }));
    const q = await decode(await qrPng(url, { errorCorrection: 'Q', sizePx: 400 }));
    expect(q.code!.version).toBeGreaterThan(m.code!.version);
  });
});

describe('qrSvg', () => {
  it('is an SVG with a path and a 4-module quiet zone in its view box', async () => {
    const svg = await qrSvg(url, { errorCorrection: 'Q' });
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/<path[^>]+d="M/);
    const [, size] = /viewBox="0 0 (\d+) \1"/.exec(svg) ?? [];
    const modules = Number(size) - 8;
    expect((modules - 17) % 4).toBe(0);

    const png = await sharp(Buffer.from(svg)).resize(400).png().toBuffer();
    expect((await decode(png)).code?.data).toBe(url);
  });
});
