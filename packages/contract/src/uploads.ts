// Which videos can be uploaded, how the type of a picked file is told, and the limits of the resumable upload.
import { z } from 'zod';

/** Accepted content types, with the container the server expects to find when it sniffs the bytes. */
export const VIDEO_CONTAINERS = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'video/x-matroska': 'mkv',
  'video/matroska': 'mkv',
} as const;
export type VideoContentType = keyof typeof VIDEO_CONTAINERS;
export const VIDEO_CONTENT_TYPES = Object.keys(VIDEO_CONTAINERS) as [VideoContentType, ...VideoContentType[]];
export const videoContentTypeSchema = z.enum(VIDEO_CONTENT_TYPES, {
  message: 'expected video/mp4, video/quicktime, video/webm or video/x-matroska',
});

/** File extensions a picker may offer, with the content type each declares (browsers often leave .mkv blank). */
export const VIDEO_EXTENSIONS = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
} as const satisfies Record<string, VideoContentType>;

/** The content type to declare for a picked file: its own when we take it, else from its extension; null otherwise. */
export function videoContentTypeOf(file: { name: string; type?: string | null }): VideoContentType | null {
  if (file.type && file.type in VIDEO_CONTAINERS) return file.type as VideoContentType;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return Object.hasOwn(VIDEO_EXTENSIONS, ext) ? VIDEO_EXTENSIONS[ext as keyof typeof VIDEO_EXTENSIONS] : null;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** S3's multipart rules: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them. */
export const UPLOAD_PART_MIN_BYTES = 5 * MiB;
export const UPLOAD_PART_MAX_BYTES = 5 * GiB;
export const UPLOAD_MAX_PARTS = 10_000;
/** Part URLs signed in one `video.signUploadParts` call. */
export const UPLOAD_SIGN_BATCH = 100;
