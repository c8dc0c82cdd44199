// Generated marker images for tests and the benchmark (`@arvlite/marker/testing`): deterministic, so scores and
// timings are comparable run to run. Busy texture tracks well, low texture poorly, a flat colour not at all.
import sharp from 'sharp';

export type GeneratedKind = 'busy' | 'low' | 'flat';

export async function generateMarkerImage(
  kind: GeneratedKind,
  width: number,
  height: number,
  format: 'png' | 'jpeg' = 'png',
  seed = 42,
): Promise<Buffer> {
  const image =
    kind === 'busy'
      ? await busy(width, height, seed)
      : kind === 'low'
        ? await lowTexture(width, height)
        : flat(width, height);
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 92 }).toBuffer();
}

/** Random colour blocks under random shapes: texture and edges everywhere. */
async function busy(width: number, height: number, seed: number, block = 12) {
  const random = mulberry32(seed);
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  // Grey blocks: the MindAR compiler averages RGB while its camera input uses luma, and the two agree on grey.
  const blocks = Buffer.alloc(cols * rows * 3);
  for (let i = 0; i < blocks.length; i += 3) blocks.fill(Math.floor(random() * 256), i, i + 3);
  const background = await sharp(blocks, { raw: { width: cols, height: rows, channels: 3 } })
    .resize(cols * block, rows * block, { kernel: 'nearest' })
    .extract({ left: 0, top: 0, width, height })
    .png()
    .toBuffer();
  const shapes: string[] = [];
  for (let i = 0; i < 60; i++) {
    const x = Math.round(random() * width);
    const y = Math.round(random() * height);
    const r = Math.round(8 + random() * Math.min(width, height) * 0.08);
    const fill = `rgb(${Math.floor(random() * 256)},${Math.floor(random() * 256)},${Math.floor(random() * 256)})`;
    shapes.push(
      i % 2 === 0
        ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" stroke="black" stroke-width="3"/>`
        : `<rect x="${x}" y="${y}" width="${r * 2}" height="${r}" fill="${fill}" stroke="white" stroke-width="3" transform="rotate(${Math.round(random() * 90)} ${x} ${y})"/>`,
    );
  }
  const overlay = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`,
  );
  return sharp(background).composite([{ input: overlay }]);
}

/** A smooth gradient with soft blobs and two small hard-edged shapes: little a tracker can hold on to. */
function lowTexture(width: number, height: number) {
  const blob = (cx: number, cy: number, r: number, colour: string) =>
    `<circle cx="${cx * width}" cy="${cy * height}" r="${r * Math.min(width, height)}" fill="${colour}" filter="url(#soft)"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs>
      <linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6a8caf"/><stop offset="1" stop-color="#d8c3a5"/></linearGradient>
      <filter id="soft"><feGaussianBlur stdDeviation="${Math.min(width, height) * 0.03}"/></filter>
    </defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    ${blob(0.3, 0.35, 0.12, '#2f4858')}${blob(0.7, 0.6, 0.1, '#f6ae2d')}${blob(0.45, 0.8, 0.07, '#86bbd8')}
    <rect x="${0.62 * width}" y="${0.18 * height}" width="${0.08 * width}" height="${0.08 * width}" fill="#33415c" transform="rotate(20 ${0.66 * width} ${0.22 * height})"/>
    <polygon points="${0.15 * width},${0.85 * height} ${0.25 * width},${0.85 * height} ${0.2 * width},${0.72 * height}" fill="#7d4e57"/>
  </svg>`;
  return sharp(Buffer.from(svg));
}

/** PNG shorthands. Another seed gives another busy image (two markers that must not be confused). */
export const busyImage = (width: number, height: number, seed?: number) =>
  generateMarkerImage('busy', width, height, 'png', seed);
export const lowTextureImage = (width: number, height: number) => generateMarkerImage('low', width, height);
export const flatImage = (width: number, height: number) => generateMarkerImage('flat', width, height);

function flat(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 120, g: 130, b: 140 } } });
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A phone photo of a printed busy marker: `width`×`height` (12 MP by default), the texture at the scale a 1024 px
 * marker has it, sensor grain on every pixel, stored portrait with EXIF orientation 6 like a phone saves it, JPEG
 * quality 92. Deterministic per seed.
 */
export async function phonePhoto(width = 4000, height = 3000, seed = 42): Promise<Buffer> {
  const scene = await (
    await busy(width, height, seed, Math.round((12 * width) / 1024))
  )
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const random = mulberry32(seed ^ 0x5eed);
  const pixels = scene.data;
  for (let i = 0; i < pixels.length; i++) {
    const grain = (random() + random() + random() - 1.5) * 16; // roughly Gaussian, σ ≈ 8 levels
    pixels[i] = Math.max(0, Math.min(255, pixels[i]! + grain));
  }
  const { width: w, height: h, channels } = scene.info;
  const stored = await sharp(pixels, { raw: { width: w, height: h, channels } })
    .rotate(-90)
    .jpeg({ quality: 92 })
    .toBuffer();
  return sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
}

/**
 * The upright image stored turned a quarter anticlockwise, with EXIF orientation 6 ("rotate 90° clockwise to
 * display"), as phones save portrait photos: displayed correctly, it is `upright` again.
 */
export async function exifRotatedJpeg(upright: Buffer): Promise<Buffer> {
  const stored = await sharp(upright).rotate(-90).jpeg({ quality: 95 }).toBuffer();
  return sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
}

/** Mean absolute difference per channel (0–255) of two images of the same size. */
export async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all(
    [a, b].map((img) => sharp(img).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })),
  );
  if (x!.info.width !== y!.info.width || x!.info.height !== y!.info.height) return Infinity;
  let sum = 0;
  for (let i = 0; i < x!.data.length; i++) sum += Math.abs(x!.data[i]! - y!.data[i]!);
  return sum / x!.data.length;
}
