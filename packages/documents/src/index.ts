// PDF documents, rendered from plain data (no database, no storage): invoices and credit notes, and print-ready files
// of AR photos. Loaded only by the worker (pdfkit never enters the server).
export {
  renderInvoicePdf,
  InvoiceDataError,
  INVOICE_MAX_LINES,
  INVOICE_LOGO_MAX_BYTES,
  isPngOrJpeg,
  type InvoiceDocument,
  type InvoiceKind,
  type InvoiceLine,
  type InvoiceParty,
  type InvoiceSeller,
} from './invoice.ts';
export {
  renderPrintPdf,
  renderPrintSheet,
  effectiveDpi,
  trimSize,
  PrintDataError,
  PRINT_FORMATS,
  PRINT_SIZES_MM,
  PRINT_BLEED_MM,
  PRINT_MAX_ITEMS,
  MIN_PRINT_DPI,
  CUSTOM_PRINT_WIDTH_MM,
  type PrintFormat,
  type PrintItem,
  type PrintLayout,
  type PrintOptions,
  type PrintResult,
  type PrintWarning,
} from './print.ts';
export { textsFor as documentTexts } from './pdf.ts';
/** Money as the documents print it (the mails that announce them use the same). */
export { formatMoney } from '@arvlite/i18n';
export { documents as documentsEn } from './locales/en.ts';
export { documents as documentsRu } from './locales/ru.ts';
