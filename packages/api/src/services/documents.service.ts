// Invoice downloads and print files: the API never renders (pdfkit and sharp stay in the worker). It answers short
// presigned GETs of stored PDFs, and queues print:render once per item, marker revision and format (or per order sheet).
import { createHash } from 'node:crypto';
import { DOCUMENT_URL_TTL_S, type PrintFormat, type PrintWarning } from '@arvlite/contract';
import { CustomerOrder, Invoice, OrderItem, PrintFile, type EntityManager } from '@arvlite/db';
import { enqueue } from '@arvlite/jobs';
import type { Access, Caller } from '../access.ts';
import type { Context } from '../context.ts';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../errors.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage'> & { access: Access; caller: Caller };

/** Loads a company-owned row only when the caller is a live member with the procedure's role; else NOT_FOUND. */
async function owned<T extends { company: { id: string } }>(ctx: Ctx, row: T | null, what: string): Promise<T> {
  if (!row) throw new NotFoundError(what);
  try {
    await ctx.access.company(row.company.id);
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError(what);
    throw e;
  }
  return row;
}

async function download(ctx: Ctx, key: string) {
  const url = await ctx.storage.presignGet(key, DOCUMENT_URL_TTL_S);
  return { url, expiresAt: new Date(Date.now() + DOCUMENT_URL_TTL_S * 1000) };
}

/** A company's invoice or credit note: a presigned GET of its PDF for DOCUMENT_URL_TTL_S (5 minutes). */
export async function invoiceDownload(ctx: Ctx, input: { invoiceId: string }) {
  const invoice = await owned(ctx, await ctx.em.findOne(Invoice, { id: input.invoiceId }), 'Invoice');
  if (!invoice.pdfKey) {
    throw new PreconditionFailedError('The PDF of this invoice is still being rendered', 'INVOICE_NOT_RENDERED');
  }
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    kind: invoice.kind,
    ...(await download(ctx, invoice.pdfKey)),
  };
}

export function printFileView(f: PrintFile) {
  return {
    id: f.id,
    arContentId: f.arContent?.id ?? null,
    orderId: f.order?.id ?? null,
    format: f.format ?? null,
    status: f.status,
    warnings: (f.warnings ?? []) as PrintWarning[],
    failureCode: f.failureCode ?? null,
    bytes: f.pdfBytes ?? null,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

/**
 * The print file for a cache key: the existing one (a FAILED one is queued again), or a new PENDING row with its
 * print:render job, in one transaction. Concurrent asks meet at the (company, cache key) unique index.
 */
async function requestPrintFile(
  em: EntityManager,
  target: { companyId: string; arContentId?: string; orderId?: string; format: PrintFormat | null },
  cacheKey: string,
) {
  return em.transactional(async (tem) => {
    const rows = await tem.execute<{ id: string; inserted: boolean }[]>(
      `insert into print_file (id, company_id, ar_content_id, order_id, format, cache_key, status, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, 'PENDING', now(), now())
       on conflict (company_id, cache_key) do update set
         status = case when print_file.status = 'FAILED' then 'PENDING' else print_file.status end,
         failure_code = case when print_file.status = 'FAILED' then null else print_file.failure_code end,
         updated_at = case when print_file.status = 'FAILED' then now() else print_file.updated_at end
       returning id, (xmax = 0) as inserted, status`,
      [target.companyId, target.arContentId ?? null, target.orderId ?? null, target.format, cacheKey],
    );
    const row = rows[0]!;
    const file = await tem.findOneOrFail(PrintFile, { id: row.id }, { refresh: true });
    if (file.status === 'PENDING') await enqueue(tem, 'print:render', { printFileId: file.id }, { maxAttempts: 5 });
    return printFileView(file);
  });
}

/** An AR item's print file in one format, from its published marker photo. */
export async function requestItemPrintFile(ctx: Ctx, input: { id: string; format: PrintFormat }) {
  const { arContent } = await ctx.access.arContent(input.id);
  const revision = arContent.markerPublishedRevision;
  if (!revision) throw new PreconditionFailedError('This item has no published marker photo yet', 'MARKER_NOT_READY');
  if (input.format === 'CUSTOM' && !arContent.widthMm) {
    throw new ValidationError('A custom print takes the item’s printed width (widthMm); set it first', {
      reason: 'PRINT_WIDTH_MISSING',
      field: 'format',
    });
  }
  const width = input.format === 'CUSTOM' ? `:${arContent.widthMm}` : '';
  return requestPrintFile(
    ctx.em,
    { companyId: arContent.company.id, arContentId: arContent.id, format: input.format },
    `item:${arContent.id}:${revision}:${input.format}${width}`,
  );
}

/** An order's print sheet: every AR item of its lines, as they are now (marker revision, width, quantity). */
export async function requestOrderPrintSheet(ctx: Ctx, input: { id: string }) {
  const order = await owned(ctx, await ctx.em.findOne(CustomerOrder, { id: input.id }), 'Order');
  const lines = await ctx.em.find(
    OrderItem,
    { order: order.id, arContent: { $ne: null } },
    { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['arContent'] },
  );
  const live = lines.filter((l) => l.arContent && !l.arContent.deletedAt);
  if (live.length === 0) throw new PreconditionFailedError('This order has no AR item to print', 'NO_PRINT_ITEMS');
  const notReady = live.find((l) => !l.arContent!.markerPublishedRevision);
  if (notReady) {
    throw new PreconditionFailedError('An item of this order has no published marker photo yet', 'MARKER_NOT_READY');
  }
  const fingerprint = createHash('sha256')
    .update(
      live
        .map((l) => [
          l.arContent!.id,
          l.arContent!.markerPublishedRevision,
          l.arContent!.widthMm,
          l.productKind,
          l.quantity,
        ])
        .map((parts) => parts.join(':'))
        .join('|'),
    )
    .digest('hex');
  return requestPrintFile(
    ctx.em,
    { companyId: order.company.id, orderId: order.id, format: null },
    `sheet:${order.id}:${fingerprint}`,
  );
}

/**
 * A print file's state; when READY, a presigned GET of its PDF for DOCUMENT_URL_TTL_S. `kind` keeps an item's files
 * and an order's sheets apart (each procedure answers NOT_FOUND for the other kind).
 */
export async function printFileStatus(ctx: Ctx, input: { printFileId: string }, kind: 'item' | 'sheet') {
  const file = await owned(ctx, await ctx.em.findOne(PrintFile, { id: input.printFileId }), 'Print file');
  if ((kind === 'item') !== Boolean(file.arContent)) throw new NotFoundError('Print file');
  const view = printFileView(file);
  if (file.status !== 'READY' || !file.pdfKey) return { ...view, url: null, expiresAt: null };
  return { ...view, ...(await download(ctx, file.pdfKey)) };
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Where a document link (`/d?token=<token>`) leads: a fresh presigned GET of its one invoice PDF for DOCUMENT_URL_TTL_S, or
 * null when the token is malformed, unknown or expired (the same answer for all three). Only the token's SHA-256 is
 * looked up.
 */
export async function openDocumentLink(deps: Pick<Context, 'orm' | 'storage'>, token: string): Promise<string | null> {
  if (!TOKEN.test(token)) return null;
  const hash = createHash('sha256').update(token).digest('hex');
  const [row] = await deps.orm.fork().execute<{ pdf_key: string | null }[]>(
    `select i.pdf_key from document_link l join invoice i on i.id = l.invoice_id
        where l.token_hash = ? and l.expires_at > now()`,
    [hash],
  );
  if (!row?.pdf_key) return null;
  return deps.storage.presignGet(row.pdf_key, DOCUMENT_URL_TTL_S);
}
