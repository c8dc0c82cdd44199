// Generated marker images (sharp, deterministic): busy texture, low texture, flat colour, and EXIF-rotated uploads.
import sharp from 'sharp';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random colour blocks under outlined shapes: detail everywhere, the kind of photo that tracks well. */
export async function busyImage(width: number, height: number, seed = 7): Promise<Buffer> {
  const next = random(seed);
  const block = 12;
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const blocks = Buffer.alloc(cols * rows * 3);
  for (let i = 0; i < blocks.length; i++) blocks[i] = Math.floor(next() * 256);
  const background = await sharp(blocks, { raw: { width: cols, height: rows, channels: 3 } })
    .resize(cols * block, rows * block, { kernel: 'nearest' })
    .extract({ left: 0, top: 0, width, height })
    .png()
    .toBuffer();
  const shapes: string[] = [];
  for (let i = 0; i < 50; i++) {
    const x = Math.round(next() * width);
    const y = Math.round(next() * height);
    const r = Math.round(8 + next() * Math.min(width, height) * 0.08);
    const fill = `rgb(${Math.floor(next() * 256)},${Math.floor(next() * 256)},${Math.floor(next() * 256)})`;
    shapes.push(`<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" stroke="black" stroke-width="3"/>`);
  }
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`);
  return sharp(background).composite([{ input: overlay }]).png().toBuffer();
}

/** A soft gradient with blurred blobs and two small shapes: little to hold on to. */
export function lowTextureImage(width: number, height: number): Promise<Buffer> {
  const m = Math.min(width, height);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs>
      <linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6a8caf"/><stop offset="1" stop-color="#d8c3a5"/></linearGradient>
      <filter id="soft"><feGaussianBlur stdDeviation="${m * 0.03}"/></filter>
    </defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${0.3 * width}" cy="${0.35 * height}" r="${0.12 * m}" fill="#2f4858" filter="url(#soft)"/>
    <circle cx="${0.7 * width}" cy="${0.6 * height}" r="${0.1 * m}" fill="#f6ae2d" filter="url(#soft)"/>
    <rect x="${0.62 * width}" y="${0.18 * height}" width="${0.08 * width}" height="${0.08 * width}" fill="#33415c" transform="rotate(20 ${0.66 * width} ${0.22 * height})"/>
    <polygon points="${0.15 * width},${0.85 * height} ${0.25 * width},${0.85 * height} ${0.2 * width},${0.72 * height}" fill="#7d4e57"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export function flatImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 120, g: 130, b: 140 } } }).png().toBuffer();
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
  const [x, y] = await Promise.all([a, b].map((img) => sharp(img).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })));
  if (x!.info.width !== y!.info.width || x!.info.height !== y!.info.height) return Infinity;
  let sum = 0;
  for (let i = 0; i < x!.data.length; i++) sum += Math.abs(x!.data[i]! - y!.data[i]!);
  return sum / x!.data.length;
}
