// Print-ready PDFs of AR photos: the photo at its printed size with 3 mm bleed and crop marks (front), the QR code of
// the viewer with a call to action in the customer's language (back), and a job ticket page for the operator and the
// lab with sizes, resolution and warnings (never on a print page). PDF/A-2b, so the sRGB IEC61966-2.1 profile is
// embedded as the output intent; the worker hands over photos already converted to sRGB.
import {
  CUSTOM_PRINT_WIDTH_MM,
  MIN_PRINT_DPI,
  PRINT_BLEED_MM,
  PRINT_FORMATS,
  PRINT_SIZES_MM,
  type Language,
  type PrintFormat,
  type PrintWarning,
} from '@arvlite/contract';
import QRCode from 'qrcode';
import { bounded, createDocument, finish, FONT, FONT_BOLD, mm, textsFor } from './pdf.ts';

export { PRINT_FORMATS, PRINT_SIZES_MM, PRINT_BLEED_MM, MIN_PRINT_DPI, CUSTOM_PRINT_WIDTH_MM };
export type { PrintFormat, PrintWarning };
const CUSTOM_WIDTH_MM = CUSTOM_PRINT_WIDTH_MM;
/** Room beyond the trim for the bleed and the crop marks (3 mm gap, 5 mm marks, 2 mm spare). */
const SLUG_MM = 10;
const MARK_GAP_MM = PRINT_BLEED_MM;
const MARK_LENGTH_MM = 5;
export const PRINT_MAX_ITEMS = 100;

export interface PrintItem {
  id: string;
  title: string;
  /** The photo, JPEG or PNG (the worker converts it to sRGB JPEG first). */
  photo: Buffer;
  format: PrintFormat;
  /** The printed width for CUSTOM; the height follows the photo's aspect. */
  widthMm?: number | null;
  /** The viewer link the QR code opens. */
  viewerUrl: string;
  /** The customer's language: the call to action on the back. */
  language: Language;
  customerName?: string | null;
  copies?: number;
}

export interface PrintLayout {
  itemId: string;
  format: PrintFormat;
  trimMm: { width: number; height: number };
  photoPx: { width: number; height: number };
  dpi: number;
}

export interface PrintResult {
  pdf: Buffer;
  warnings: PrintWarning[];
  items: PrintLayout[];
}

export interface PrintOptions {
  /** The ticket's language (the operator's company). */
  language: Language;
  /** Fixed metadata date, so a re-render gives the same bytes. */
  createdAt: Date;
}

export class PrintDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrintDataError';
  }
}

interface OpenedImage {
  width: number;
  height: number;
}
type ImageOpener = { openImage(src: Buffer): OpenedImage };

function isJpeg(b: Buffer): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}
function isPng(b: Buffer): boolean {
  return b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

/** The trim size of an item (mm) for its photo's pixel size. */
export function trimSize(
  format: PrintFormat,
  photoPx: { width: number; height: number },
  widthMm?: number | null,
): { width: number; height: number } {
  if (format === 'CUSTOM') {
    if (
      widthMm == null ||
      !Number.isFinite(widthMm) ||
      widthMm < CUSTOM_WIDTH_MM.min ||
      widthMm > CUSTOM_WIDTH_MM.max
    ) {
      throw new PrintDataError(`a custom print needs a width of ${CUSTOM_WIDTH_MM.min}–${CUSTOM_WIDTH_MM.max} mm`);
    }
    const height = Math.round(((widthMm * photoPx.height) / photoPx.width) * 10) / 10;
    if (height > 2 * CUSTOM_WIDTH_MM.max) throw new PrintDataError('the custom print would be too tall');
    return { width: widthMm, height };
  }
  const size = PRINT_SIZES_MM[format];
  return photoPx.width > photoPx.height ? { width: size.height, height: size.width } : { ...size };
}

/** Pixels per inch of a photo covering the trim plus bleed (cropped to the page's aspect, never stretched). */
export function effectiveDpi(photoPx: { width: number; height: number }, trimMm: { width: number; height: number }) {
  const coverMmPerPx = Math.max(
    (trimMm.width + 2 * PRINT_BLEED_MM) / photoPx.width,
    (trimMm.height + 2 * PRINT_BLEED_MM) / photoPx.height,
  );
  return Math.floor(25.4 / coverMmPerPx);
}

interface Prepared {
  item: PrintItem;
  image: OpenedImage;
  layout: PrintLayout;
}

function prepare(doc: PDFKit.PDFDocument, item: PrintItem): Prepared {
  bounded(item.id, 64, 'id');
  bounded(item.title, 300, 'title');
  bounded(item.viewerUrl, 1000, 'viewer link');
  if (!/^https?:\/\//.test(item.viewerUrl)) throw new PrintDataError('the viewer link must be an http(s) URL');
  if (!PRINT_FORMATS.includes(item.format)) throw new PrintDataError('unknown print format');
  if (!isJpeg(item.photo) && !isPng(item.photo)) throw new PrintDataError('the photo must be a JPEG or PNG');
  let image: OpenedImage;
  try {
    image = (doc as unknown as ImageOpener).openImage(item.photo);
  } catch {
    throw new PrintDataError('the photo cannot be read');
  }
  if (!(image.width > 0 && image.height > 0)) throw new PrintDataError('the photo has no pixels');
  const photoPx = { width: image.width, height: image.height };
  const trimMm = trimSize(item.format, photoPx, item.widthMm);
  return {
    item,
    image,
    layout: { itemId: item.id, format: item.format, trimMm, photoPx, dpi: effectiveDpi(photoPx, trimMm) },
  };
}

/** Adds a page of the trim size plus slug, with TrimBox and BleedBox set; returns the trim's top-left corner. */
function printPage(doc: PDFKit.PDFDocument, trimMm: { width: number; height: number }): { x: number; y: number } {
  const slug = mm(SLUG_MM);
  const w = mm(trimMm.width);
  const h = mm(trimMm.height);
  doc.addPage({ size: [w + 2 * slug, h + 2 * slug], margin: 0 });
  const bleed = mm(PRINT_BLEED_MM);
  // Page boxes are in PDF space (origin bottom-left); the slug is the same on every side, so the numbers match.
  const data = doc.page.dictionary.data as Record<string, unknown>;
  data.TrimBox = [slug, slug, slug + w, slug + h];
  data.BleedBox = [slug - bleed, slug - bleed, slug + w + bleed, slug + h + bleed];
  return { x: slug, y: slug };
}

function cropMarks(
  doc: PDFKit.PDFDocument,
  origin: { x: number; y: number },
  trimMm: { width: number; height: number },
) {
  const gap = mm(MARK_GAP_MM);
  const len = mm(MARK_LENGTH_MM);
  const xs = [origin.x, origin.x + mm(trimMm.width)];
  const ys = [origin.y, origin.y + mm(trimMm.height)];
  doc.save().lineWidth(0.25).strokeColor('#000000');
  for (const [i, x] of xs.entries()) {
    for (const [j, y] of ys.entries()) {
      const dx = i === 0 ? -1 : 1;
      const dy = j === 0 ? -1 : 1;
      doc
        .moveTo(x + dx * gap, y)
        .lineTo(x + dx * (gap + len), y)
        .stroke();
      doc
        .moveTo(x, y + dy * gap)
        .lineTo(x, y + dy * (gap + len))
        .stroke();
    }
  }
  doc.restore();
}

/** The QR code as vector squares (sharp at any print size), quiet zone of 4 modules included in `size`. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const modules = QRCode.create(text, { errorCorrectionLevel: 'Q' }).modules;
  const quiet = 4;
  const cell = size / (modules.size + 2 * quiet);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  for (let r = 0; r < modules.size; r++) {
    let run = -1;
    for (let c = 0; c <= modules.size; c++) {
      const dark = c < modules.size && modules.get(r, c) === 1;
      if (dark && run < 0) run = c;
      if (!dark && run >= 0) {
        doc.rect(x + (quiet + run) * cell, y + (quiet + r) * cell, (c - run) * cell, cell);
        run = -1;
      }
    }
  }
  doc.fill('#000000').restore();
}

function front(doc: PDFKit.PDFDocument, p: Prepared) {
  const { trimMm } = p.layout;
  const origin = printPage(doc, trimMm);
  const bleed = mm(PRINT_BLEED_MM);
  const box = {
    x: origin.x - bleed,
    y: origin.y - bleed,
    w: mm(trimMm.width) + 2 * bleed,
    h: mm(trimMm.height) + 2 * bleed,
  };
  const scale = Math.max(box.w / p.image.width, box.h / p.image.height);
  const w = p.image.width * scale;
  const h = p.image.height * scale;
  doc.save().rect(box.x, box.y, box.w, box.h).clip();
  doc.image(p.image as unknown as Buffer, box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, {
    width: w,
    height: h,
    ...({ ignoreOrientation: true } as PDFKit.Mixins.ImageOption),
  });
  doc.restore();
  cropMarks(doc, origin, trimMm);
}

function back(doc: PDFKit.PDFDocument, p: Prepared) {
  const { trimMm } = p.layout;
  const origin = printPage(doc, trimMm);
  const w = mm(trimMm.width);
  const h = mm(trimMm.height);
  const short = Math.min(trimMm.width, trimMm.height);
  const qr = mm(Math.min(50, Math.max(15, short * 0.5)));
  const fontSize = Math.min(16, Math.max(7, short / 10));
  const t = textsFor(p.item.language);
  const cta = t('print.callToAction');
  doc.font(FONT_BOLD).fontSize(fontSize);
  const textWidth = w - mm(16);
  const ctaHeight = doc.heightOfString(cta, { width: textWidth, align: 'center' });
  const top = origin.y + (h - (qr + mm(4) + ctaHeight)) / 2;
  drawQr(doc, p.item.viewerUrl, origin.x + (w - qr) / 2, top, qr);
  doc.fillColor('#000000').text(cta, origin.x + mm(8), top + qr + mm(4), { width: textWidth, align: 'center' });
  cropMarks(doc, origin, trimMm);
}

function formatName(t: ReturnType<typeof textsFor>, layout: PrintLayout): string {
  return layout.format === 'CUSTOM' ? t('print.custom', { width: layout.trimMm.width }) : layout.format;
}

/** The operator's and lab's page: A4, every item's sizes and resolution, then the warnings. */
function ticket(
  doc: PDFKit.PDFDocument,
  heading: string,
  prepared: Prepared[],
  warnings: PrintWarning[],
  lng: Language,
) {
  const t = textsFor(lng);
  const margin = mm(18);
  const width = mm(210) - 2 * margin;
  doc.addPage({ size: 'A4', margin });
  doc.font(FONT_BOLD).fontSize(16).text(heading, margin, margin, { width });
  doc.font(FONT).fontSize(9).fillColor('#555555').text(t('print.ticketTitle'), { width });
  doc.text(t('print.frontBack'), { width }).text(t('print.colour'), { width }).fillColor('#000000');
  let page = 2;
  for (const p of prepared) {
    const l = p.layout;
    doc
      .moveDown(0.8)
      .font(FONT_BOLD)
      .fontSize(11)
      .text(`${t('print.item')}: ${p.item.title}`, { width });
    doc.font(FONT).fontSize(9);
    const rows: [string, string][] = [
      [t('print.format'), formatName(t, l)],
      [t('print.trim'), t('print.sizeMm', { width: l.trimMm.width, height: l.trimMm.height })],
      [t('print.bleed'), t('print.lengthMm', { value: PRINT_BLEED_MM })],
      [t('print.photo'), `${l.photoPx.width} × ${l.photoPx.height} px`],
      [t('print.resolution'), `${l.dpi} dpi`],
      [t('print.pages'), `${page}–${page + 1}`],
    ];
    if (p.item.copies && p.item.copies > 1) rows.push([t('print.copies'), String(p.item.copies)]);
    if (p.item.customerName) rows.push([t('print.customer'), bounded(p.item.customerName, 300, 'customer name')]);
    rows.push([t('print.link'), p.item.viewerUrl]);
    for (const [label, value] of rows) doc.text(`${label}: ${value}`, { width });
    page += 2;
  }
  doc.moveDown(1).font(FONT_BOLD).fontSize(12).text(t('print.warnings'), { width });
  doc.font(FONT).fontSize(10);
  if (warnings.length === 0) doc.text(t('print.noWarnings'), { width });
  for (const w of warnings) {
    const p = prepared.find((x) => x.item.id === w.itemId)!;
    doc
      .fillColor('#b00020')
      .text(
        `⚠ ${t('print.lowResolution', { title: p.item.title, dpi: w.dpi, format: formatName(t, p.layout), min: w.minDpi })}`,
        { width },
      );
  }
  doc.fillColor('#000000');
}

async function render(heading: string, items: PrintItem[], opts: PrintOptions): Promise<PrintResult> {
  if (items.length === 0 || items.length > PRINT_MAX_ITEMS) {
    throw new PrintDataError(`a print file has 1 to ${PRINT_MAX_ITEMS} items`);
  }
  const doc = createDocument({ title: heading, createdAt: opts.createdAt, language: opts.language, pdfa: true });
  const prepared = items.map((item) => prepare(doc, item));
  const warnings: PrintWarning[] = prepared
    .filter((p) => p.layout.dpi < MIN_PRINT_DPI)
    .map((p) => ({ code: 'LOW_RESOLUTION', itemId: p.item.id, dpi: p.layout.dpi, minDpi: MIN_PRINT_DPI }));
  ticket(doc, heading, prepared, warnings, opts.language);
  for (const p of prepared) {
    front(doc, p);
    back(doc, p);
  }
  return { pdf: await finish(doc), warnings, items: prepared.map((p) => p.layout) };
}

/**
 * One AR content item's print file: page 1 the job ticket (sizes, resolution, warnings; not for printing), page 2 the
 * photo with bleed and crop marks, page 3 the QR code with the call to action. Same input, same bytes.
 */
export function renderPrintPdf(item: PrintItem, opts: PrintOptions): Promise<PrintResult> {
  return render(bounded(item.title, 300, 'title'), [item], opts);
}

/** An order's print sheet for the lab: one ticket listing every item, then each item's front and back. */
export function renderPrintSheet(
  sheet: { orderNumber: string; items: PrintItem[] },
  opts: PrintOptions,
): Promise<PrintResult> {
  const t = textsFor(opts.language);
  return render(t('print.sheetTitle', { number: bounded(sheet.orderNumber, 64, 'order number') }), sheet.items, opts);
}
