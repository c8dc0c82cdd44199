// Orders: a company's products, its customers' orders with their lines, the invoices and credit notes they get, and
// the counters that number them. Money is integer minor units (bigint columns read as numbers; every bound in
// @arvlite/contract keeps sums below 2^53).
import {
  CURRENCIES,
  INVOICE_KINDS,
  LANGUAGES,
  ORDER_STATES,
  PAYMENT_PROVIDERS,
  PRODUCT_KINDS,
} from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { ArContentSchema } from './ar-content.entity.ts';
import { CompanySchema } from './company.entity.ts';
import { ProjectSchema } from './project.entity.ts';
import { UserSchema } from './user.entity.ts';

/** Something a company sells: a price in one currency, its tax rate, and the storage term it pays for. */
export const ProductSchema = defineEntity({
  name: 'Product',
  tableName: 'product',
  indexes: [{ properties: ['company', 'createdAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    kind: p.enum(PRODUCT_KINDS),
    name: p.string().length(200),
    priceMinor: p.bigint('number'),
    currency: p.enum(CURRENCIES),
    /** Basis points: 2000 = 20 %. */
    taxRateBp: p.integer().default(0),
    /** True: the price includes the tax. */
    taxInclusive: p.boolean().default(true),
    /** Months of validity a line of it pays for; null where none applies. */
    termMonths: p.integer().nullable(),
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Product extends ProductSchema.class {}
ProductSchema.setClass(Product);

/** A customer's order: its customer, currency, state, totals (computed on the server) and payment. */
export const CustomerOrderSchema = defineEntity({
  name: 'CustomerOrder',
  tableName: 'customer_order',
  indexes: [
    { properties: ['company', 'createdAt'] },
    { properties: ['company', 'customerEmail'] },
    { properties: ['company', 'state', 'createdAt'] },
  ],
  uniques: [{ name: 'customer_order_company_number_unique', properties: ['company', 'number'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    /** New AR items of the order are created in this project. */
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    createdBy: () => p.manyToOne(UserSchema).nullable().deleteRule('set null'),
    /** Sequential per company (#1, #2, …), from company_counter 'order'. */
    number: p.integer(),
    /** The company's own reference (a shop's order id). */
    reference: p.string().length(100).nullable(),
    customerName: p.string().length(200),
    /** Normalised (NFKC, trimmed, lower-case), like every address. */
    customerEmail: p.string().length(254).nullable(),
    customerPhone: p.string().length(40).nullable(),
    /** The customer's language for mails and documents (null: the company's). */
    customerLanguage: p.enum(LANGUAGES).nullable(),
    currency: p.enum(CURRENCIES),
    state: p.enum(ORDER_STATES).default('DRAFT'),
    subtotalMinor: p.bigint('number').default(0),
    taxMinor: p.bigint('number').default(0),
    totalMinor: p.bigint('number').default(0),
    paidMinor: p.bigint('number').default(0),
    refundedMinor: p.bigint('number').default(0),
    /** How it was paid (manual: an admin marked it paid) and the provider's or the bank transfer's reference. */
    paymentProvider: p.enum(PAYMENT_PROVIDERS).nullable(),
    paymentReference: p.string().length(200).nullable(),
    trackingRef: p.string().length(200).nullable(),
    placedAt: p.datetime().nullable(),
    paidAt: p.datetime().nullable(),
    inProductionAt: p.datetime().nullable(),
    shippedAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    refundedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class CustomerOrder extends CustomerOrderSchema.class {}
CustomerOrderSchema.setClass(CustomerOrder);

/**
 * One line: a snapshot of the product as it was sold (name, price, tax, term), the quantity and the line's totals.
 * An AR line is bound to an AR content item, or creates one (in the order's project) when the order is paid.
 */
export const OrderItemSchema = defineEntity({
  name: 'OrderItem',
  tableName: 'order_item',
  indexes: [{ properties: ['order', 'createdAt'] }, { properties: ['arContent'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    order: () => p.manyToOne(CustomerOrderSchema).deleteRule('cascade'),
    product: () => p.manyToOne(ProductSchema).nullable().deleteRule('set null'),
    productKind: p.enum(PRODUCT_KINDS),
    productName: p.string().length(200),
    unitPriceMinor: p.bigint('number'),
    taxRateBp: p.integer(),
    taxInclusive: p.boolean(),
    termMonths: p.integer().nullable(),
    quantity: p.integer(),
    arContent: () => p.manyToOne(ArContentSchema).nullable().deleteRule('set null'),
    /** True for a line that creates its AR item when the order is paid (set to the new item then). */
    createsArContent: p.boolean().default(false),
    /** Title of the AR item the line creates. */
    title: p.string().length(200).nullable(),
    subtotalMinor: p.bigint('number'),
    taxMinor: p.bigint('number'),
    totalMinor: p.bigint('number'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class OrderItem extends OrderItemSchema.class {}
OrderItemSchema.setClass(OrderItem);

/**
 * An invoice (issued when the order is paid) or a credit note (for a refund). `number` is sequential per company,
 * kind and year with no gaps: `seq` comes from the company_counter row of that kind and year, taken in the paying
 * transaction; the unique index is the backstop. The PDF (`pdfKey`) is rendered later by a job and never replaced.
 */
export const InvoiceSchema = defineEntity({
  name: 'Invoice',
  tableName: 'invoice',
  indexes: [{ properties: ['order', 'issuedAt'] }],
  uniques: [{ name: 'invoice_company_kind_year_seq_unique', properties: ['company', 'kind', 'year', 'seq'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    order: () => p.manyToOne(CustomerOrderSchema).deleteRule('cascade'),
    kind: p.enum(INVOICE_KINDS),
    year: p.smallint(),
    seq: p.integer(),
    /** `2026-000123`, credit notes `CN-2026-000004` (formatInvoiceNumber). */
    number: p.string().length(24),
    currency: p.enum(CURRENCIES),
    subtotalMinor: p.bigint('number'),
    taxMinor: p.bigint('number'),
    totalMinor: p.bigint('number'),
    /** The language the document is written in (the customer's, else the company's). */
    language: p.enum(LANGUAGES),
    /** Why money was given back (credit notes). */
    reason: p.string().length(500).nullable(),
    issuedAt: p.datetime(),
    /** The rendered PDF's storage key; null until the documents job stores it. */
    pdfKey: p.string().length(512).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Invoice extends InvoiceSchema.class {}
InvoiceSchema.setClass(Invoice);

/**
 * Numbering counters per company: `order`, `invoice:<year>`, `credit-note:<year>`. Taken with
 * `insert … on conflict do update … returning` in the transaction that uses the number, so the row stays locked until
 * it commits (or rolls back with it): no gaps, no duplicates, whatever the concurrency.
 */
export const CompanyCounterSchema = defineEntity({
  name: 'CompanyCounter',
  tableName: 'company_counter',
  properties: {
    company: () => p.manyToOne(CompanySchema).primary().deleteRule('cascade'),
    name: p.string().length(40).primary(),
    value: p.bigint('number').default(0),
  },
});
export class CompanyCounter extends CompanyCounterSchema.class {}
CompanyCounterSchema.setClass(CompanyCounter);
