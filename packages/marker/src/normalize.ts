// Turns an uploaded photo into the canonical marker image: upright, sRGB, at most 1024 px, plus WebP and thumbnail renditions.
import sharp, { type Metadata } from 'sharp';
import { MarkerError } from './marker-error.ts';

export const MIN_SHORT_SIDE_PX = 480;
export const MAX_LONG_SIDE_PX = 1024;
export const THUMBNAIL_LONG_SIDE_PX = 256;
/** Refuse decompression bombs before decoding; a 50 MP phone photo still fits. */
const MAX_INPUT_PIXELS = 100_000_000;

const SUPPORTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface NormalizedMarker {
  /** The marker as published and compiled: upright sRGB JPEG. */
  jpeg: Buffer;
  webp: Buffer;
  /** JPEG, longest side THUMBNAIL_LONG_SIDE_PX. */
  thumbnail: Buffer;
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
  source: { format: string; width: number; height: number };
}

/** Checks the upload the way the customer sees it (after EXIF rotation) and throws a MarkerError they can act on. */
export async function inspectMarkerUpload(input: Buffer): Promise<{ format: string; width: number; height: number }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input).metadata();
  } catch (cause) {
    throw new MarkerError(
      'UNSUPPORTED_IMAGE',
      'This file is not an image we can read. Upload a JPEG, PNG or WebP photo.',
      {
        cause,
      },
    );
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
      'UNSUPPORTED_IMAGE',
      `The image is ${width}×${height} px, larger than we can process. Upload a photo of at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels.`,
    );
  }
  if (Math.min(width, height) < MIN_SHORT_SIDE_PX) {
    throw new MarkerError(
      'IMAGE_TOO_SMALL',
      `The image is ${width}×${height} px; a marker needs at least ${MIN_SHORT_SIDE_PX} px on its short side. Upload a larger photo.`,
    );
  }
  return { format: metadata.format, width, height };
}

export async function normalizeMarker(input: Buffer): Promise<NormalizedMarker> {
  const source = await inspectMarkerUpload(input);
  try {
    // Transparent areas become white, as they would on printed paper; the compiler sees the same pixels.
    const upright = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
      .autoOrient()
      .resize({
        width: MAX_LONG_SIDE_PX,
        height: MAX_LONG_SIDE_PX,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb');
    const [jpeg, webp, thumbnail] = await Promise.all([
      upright.clone().jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer({ resolveWithObject: true }),
      upright.clone().webp({ quality: 85 }).toBuffer(),
      upright
        .clone()
        .resize({ width: THUMBNAIL_LONG_SIDE_PX, height: THUMBNAIL_LONG_SIDE_PX, fit: 'inside' })
        .jpeg({ quality: 80 })
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
