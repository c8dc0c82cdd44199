// A company's logo (printed on its invoices): which images, and how large. Both the dashboard's picker and the API check these.
import { z } from 'zod';

/** Accepted logo images, by content type, with the file extension the stored object gets. */
export const LOGO_EXTENSIONS = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
} as const;
export type LogoContentType = keyof typeof LOGO_EXTENSIONS;
export const LOGO_CONTENT_TYPES = Object.keys(LOGO_EXTENSIONS) as [LogoContentType, ...LogoContentType[]];
export const logoContentTypeSchema = z.enum(LOGO_CONTENT_TYPES, { message: 'expected image/png or image/jpeg' });

/** Largest logo accepted: 1 MiB. */
export const LOGO_MAX_BYTES = 1024 * 1024;

/** What a picked file would be uploaded as: its type when it is one we take and it is not larger than the limit. */
export function logoFileProblem(file: { size: number; type?: string | null }): 'TYPE' | 'SIZE' | null {
  if (!file.type || !(file.type in LOGO_EXTENSIONS)) return 'TYPE';
  if (file.size < 1 || file.size > LOGO_MAX_BYTES) return 'SIZE';
  return null;
}
