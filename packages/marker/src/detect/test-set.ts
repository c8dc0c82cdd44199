// The detection test set: generated marker images, each a kind of photo that markers are made from, from good to
// bad. Deterministic (seeded), so their measured detection is comparable run to run.
import sharp from 'sharp';
import { generateMarkerImage } from '../testing.ts';

export const TEST_SET_KINDS = ['busy', 'low', 'flat', 'repetitive', 'symmetric'] as const;
export type TestSetKind = (typeof TEST_SET_KINDS)[number];

/**
 * - busy: random grey blocks under random shapes (testing.ts): detail everywhere.
 * - low: a smooth gradient with soft blobs and two small shapes (testing.ts).
 * - flat: one flat colour (testing.ts): nothing to detect; the compiler refuses it.
 * - repetitive: one small busy tile repeated across the image, like wallpaper or a logo pattern: every feature has
 *   look-alikes, so matches are ambiguous.
 * - symmetric: a busy left half and its copy turned 180° on the right: every feature has a twin, and the turned-over
 *   pose fits as well as the right one.
 */
export async function testSetImage(kind: TestSetKind, width = 1024, height = 768): Promise<Buffer> {
  if (kind === 'busy' || kind === 'low' || kind === 'flat') return generateMarkerImage(kind, width, height);
  if (kind === 'repetitive') {
    const tile = 128;
    const motif = await sharp(await generateMarkerImage('busy', tile, tile, 'png', 7))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { channels } = motif.info;
    const out = Buffer.alloc(width * height * channels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        motif.data.copy(
          out,
          (y * width + x) * channels,
          ((y % tile) * tile + (x % tile)) * channels,
          ((y % tile) * tile + (x % tile) + 1) * channels,
        );
      }
    }
    return sharp(out, { raw: { width, height, channels } }).png().toBuffer();
  }
  const half = Math.floor(width / 2);
  const left = await generateMarkerImage('busy', half, height, 'png', 11);
  const right = await sharp(left).rotate(180).toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: width - half, top: 0 },
    ])
    .png()
    .toBuffer();
}
