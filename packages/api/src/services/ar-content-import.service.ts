// Bulk import of AR content from CSV: one row per item (customer, title, photo file name, order reference, width,
// expiry). A dry run reports every row's errors and changes nothing; the import creates every item in one
// transaction (all or nothing) and answers a presigned marker upload per row that names a photo.
import {
  CSV_IMPORT_COLUMNS,
  CSV_IMPORT_LIMITS,
  inputs,
  languageSchema,
  type CsvImportColumn,
  type CsvImportError,
  type CsvImportReason,
  type MarkerContentType,
} from '@arvlite/contract';
import { ArContent } from '@arvlite/db';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { actorOf as actor, audit } from '../audit.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { arContentView, newPublicId, openMarkerUpload } from './ar-content.service.ts';
import type { Access, Caller } from '../access.ts';
import type { Context } from '../context.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};

export interface ImportPhoto {
  fileName: string;
  contentType: MarkerContentType;
  size: number;
}

export interface ImportInput {
  projectId: string;
  csv: string;
  dryRun: boolean;
  photos?: ImportPhoto[];
}

interface ImportRow {
  /** The row's line in the file as a spreadsheet numbers it (the header is row 1). */
  row: number;
  title: string;
  customerName: string | null;
  customerEmail: string | null;
  customerPhone: string | null;
  customerLanguage: 'en' | 'ru' | null;
  orderRef: string | null;
  widthMm: number | null;
  expiresAt: Date | null;
  photo: string | null;
}

/** The column a header names: exact names, case and surrounding spaces ignored, `-`/space as `_`. */
function columnOf(header: string): CsvImportColumn | null {
  const name = header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (CSV_IMPORT_COLUMNS as readonly string[]).includes(name) ? (name as CsvImportColumn) : null;
}

/** A zod failure as one of the reasons the dashboard translates. */
function reasonOf(error: z.ZodError): CsvImportReason {
  const issue = error.issues[0];
  if (!issue) return 'INVALID';
  if (issue.code === 'too_big') return issue.origin === 'string' ? 'TOO_LONG' : 'OUT_OF_RANGE';
  if (issue.code === 'too_small') return issue.origin === 'string' ? 'REQUIRED' : 'OUT_OF_RANGE';
  return 'INVALID';
}

const optionalText = (schema: z.ZodType<string>) => (v: string) => (v === '' ? null : schema.parse(v));
const FIELDS: { [K in Exclude<CsvImportColumn, 'title'>]: (v: string) => unknown } = {
  customer_name: optionalText(inputs.customerName),
  customer_email: optionalText(inputs.email),
  customer_phone: optionalText(inputs.customerPhone),
  customer_language: (v) => (v === '' ? null : languageSchema.parse(v.toLowerCase())),
  order_ref: optionalText(inputs.orderRef),
  width_mm: (v) => (v === '' ? null : inputs.widthMm.parse(parseNumber(v))),
  expires_at: (v) => (v === '' ? null : parseExpiry(v)),
  photo: optionalText(inputs.fileName),
};

/** A decimal with a point or a comma (spreadsheets in Russian write 89,5). */
function parseNumber(v: string): number {
  if (!/^\d{1,6}([.,]\d{1,3})?$/.test(v))
    throw new z.ZodError([{ code: 'custom', message: 'number', path: [], input: v }]);
  return Number(v.replace(',', '.'));
}

/** YYYY-MM-DD (the end of that day, UTC) or an ISO-8601 instant with its offset. */
function parseExpiry(v: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    inputs.localDate.parse(v);
    return inputs.instant.parse(new Date(`${v}T23:59:59.999Z`));
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v))
    throw new z.ZodError([{ code: 'custom', message: 'date', path: [], input: v }]);
  return inputs.instant.parse(new Date(v));
}

/** Reads and checks the whole file; every problem is reported, none thrown. */
export function checkCsv(csv: string, photos: readonly ImportPhoto[], now = new Date()) {
  const errors: CsvImportError[] = [];
  const rows: ImportRow[] = [];
  const add = (e: CsvImportError) => {
    if (errors.length < CSV_IMPORT_LIMITS.maxErrors) errors.push(e);
  };
  if (Buffer.byteLength(csv, 'utf8') > CSV_IMPORT_LIMITS.maxBytes) {
    add({ row: null, column: null, reason: 'FILE_TOO_LARGE' });
    return { rows, errors, total: 0 };
  }
  const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  // Spreadsheets set to Russian save CSV with semicolons.
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      delimiter,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: CSV_IMPORT_LIMITS.maxRecordChars,
      to: CSV_IMPORT_LIMITS.maxRows + 2,
    }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    add({ row: typeof line === 'number' ? line : null, column: null, reason: 'MALFORMED_CSV' });
    return { rows, errors, total: 0 };
  }
  const [header, ...data] = records;
  if (!header || data.length === 0) {
    add({ row: null, column: null, reason: 'EMPTY' });
    return { rows, errors, total: 0 };
  }
  if (data.length > CSV_IMPORT_LIMITS.maxRows) {
    add({ row: CSV_IMPORT_LIMITS.maxRows + 2, column: null, reason: 'TOO_MANY_ROWS' });
    return { rows, errors, total: data.length };
  }
  const columns: (CsvImportColumn | null)[] = [];
  header.forEach((h, i) => {
    const column = columnOf(h);
    if (!column) add({ row: 1, column: h.slice(0, 100) || `#${i + 1}`, reason: 'UNKNOWN_COLUMN' });
    else if (columns.includes(column)) add({ row: 1, column, reason: 'DUPLICATE_COLUMN' });
    columns.push(column && !columns.includes(column) ? column : null);
  });
  if (!columns.includes('title')) add({ row: 1, column: 'title', reason: 'MISSING_COLUMN' });
  if (errors.length > 0) return { rows, errors, total: data.length };

  const photoNames = new Set(photos.map((p) => p.fileName));
  const total = data.length;
  data.forEach((record, i) => {
    const row = i + 2;
    if (record.length > header.length) add({ row, column: null, reason: 'TOO_MANY_FIELDS' });
    const cells = new Map<CsvImportColumn, string>();
    columns.forEach((c, j) => c && cells.set(c, record[j] ?? ''));
    const before = errors.length;
    const title = inputs.title.safeParse(cells.get('title') ?? '');
    if (!title.success) add({ row, column: 'title', reason: reasonOf(title.error) });
    const values: Record<string, unknown> = {};
    for (const [column, read] of Object.entries(FIELDS) as [keyof typeof FIELDS, (v: string) => unknown][]) {
      try {
        values[column] = read(cells.get(column) ?? '');
      } catch (e) {
        add({ row, column, reason: e instanceof z.ZodError ? reasonOf(e) : 'INVALID' });
      }
    }
    const expiresAt = values.expires_at as Date | null | undefined;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) add({ row, column: 'expires_at', reason: 'PAST_DATE' });
    const photo = values.photo as string | null | undefined;
    if (photo && !photoNames.has(photo)) add({ row, column: 'photo', reason: 'PHOTO_NOT_SELECTED' });
    if (errors.length === before && title.success) {
      rows.push({
        row,
        title: title.data,
        customerName: (values.customer_name as string | null) ?? null,
        customerEmail: (values.customer_email as string | null) ?? null,
        customerPhone: (values.customer_phone as string | null) ?? null,
        customerLanguage: (values.customer_language as 'en' | 'ru' | null) ?? null,
        orderRef: (values.order_ref as string | null) ?? null,
        widthMm: (values.width_mm as number | null) ?? null,
        expiresAt: expiresAt ?? null,
        photo: photo ?? null,
      });
    }
  });
  return { rows, errors, total };
}

/**
 * The dry run answers what the file would create and every row's errors. The import refuses (BAD_REQUEST, reason
 * IMPORT_HAS_ERRORS, the errors in details) while any remain; otherwise it creates every item in one transaction and
 * answers each row's item with a presigned marker upload for its photo.
 */
export async function importCsv(ctx: Ctx, input: ImportInput) {
  const { project } = await ctx.access.project(input.projectId);
  if (project.archivedAt) throw new ConflictError('This project is archived');
  const photos = input.photos ?? [];
  const { rows, errors, total } = checkCsv(input.csv, photos);
  const preview = rows.map((r) => ({
    row: r.row,
    title: r.title,
    customerName: r.customerName,
    customerEmail: r.customerEmail,
    orderRef: r.orderRef,
    photo: r.photo,
  }));
  if (input.dryRun) return { dryRun: true as const, rowCount: total, errors, rows: preview, items: [] };
  if (errors.length > 0) {
    throw new ValidationError('The file has errors; fix them and check it again', {
      reason: 'IMPORT_HAS_ERRORS',
      errors,
    });
  }
  const byName = new Map(photos.map((p) => [p.fileName, p]));
  const items = await ctx.em.transactional(async (tem) => {
    const { project: locked, company } = await ctx.access.project(input.projectId);
    if (locked.archivedAt) throw new ConflictError('This project is archived');
    const created = rows.map((r) =>
      tem.create(ArContent, {
        company,
        project: locked,
        createdBy: ctx.caller.userId,
        publicId: newPublicId(),
        title: r.title,
        customerName: r.customerName,
        customerEmail: r.customerEmail,
        customerPhone: r.customerPhone,
        customerLanguage: r.customerLanguage,
        orderRef: r.orderRef,
        widthMm: r.widthMm,
        expiresAt: r.expiresAt,
        markerRevision: 0,
      } as ArContent),
    );
    for (const [i, content] of created.entries()) {
      audit(tem, actor(ctx), {
        companyId: company.id,
        action: 'ar-content.create',
        targetType: 'ar-content',
        targetId: content.id,
        changes: { title: { from: null, to: rows[i]!.title }, importRow: { from: null, to: rows[i]!.row } },
      });
    }
    await tem.flush();
    const out = [];
    for (const [i, content] of created.entries()) {
      const r = rows[i]!;
      const photo = r.photo ? byName.get(r.photo) : undefined;
      const upload = photo ? await openMarkerUpload(ctx, tem, content, photo) : null;
      out.push({ row: r.row, photo: r.photo, upload, item: await arContentView(ctx, content) });
    }
    return out;
  });
  return { dryRun: false as const, rowCount: total, errors: [], rows: preview, items };
}
