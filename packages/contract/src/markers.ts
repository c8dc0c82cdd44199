// Which images can become a marker, and how large.
import { z } from 'zod';

/** Accepted marker images, by content type, with the extensions a picker may offer. */
export const MARKER_EXTENSIONS = {
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
  'image/webp': ['.webp'],
} as const;
export type MarkerContentType = keyof typeof MARKER_EXTENSIONS;
export const MARKER_CONTENT_TYPES = Object.keys(MARKER_EXTENSIONS) as [MarkerContentType, ...MarkerContentType[]];
export const markerContentTypeSchema = z.enum(MARKER_CONTENT_TYPES, {
  message: 'expected image/jpeg, image/png or image/webp',
});

/** Largest marker upload accepted. */
export const MARKER_MAX_BYTES = 20 * 1024 * 1024;

/** The file's image type, from its MIME type or else its extension; null when it is not one we take. */
export function markerContentTypeOf(file: { name: string; type?: string | null }): MarkerContentType | null {
  if (file.type && file.type in MARKER_EXTENSIONS) return file.type as MarkerContentType;
  const ext = /\.[a-z0-9]+$/i.exec(file.name)?.[0]?.toLowerCase() ?? '';
  const found = MARKER_CONTENT_TYPES.find((t) => (MARKER_EXTENSIONS[t] as readonly string[]).includes(ext));
  return found ?? null;
}
