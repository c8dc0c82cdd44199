// Turns an uploaded photo into the canonical marker image: upright, sRGB 8-bit, at most 1024 px, plus WebP and thumbnail
// renditions and the grey pixels the compiler works on. What cannot make a good marker is refused with a MarkerError
// (its code and message are for the customer); what can be converted is: CMYK and other colour spaces (and their ICC
// profiles) become sRGB, 16-bit channels become 8-bit, transparency becomes white paper.
import sharp, { type Metadata } from 'sharp';
import { MarkerError } from './marker-error.ts';

export const MIN_SHORT_SIDE_PX = 480;
export const MAX_LONG_SIDE_PX = 1024;
/** The compiler's working resolution (long side): see README "Marker images" for how it was chosen. */
export const COMPILE_LONG_SIDE_PX = 640;
export const THUMBNAIL_LONG_SIDE_PX = 256;
/** Refuse decompression bombs before decoding (from the header); a 50 MP phone photo still fits. */
export const MAX_INPUT_PIXELS = 100_000_000;
/** Long side over short side: a panorama strip prints as a ribbon a camera cannot frame; 16:9 and 3:1 pass. */
export const MAX_ASPECT_RATIO = 4;

const SUPPORTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

/** One grey byte per pixel, row by row: the compiler's input. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface NormalizedMarker {
  /** The marker as published: upright sRGB JPEG. */
  jpeg: Buffer;
  webp: Buffer;
  /** JPEG, longest side THUMBNAIL_LONG_SIDE_PX. */
  thumbnail: Buffer;
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
  /** The same picture in grey at COMPILE_LONG_SIDE_PX at most, as mind-ar's compiler turns RGB into grey. */
  grey: GreyImage;
  source: { format: string; width: number; height: number };
}

const NOT_AN_IMAGE = 'This file is not an image we can read. Upload a JPEG, PNG or WebP photo.';

/** Checks the upload the way the customer sees it (after EXIF rotation) and throws a MarkerError they can act on. */
export async function inspectMarkerUpload(input: Buffer): Promise<{ format: string; width: number; height: number }> {
  let metadata: Metadata;
  try {
    // The header only: nothing is decoded here, so an image claiming billions of pixels costs nothing to refuse.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new MarkerError('UNSUPPORTED_IMAGE', NOT_AN_IMAGE, { cause });
  }
  if (!SUPPORTED_FORMATS.has(metadata.format)) {
    throw new MarkerError(
      'UNSUPPORTED_IMAGE',
      `${metadata.format.toUpperCase()} images are not supported. Upload a JPEG, PNG or WebP photo.`,
    );
  }
  const { width, height } = metadata.autoOrient;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new MarkerError(
      'IMAGE_TOO_LARGE',
      `The image is ${width}×${height} px, more than we process. Upload a photo of at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels.`,
    );
  }
  if ((metadata.pages ?? 1) > 1 || (metadata.format === 'png' && isAnimatedPng(input))) {
    throw new MarkerError(
      'ANIMATED_IMAGE',
      'This image is animated; a marker is one printed picture. Upload a still JPEG, PNG or WebP photo.',
    );
  }
  if (Math.min(width, height) < MIN_SHORT_SIDE_PX) {
    throw new MarkerError(
      'IMAGE_TOO_SMALL',
      `The image is ${width}×${height} px; a marker needs at least ${MIN_SHORT_SIDE_PX} px on its short side. Upload a larger photo.`,
    );
  }
  if (Math.max(width, height) > MAX_ASPECT_RATIO * Math.min(width, height)) {
    throw new MarkerError(
      'EXTREME_ASPECT_RATIO',
      `The image is ${width}×${height} px, more than ${MAX_ASPECT_RATIO} times as long as it is wide: a camera cannot frame it as one marker. Crop it closer to a rectangle.`,
    );
  }
  return { format: metadata.format, width, height };
}

/** An APNG has an acTL chunk before its first IDAT (libvips reads only its default image, so it reports one page). */
function isAnimatedPng(png: Buffer): boolean {
  let offset = 8; // the signature
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + length;
  }
  return false;
}

export async function normalizeMarker(input: Buffer): Promise<NormalizedMarker> {
  const source = await inspectMarkerUpload(input);
  try {
    // One decode, straight to at most 1024 px: a JPEG or WebP is shrunk while it is decoded (shrink-on-load), so a
    // 12 MP photo never exists at full size in memory. Transparent areas become white, as on printed paper.
    const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
      .autoOrient()
      .resize({ width: MAX_LONG_SIDE_PX, height: MAX_LONG_SIDE_PX, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const upright = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    const [jpeg, webp, thumbnail, grey] = await Promise.all([
      upright.clone().jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer({ resolveWithObject: true }),
      upright.clone().webp({ quality: 85 }).toBuffer(),
      upright
        .clone()
        .resize({ width: THUMBNAIL_LONG_SIDE_PX, height: THUMBNAIL_LONG_SIDE_PX, fit: 'inside' })
        .jpeg({ quality: 80 })
        .toBuffer({ resolveWithObject: true }),
      info.width <= COMPILE_LONG_SIDE_PX && info.height <= COMPILE_LONG_SIDE_PX
        ? { data, info }
        : upright
            .clone()
            .resize({ width: COMPILE_LONG_SIDE_PX, height: COMPILE_LONG_SIDE_PX, fit: 'inside' })
            .raw()
            .toBuffer({ resolveWithObject: true }),
    ]);
    return {
      jpeg: jpeg.data,
      webp,
      thumbnail: thumbnail.data,
      width: jpeg.info.width,
      height: jpeg.info.height,
      thumbnailWidth: thumbnail.info.width,
      thumbnailHeight: thumbnail.info.height,
      grey: meanGrey(grey.data, grey.info),
      source,
    };
  } catch (cause) {
    throw new MarkerError(
      'UNSUPPORTED_IMAGE',
      'This image could not be decoded; the file may be damaged. Upload it again.',
      {
        cause,
      },
    );
  }
}

/** mind-ar's compiler's grey: the floor of the mean of R, G and B (not luma), so features match the browser compiler. */
export function meanGrey(rgb: Uint8Array, info: { width: number; height: number; channels: number }): GreyImage {
  const { width, height, channels } = info;
  const data = new Uint8Array(width * height);
  for (let i = 0, offset = 0; i < data.length; i++, offset += channels)
    data[i] = Math.floor((rgb[offset]! + rgb[offset + 1]! + rgb[offset + 2]!) / 3);
  return { data, width, height };
}
