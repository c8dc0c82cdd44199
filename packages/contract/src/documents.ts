// Print-ready files and invoice documents: the formats a print file comes in, its states, and the inputs of the
// procedures that make and fetch them. The PDFs themselves are rendered by the worker (@arvlite/documents).
import { z } from 'zod';

/** A6, A5, A4, 10×15 cm, or CUSTOM: the item's printed width (`widthMm`) with the height from the photo's aspect. */
export const PRINT_FORMATS = ['A6', 'A5', 'A4', '10x15', 'CUSTOM'] as const;
export type PrintFormat = (typeof PRINT_FORMATS)[number];
export const printFormatSchema = z.enum(PRINT_FORMATS);

/** Trim sizes in millimetres, portrait (a landscape photo turns the page). */
export const PRINT_SIZES_MM: Record<Exclude<PrintFormat, 'CUSTOM'>, { width: number; height: number }> = {
  A6: { width: 105, height: 148 },
  A5: { width: 148, height: 210 },
  A4: { width: 210, height: 297 },
  '10x15': { width: 100, height: 150 },
};
export const CUSTOM_PRINT_WIDTH_MM = { min: 20, max: 1000 } as const;
/** Below this many pixels per inch at the printed size a print file carries a LOW_RESOLUTION warning. */
export const MIN_PRINT_DPI = 300;
export const PRINT_BLEED_MM = 3;

export const PRINT_FILE_STATUSES = ['PENDING', 'READY', 'FAILED'] as const;
export type PrintFileStatus = (typeof PRINT_FILE_STATUSES)[number];

export interface PrintWarning {
  code: 'LOW_RESOLUTION';
  /** The AR content item whose photo it concerns. */
  itemId: string;
  /** The photo's resolution at its printed size (pixels per inch, rounded down). */
  dpi: number;
  minDpi: number;
}

/** How long the capability link in a customer's invoice mail opens the PDF. */
export const DOCUMENT_LINK_TTL_DAYS = 90;
/** Lifetime of the presigned GET a download answers (or a document link redirects to). */
export const DOCUMENT_URL_TTL_S = 300;

const uuid = z.uuid({ message: 'expected an id' });
export const printFileInput = z.strictObject({ id: uuid, format: printFormatSchema });
export const printSheetInput = z.strictObject({ id: uuid });
export const printFileStatusInput = z.strictObject({ printFileId: uuid });
export const invoiceDownloadInput = z.strictObject({ invoiceId: uuid });

/** Why a print file failed (FAILED `failureCode`). */
export const PRINT_FAILURE_CODES = [
  /** The item has no published marker photo yet. */
  'MARKER_NOT_READY',
  /** The marker photo could not be read as an image. */
  'PHOTO_UNREADABLE',
  /** The order has no AR item to print. */
  'NO_PRINT_ITEMS',
  /** The item or order was deleted meanwhile. */
  'NOT_FOUND',
  /** Rendering failed after every attempt (storage unavailable, …). */
  'RENDER_FAILED',
] as const;
export type PrintFailureCode = (typeof PRINT_FAILURE_CODES)[number];
