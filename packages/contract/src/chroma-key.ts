// A video's chroma key: the background colour the viewers key out (a green screen), set per video by its editors.
import { z } from 'zod';

/** How far from the key colour (0 = only that colour, 1 = everything) a pixel is keyed out. */
export const CHROMA_TOLERANCE_DEFAULT = 0.3;
/** The width of the soft edge above the tolerance, where pixels fade from transparent to opaque. */
export const CHROMA_SOFTNESS_DEFAULT = 0.1;

export const chromaKeySchema = z.strictObject({
  /** `#RRGGBB`, e.g. `#00FF00` for a green screen. */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #RRGGBB'),
  tolerance: z.number().min(0).max(1),
  softness: z.number().min(0).max(1).optional(),
});
export type ChromaKey = z.infer<typeof chromaKeySchema>;

/** `#RRGGBB` → [r, g, b] in 0..1. */
export function chromaRgb(color: string): [number, number, number] {
  const n = Number.parseInt(color.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}
