// invoice:render and print:render: the PDFs of @arvlite/documents, rendered from the rows and stored once.
// An invoice's PDF is written to a key named by its id and never replaced (putIfAbsent); the same input renders the same
// bytes, so a re-run after a crash between the write and the row update finds the object and only finishes the row.
import { createHash, randomUUID } from 'node:crypto';
import { DOCUMENT_LINK_TTL_DAYS, MARKER_MAX_BYTES, type Language, type PrintFormat } from '@arvlite/contract';
import { ArContent, Company, CustomerOrder, Invoice, OrderItem, PrintFile, type EntityManager } from '@arvlite/db';
import {
  documentTexts,
  formatMoney,
  INVOICE_LOGO_MAX_BYTES,
  isPngOrJpeg,
  PrintDataError,
  renderInvoicePdf,
  renderPrintPdf,
  renderPrintSheet,
  type InvoiceDocument,
  type PrintItem,
} from '@arvlite/documents';
import {
  arContentKeyIds,
  documentLinkToken,
  invoicePdfKey,
  itemPrintKey,
  markerKey,
  orderPrintKey,
} from '@arvlite/domain';
import { viewerLinks } from '@arvlite/marker/qr';
import { isNotFound, ObjectTooLargeError, type ObjectStore } from '@arvlite/storage';
import sharp from 'sharp';
import { defineTask } from '../define-task.ts';
import { queueMail } from '../mail/queue-mail.ts';
import { emit } from '../outbox/emit.ts';

const PDF = 'application/pdf';

/** The plain data of an invoice or credit note as its PDF shows it. */
async function invoiceDocument(em: EntityManager, invoice: Invoice): Promise<InvoiceDocument> {
  const order = await em.findOneOrFail(CustomerOrder, { id: invoice.order.id });
  const company = await em.findOneOrFail(Company, { id: invoice.company.id });
  const t = documentTexts(invoice.language);
  const base = {
    number: invoice.number,
    issuedAt: invoice.issuedAt,
    language: invoice.language,
    timeZone: company.timezone,
    currency: invoice.currency,
    seller: {
      name: company.legalName ?? company.name,
      address: company.billingAddress,
      taxId: company.taxId,
      bankDetails: company.bankDetails,
    },
    customer: { name: order.customerName, email: order.customerEmail, phone: order.customerPhone },
    orderReference: order.reference ? `${order.reference} (#${order.number})` : `#${order.number}`,
    totals: { netMinor: invoice.subtotalMinor, taxMinor: invoice.taxMinor, totalMinor: invoice.totalMinor },
  };
  if (invoice.kind === 'INVOICE') {
    const items = await em.find(OrderItem, { order: order.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return {
      ...base,
      kind: 'INVOICE',
      lines: items.map((i) => ({
        description: i.title && i.title !== i.productName ? `${i.productName}: ${i.title}` : i.productName,
        quantity: i.quantity,
        unitPriceMinor: i.unitPriceMinor,
        taxRateBp: i.taxRateBp,
        taxInclusive: i.taxInclusive,
        netMinor: i.subtotalMinor,
        taxMinor: i.taxMinor,
        totalMinor: i.totalMinor,
      })),
    };
  }
  // A credit note is one line: the amount given back, its tax the order's share (computed when it was issued).
  const original = await em.findOne(
    Invoice,
    { order: order.id, kind: 'INVOICE' },
    { orderBy: { issuedAt: 'asc', id: 'asc' } },
  );
  return {
    ...base,
    kind: 'CREDIT_NOTE',
    correctsNumber: original?.number ?? null,
    lines: [
      {
        description: invoice.reason ?? t('invoice.refundLine', { order: `#${order.number}` }),
        quantity: 1,
        unitPriceMinor: invoice.totalMinor,
        taxRateBp: null,
        taxInclusive: true,
        netMinor: invoice.subtotalMinor,
        taxMinor: invoice.taxMinor,
        totalMinor: invoice.totalMinor,
      },
    ],
  };
}

/** The company logo's bytes for an invoice, or null (with a warning) when it is gone, too large or not PNG/JPEG. */
async function loadLogo(
  storage: ObjectStore,
  key: string,
  log: { warn: (obj: object, msg: string) => void },
): Promise<Buffer | null> {
  try {
    const bytes = await storage.getBytesBounded(key, INVOICE_LOGO_MAX_BYTES);
    if (isPngOrJpeg(bytes)) return bytes;
    log.warn({ key }, 'the company logo is not a PNG or JPEG; invoice rendered without it');
    return null;
  } catch (err) {
    if (!isNotFound(err) && !(err instanceof ObjectTooLargeError)) throw err; // storage down: the job retries
    log.warn({ err, key }, 'the company logo could not be loaded; invoice rendered without it');
    return null;
  }
}

export const invoiceRender = defineTask('invoice:render', async ({ em, payload, deps, log }) => {
  const invoice = await em.findOne(Invoice, { id: payload.invoiceId });
  if (!invoice) {
    log.info({ invoiceId: payload.invoiceId }, 'invoice gone; nothing to render');
    return;
  }
  if (invoice.pdfKey) return;
  const document = await invoiceDocument(em, invoice);
  const company = await em.findOneOrFail(Company, { id: invoice.company.id });
  const logo = company.logoKey ? await loadLogo(deps.storage, company.logoKey, log) : null;
  let pdf: Buffer;
  try {
    pdf = await renderInvoicePdf({ ...document, logo });
  } catch (err) {
    if (!logo) throw err;
    // A logo pdfkit cannot decode (PNG or JPEG by its first bytes, damaged after them) must not hold the invoice back.
    log.warn({ err, invoiceId: invoice.id }, 'the company logo could not be drawn; invoice rendered without it');
    pdf = await renderInvoicePdf(document);
  }
  const key = invoicePdfKey(invoice.company.id, invoice.order.id, invoice.id);
  const written = await deps.storage.putIfAbsent(key, pdf, PDF);
  if (!written) log.info({ invoiceId: invoice.id, key }, 'invoice PDF already stored (an earlier attempt); kept');
  await em.transactional(async (tem) => {
    const rows = await tem.execute<{ id: string; project_id: string }[]>(
      `update invoice i set pdf_key = ? from customer_order o
        where i.id = ? and i.pdf_key is null and o.id = i.order_id returning i.id, o.project_id`,
      [key, invoice.id],
    );
    const row = rows[0];
    if (!row) return;
    await emit(tem, {
      type: 'invoice.rendered',
      companyId: invoice.company.id,
      projectId: row.project_id,
      orderId: invoice.order.id,
      invoiceId: invoice.id,
      kind: invoice.kind,
    });
  });
});

/** The photo of an item's published marker as an sRGB JPEG (upright, full resolution) for print. */
async function printPhoto(storage: ObjectStore, content: ArContent): Promise<Buffer> {
  const revision = content.markerPublishedRevision;
  if (!revision) throw new PrintFailure('MARKER_NOT_READY');
  const original = await storage.getBytesBounded(
    markerKey(arContentKeyIds(content), revision, 'original'),
    MARKER_MAX_BYTES,
  );
  try {
    return await sharp(original)
      .rotate()
      .toColourspace('srgb')
      .withIccProfile('srgb')
      .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
      .toBuffer();
  } catch {
    throw new PrintFailure('PHOTO_UNREADABLE');
  }
}

class PrintFailure extends Error {
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

/** Formats of an order's AR lines: the item's own printed width when it has one, else posters A4 and cards A6. */
function sheetFormat(
  kind: string,
  widthMm: number | null | undefined,
): { format: PrintFormat; widthMm: number | null } {
  if (widthMm) return { format: 'CUSTOM', widthMm };
  return { format: kind === 'AR_POSTER' ? 'A4' : 'A6', widthMm: null };
}

async function printItem(
  storage: ObjectStore,
  publicUrl: string,
  content: ArContent,
  company: Company,
  format: PrintFormat,
  widthMm: number | null | undefined,
  copies = 1,
): Promise<PrintItem> {
  return {
    id: content.id,
    title: content.title,
    photo: await printPhoto(storage, content),
    format,
    widthMm,
    viewerUrl: viewerLinks(publicUrl, content.publicId).url,
    language: (content.customerLanguage ?? company.language) as Language,
    customerName: content.customerName,
    copies,
  };
}

export const printRender = defineTask('print:render', async ({ em, payload, deps, log, helpers }) => {
  const file = await em.findOne(PrintFile, { id: payload.printFileId });
  if (!file || file.status === 'READY') return;
  const company = await em.findOneOrFail(Company, { id: file.company.id });
  const publicUrl = deps.config.http.publicUrl;
  const opts = { language: company.language, createdAt: file.createdAt };
  try {
    let result;
    let key: string;
    if (file.arContent) {
      const content = await em.findOneOrFail(ArContent, { id: file.arContent.id });
      if (content.deletedAt) throw new PrintFailure('NOT_FOUND');
      result = await renderPrintPdf(
        await printItem(deps.storage, publicUrl, content, company, file.format ?? 'A6', content.widthMm),
        opts,
      );
      key = itemPrintKey(arContentKeyIds(content), file.id);
    } else if (file.order) {
      const order = await em.findOneOrFail(CustomerOrder, { id: file.order.id });
      const lines = await em.find(
        OrderItem,
        { order: order.id, arContent: { $ne: null } },
        { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['arContent'] },
      );
      const items: PrintItem[] = [];
      for (const line of lines) {
        const content = line.arContent!;
        if (content.deletedAt || items.some((i) => i.id === content.id)) continue;
        const { format, widthMm } = sheetFormat(line.productKind, content.widthMm);
        items.push(await printItem(deps.storage, publicUrl, content, company, format, widthMm, line.quantity));
      }
      if (items.length === 0) throw new PrintFailure('NO_PRINT_ITEMS');
      result = await renderPrintSheet({ orderNumber: `#${order.number}`, items }, opts);
      key = orderPrintKey(company.id, order.id, file.id);
    } else {
      throw new PrintFailure('NOT_FOUND');
    }
    await deps.storage.putIfAbsent(key, result.pdf, PDF);
    await em.execute(
      `update print_file set status = 'READY', pdf_key = ?, pdf_bytes = ?, warnings = ?::jsonb, failure_code = null,
              updated_at = now() where id = ? and status <> 'READY'`,
      [key, result.pdf.length, JSON.stringify(result.warnings), file.id],
    );
    log.info({ printFileId: file.id, warnings: result.warnings.length }, 'print file stored');
  } catch (err) {
    const code = err instanceof PrintFailure ? err.code : err instanceof PrintDataError ? 'PHOTO_UNREADABLE' : null;
    // Unexpected errors (storage down) are retried; on the last attempt the file fails so nobody waits forever.
    if (!code && helpers.job.attempts < helpers.job.max_attempts) throw err;
    await em.execute(
      `update print_file set status = 'FAILED', failure_code = ?, updated_at = now() where id = ? and status <> 'READY'`,
      [code ?? 'RENDER_FAILED', file.id],
    );
    log.warn({ printFileId: file.id, code, err: code ? undefined : err }, 'print file failed');
  }
});

/**
 * Mails the customer a link to their invoice's PDF: a document link row (SHA-256 of its token only, expiring after
 * DOCUMENT_LINK_TTL_DAYS) and the invoice mail, in one transaction. Once per invoice: a second run finds the link.
 */
export const invoiceMail = defineTask('invoice:mail', async ({ em, payload, deps, log }) => {
  await em.transactional(async (tem) => {
    const [row] = await tem.execute<InvoiceMailRow[]>(
      `select i.id, i.company_id, i.kind, i.number, i.currency, i.total_minor::text as total_minor, i.language,
              i.pdf_key, o.number as order_number, o.customer_name, o.customer_email,
              exists (select 1 from document_link l where l.invoice_id = i.id) as linked
         from invoice i join customer_order o on o.id = i.order_id
        where i.id = ? for update of i`,
      [payload.invoiceId],
    );
    if (!row?.pdf_key) {
      log.info({ invoiceId: payload.invoiceId }, 'invoice gone or not rendered; no mail');
      return;
    }
    if (row.linked) return;
    if (!row.customer_email) {
      log.info({ invoiceId: row.id }, 'the customer has no email; the invoice is not mailed');
      return;
    }
    const linkId = randomUUID();
    const token = documentLinkToken(deps.config.auth.documentLinkKey, linkId);
    const expiresAt = new Date(Date.now() + DOCUMENT_LINK_TTL_DAYS * 86_400_000);
    await tem.execute(
      `insert into document_link (id, company_id, invoice_id, token_hash, expires_at, created_at)
         values (?, ?, ?, ?, ?, now())`,
      [linkId, row.company_id, row.id, createHash('sha256').update(token).digest('hex'), expiresAt],
    );
    const language: Language = row.language === 'ru' ? 'ru' : 'en';
    await queueMail(tem, {
      kind: 'invoice',
      to: row.customer_email,
      language,
      companyId: row.company_id,
      params: {
        linkId,
        kind: row.kind,
        number: row.number,
        total: formatMoney(Number(row.total_minor), row.currency, language),
        orderNumber: row.order_number,
        customerName: row.customer_name.slice(0, 200) || null,
        expiresAt: expiresAt.toISOString(),
      },
      dedupeKey: `invoice:${row.id}:${row.customer_email}`,
    });
  });
});

interface InvoiceMailRow {
  id: string;
  company_id: string;
  kind: 'INVOICE' | 'CREDIT_NOTE';
  number: string;
  currency: string;
  total_minor: string;
  language: string;
  pdf_key: string | null;
  order_number: number;
  customer_name: string;
  customer_email: string | null;
  linked: boolean;
}
