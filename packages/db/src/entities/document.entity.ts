// Documents the worker renders and keeps: print files of AR items and orders, and the capability links that let a
// customer open their invoice from a mail without an account.
import { PRINT_FILE_STATUSES, PRINT_FORMATS, type PrintWarning } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { ArContentSchema } from './ar-content.entity.ts';
import { CompanySchema } from './company.entity.ts';
import { CustomerOrderSchema, InvoiceSchema } from './order.entity.ts';

/**
 * A link that opens one invoice's PDF until `expiresAt`. The token (43 base64url characters, HMAC-derived from the id
 * with a key only the servers hold, at send time) is never stored: only its SHA-256. Following it answers a redirect
 * to a fresh, short presigned GET of that one object.
 */
export const DocumentLinkSchema = defineEntity({
  name: 'DocumentLink',
  tableName: 'document_link',
  indexes: [{ properties: ['invoice'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    invoice: () => p.manyToOne(InvoiceSchema).deleteRule('cascade'),
    tokenHash: p.string().length(64).unique().hidden(),
    expiresAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class DocumentLink extends DocumentLinkSchema.class {}
DocumentLinkSchema.setClass(DocumentLink);

/**
 * A print file: one AR item in one format (`arContent`), or an order's print sheet (`order`). `cacheKey` names what it
 * was rendered from (the item's marker revision and format, or the sheet's items), so asking again for the same
 * returns it instead of rendering anew; a new marker revision makes a new one. The PDF at `pdfKey` is never replaced.
 */
export const PrintFileSchema = defineEntity({
  name: 'PrintFile',
  tableName: 'print_file',
  indexes: [{ properties: ['arContent'] }, { properties: ['order'] }],
  uniques: [{ name: 'print_file_company_cache_key_unique', properties: ['company', 'cacheKey'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    arContent: () => p.manyToOne(ArContentSchema).nullable().deleteRule('cascade'),
    order: () => p.manyToOne(CustomerOrderSchema).nullable().deleteRule('cascade'),
    /** An item's format; null for a sheet (each item in its own). */
    format: p.enum(PRINT_FORMATS).nullable(),
    cacheKey: p.string().length(200),
    status: p.enum(PRINT_FILE_STATUSES).default('PENDING'),
    pdfKey: p.string().length(512).nullable(),
    pdfBytes: p.integer().nullable(),
    warnings: p.json<PrintWarning[]>().nullable(),
    /** Why it failed (a reason code such as NO_MARKER or PHOTO_UNREADABLE). */
    failureCode: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class PrintFile extends PrintFileSchema.class {}
PrintFileSchema.setClass(PrintFile);
