// Invoices and credit notes as PDF: seller and customer, lines with tax, totals, in the document's language.
// Pure: plain data in, bytes out. Amounts are integer minor units, printed as they are given (the order holds the
// computed amounts); the renderer only checks that lines and totals agree, so a PDF never shows sums that do not add up.
import type { Language } from '@arvlite/contract';
import { formatDate, formatMoney, formatNumber } from '@arvlite/i18n';
import { bounded, createDocument, finish, FONT, FONT_BOLD, mm, textsFor } from './pdf.ts';

export type InvoiceKind = 'INVOICE' | 'CREDIT_NOTE';

export interface InvoiceParty {
  /** The seller's legal name, or the customer's name. */
  name: string;
  /** Postal address; may span lines. */
  address?: string | null;
  taxId?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface InvoiceSeller extends InvoiceParty {
  /** Bank, account, BIC, correspondent account… as the company wrote them; may span lines. */
  bankDetails?: string | null;
}

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPriceMinor: number;
  /** Tax rate in basis points: 2000 is 20 %, 0 is no tax; null when the line mixes rates (a refund of a whole order). */
  taxRateBp: number | null;
  /** Whether the unit price already includes the tax. */
  taxInclusive: boolean;
  /** The line's amount without tax, its tax and its total (net + tax), as computed by the order. */
  netMinor: number;
  taxMinor: number;
  totalMinor: number;
}

export interface InvoiceDocument {
  kind: InvoiceKind;
  number: string;
  issuedAt: Date;
  language: Language;
  /** The company's time zone, for the printed date. */
  timeZone?: string;
  /** ISO 4217. */
  currency: string;
  seller: InvoiceSeller;
  customer: InvoiceParty;
  orderReference?: string | null;
  /** A credit note's original invoice number. */
  correctsNumber?: string | null;
  lines: InvoiceLine[];
  totals: { netMinor: number; taxMinor: number; totalMinor: number };
  /** The seller's logo, PNG or JPEG bytes (at most INVOICE_LOGO_MAX_BYTES), drawn at the top; absent: none. */
  logo?: Uint8Array | null;
}

export const INVOICE_MAX_LINES = 500;
/** The largest logo the renderer takes (the company logo's own limit is 1 MiB). */
export const INVOICE_LOGO_MAX_BYTES = 1024 * 1024;

export class InvoiceDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvoiceDataError';
  }
}

function check(doc: InvoiceDocument): void {
  if (doc.lines.length === 0 || doc.lines.length > INVOICE_MAX_LINES) {
    throw new InvoiceDataError(`an invoice has 1 to ${INVOICE_MAX_LINES} lines`);
  }
  if (!/^[A-Z]{3}$/.test(doc.currency)) throw new InvoiceDataError('currency must be an ISO 4217 code');
  const ints = (...values: number[]) => values.every((v) => Number.isSafeInteger(v));
  let net = 0;
  let tax = 0;
  let total = 0;
  for (const line of doc.lines) {
    if (!ints(line.quantity, line.unitPriceMinor, line.taxRateBp ?? 0, line.netMinor, line.taxMinor, line.totalMinor)) {
      throw new InvoiceDataError('amounts and quantities must be integers');
    }
    if (line.netMinor + line.taxMinor !== line.totalMinor) throw new InvoiceDataError('a line’s net + tax ≠ total');
    net += line.netMinor;
    tax += line.taxMinor;
    total += line.totalMinor;
  }
  const t = doc.totals;
  if (
    !ints(t.netMinor, t.taxMinor, t.totalMinor) ||
    t.netMinor !== net ||
    t.taxMinor !== tax ||
    t.totalMinor !== total
  ) {
    throw new InvoiceDataError('the totals are not the sum of the lines');
  }
  if (doc.logo) {
    if (doc.logo.length > INVOICE_LOGO_MAX_BYTES) throw new InvoiceDataError('the logo is larger than 1 MiB');
    if (!isPngOrJpeg(doc.logo)) throw new InvoiceDataError('the logo is not a PNG or JPEG image');
  }
}

/** PNG or JPEG by the first bytes: the only image types pdfkit embeds. */
export function isPngOrJpeg(b: Uint8Array): boolean {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= png.length && png.every((v, i) => b[i] === v)) return true;
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

const PAGE = { width: mm(210), height: mm(297) };
const MARGIN = mm(18);
const CONTENT = PAGE.width - 2 * MARGIN;

/** Renders an invoice or a credit note (A4, PDF/A-2b, DejaVu Sans embedded). Same input, same bytes. */
export async function renderInvoicePdf(input: InvoiceDocument): Promise<Buffer> {
  check(input);
  const t = textsFor(input.language);
  const lng = input.language;
  const money = (minor: number) => formatMoney(minor, input.currency, lng);
  const credit = input.kind === 'CREDIT_NOTE';
  const title = credit ? t('invoice.creditNoteTitle') : t('invoice.title');
  const number = bounded(input.number, 64, 'number');
  const doc = createDocument({
    title: `${title} ${t('invoice.number', { number })}`,
    createdAt: input.issuedAt,
    language: lng,
    pdfa: true,
  });
  const newPage = () => doc.addPage({ size: [PAGE.width, PAGE.height], margin: MARGIN });
  newPage();

  // The seller's logo above the heading, scaled into a 60 × 20 mm box.
  let top = MARGIN;
  if (input.logo) {
    const box = { width: mm(60), height: mm(20) };
    doc.image(Buffer.from(input.logo), MARGIN, MARGIN, { fit: [box.width, box.height] });
    top += box.height + mm(4);
  }

  // Heading: title and number left, date (and order, original invoice) right.
  doc
    .font(FONT_BOLD)
    .fontSize(20)
    .text(`${title} ${t('invoice.number', { number })}`, MARGIN, top);
  const facts: [string, string][] = [[t('invoice.date'), formatDate(input.issuedAt, lng, input.timeZone)]];
  if (input.orderReference) facts.push([t('invoice.order'), bounded(input.orderReference, 100, 'order reference')]);
  if (credit && input.correctsNumber) facts.push([t('invoice.corrects'), bounded(input.correctsNumber, 64, 'number')]);
  let y = doc.y + mm(2);
  doc.fontSize(10);
  for (const [label, value] of facts) {
    doc.font(FONT).text(`${label}: `, MARGIN, y, { continued: true }).font(FONT_BOLD).text(value);
    y = doc.y;
  }

  // Seller and customer side by side.
  y += mm(6);
  const colWidth = (CONTENT - mm(10)) / 2;
  const partyBlock = (heading: string, party: InvoiceSeller, x: number): number => {
    doc.font(FONT).fontSize(8).fillColor('#555555').text(heading.toUpperCase(), x, y, { width: colWidth });
    doc
      .fillColor('#000000')
      .font(FONT_BOLD)
      .fontSize(11)
      .text(bounded(party.name, 300, 'name'), { width: colWidth });
    doc.font(FONT).fontSize(9);
    if (party.address) doc.text(bounded(party.address, 1000, 'address'), { width: colWidth });
    if (party.taxId) doc.text(`${t('invoice.taxId')}: ${bounded(party.taxId, 64, 'tax id')}`, { width: colWidth });
    if (party.email) doc.text(`${t('invoice.email')}: ${bounded(party.email, 320, 'email')}`, { width: colWidth });
    if (party.phone) doc.text(`${t('invoice.phone')}: ${bounded(party.phone, 64, 'phone')}`, { width: colWidth });
    if (party.bankDetails) {
      doc.moveDown(0.4).fontSize(8).fillColor('#555555').text(t('invoice.bank'), { width: colWidth });
      doc
        .fillColor('#000000')
        .fontSize(9)
        .text(bounded(party.bankDetails, 1000, 'bank details'), { width: colWidth });
    }
    return doc.y;
  };
  const afterSeller = partyBlock(t('invoice.seller'), input.seller, MARGIN);
  const afterCustomer = partyBlock(t('invoice.customer'), input.customer, MARGIN + colWidth + mm(10));
  y = Math.max(afterSeller, afterCustomer) + mm(8);

  // Lines.
  const cols = [
    { key: 'description', width: CONTENT - mm(115), align: 'left' },
    { key: 'quantity', width: mm(17), align: 'right' },
    { key: 'unitPrice', width: mm(30), align: 'right' },
    { key: 'tax', width: mm(30), align: 'right' },
    { key: 'amount', width: mm(38), align: 'right' },
  ] as const;
  const row = (cells: readonly string[], font: string, size: number): void => {
    doc.font(font).fontSize(size);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: cols[i]!.width - mm(2) }));
    const height = Math.max(...heights);
    if (y + height > PAGE.height - MARGIN - mm(40)) {
      newPage();
      y = MARGIN;
    }
    let x = MARGIN;
    cells.forEach((cell, i) => {
      const col = cols[i]!;
      doc.text(cell, x + (col.align === 'right' ? mm(2) : 0), y, { width: col.width - mm(2), align: col.align });
      x += col.width;
    });
    y += height + mm(2);
  };
  const rule = () => {
    doc
      .moveTo(MARGIN, y - mm(1))
      .lineTo(MARGIN + CONTENT, y - mm(1))
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
  };
  row(
    cols.map((c) => t(`invoice.${c.key}`)),
    FONT_BOLD,
    9,
  );
  rule();
  y += mm(1);
  for (const line of input.lines) {
    const rate =
      line.taxRateBp === null
        ? ''
        : `${formatNumber(line.taxRateBp / 10000, lng, { style: 'percent', maximumFractionDigits: 2 })} `;
    row(
      [
        bounded(line.description, 500, 'description'),
        formatNumber(line.quantity, lng),
        money(line.unitPriceMinor),
        `${rate}${line.taxInclusive ? t('invoice.taxInclusive') : t('invoice.taxExclusive')}\n${money(line.taxMinor)}`,
        money(line.totalMinor),
      ],
      FONT,
      9,
    );
  }
  rule();
  y += mm(2);

  // Totals, right-aligned under the amount column.
  const labelWidth = mm(60);
  const valueWidth = cols[cols.length - 1]!.width;
  const totalsX = MARGIN + CONTENT - labelWidth - valueWidth;
  const totalRow = (label: string, value: string, bold: boolean) => {
    doc.font(bold ? FONT_BOLD : FONT).fontSize(bold ? 12 : 10);
    doc.text(label, totalsX, y, { width: labelWidth, align: 'right' });
    doc.text(value, totalsX + labelWidth, y, { width: valueWidth, align: 'right' });
    y = doc.y + mm(1.5);
  };
  totalRow(t('invoice.net'), money(input.totals.netMinor), false);
  totalRow(t('invoice.taxTotal'), money(input.totals.taxMinor), false);
  totalRow(credit ? t('invoice.totalCredited') : t('invoice.total'), money(input.totals.totalMinor), true);

  y += mm(4);
  doc.font(FONT).fontSize(8).fillColor('#555555').text(t('invoice.inclusiveNote'), MARGIN, y, { width: CONTENT });
  doc.fillColor('#000000');

  // Page numbers once the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The footer sits in the bottom margin; without this pdfkit would move it to a new page.
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(8)
      .text(t('invoice.page', { page: i + 1, pages: range.count }), MARGIN, PAGE.height - MARGIN + mm(4), {
        width: CONTENT,
        align: 'right',
        lineBreak: false,
      });
  }
  return finish(doc);
}
