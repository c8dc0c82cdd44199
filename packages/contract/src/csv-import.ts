// Bulk import of AR content from CSV: the columns, the limits and the reasons a row is refused, shared by the server
// (arContent.importCsv) and the dashboard's import page, which translates each reason.
import { z } from 'zod';
import { MARKER_MAX_BYTES, markerContentTypeSchema } from './markers.ts';
import { fileName } from './inputs.ts';

/** Header names the file may use (case-insensitive; spaces and dashes read as `_`). Only `title` is required. */
export const CSV_IMPORT_COLUMNS = [
  'title',
  'customer_name',
  'customer_email',
  'customer_phone',
  'customer_language',
  'order_ref',
  'width_mm',
  'expires_at',
  'photo',
] as const;
export type CsvImportColumn = (typeof CSV_IMPORT_COLUMNS)[number];

export const CSV_IMPORT_LIMITS = {
  /** Bytes of the file as UTF-8. */
  maxBytes: 256 * 1024,
  /** Data rows (the header not counted). */
  maxRows: 500,
  /** Characters of one record. */
  maxRecordChars: 8000,
  /** Errors reported at most; the rest are left off. */
  maxErrors: 1000,
} as const;

export const CSV_IMPORT_REASONS = [
  'FILE_TOO_LARGE',
  'MALFORMED_CSV',
  'EMPTY',
  'TOO_MANY_ROWS',
  'UNKNOWN_COLUMN',
  'DUPLICATE_COLUMN',
  'MISSING_COLUMN',
  'TOO_MANY_FIELDS',
  'REQUIRED',
  'TOO_LONG',
  'INVALID',
  'OUT_OF_RANGE',
  'PAST_DATE',
  'PHOTO_NOT_SELECTED',
] as const;
export type CsvImportReason = (typeof CSV_IMPORT_REASONS)[number];

/** One problem of the file: its row as a spreadsheet numbers it (the header is 1; null for the whole file). */
export interface CsvImportError {
  row: number | null;
  column: string | null;
  reason: CsvImportReason;
}

/** A photo the operator picked beside the file, named as a row's `photo` names it. */
export const csvImportPhotoSchema = z.strictObject({
  fileName,
  contentType: markerContentTypeSchema,
  size: z.number().int().min(1).max(MARKER_MAX_BYTES),
});
