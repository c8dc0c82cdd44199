// REST answers of the order and product procedures (see schemas.ts): money in integer minor units, dates as ISO-8601.
import {
  CURRENCIES,
  INVOICE_KINDS,
  LANGUAGES,
  ORDER_STATES,
  PAYMENT_PROVIDERS,
  PRODUCT_KINDS,
} from '@arvlite/contract';
import { z } from 'zod';
import { isoDate } from './schemas.ts';

const minor = z.int().min(0).meta({ description: 'Minor units of the currency (kopecks, cents).' });
const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  });

export const productSchema = z.object({
  id: z.uuid(),
  kind: z.enum(PRODUCT_KINDS),
  name: z.string(),
  priceMinor: minor,
  currency: z.enum(CURRENCIES),
  taxRateBp: z.int().meta({ description: 'Tax rate in basis points (2000 = 20 %).' }),
  taxInclusive: z.boolean(),
  termMonths: z.int().nullable(),
  archivedAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export const productPageSchema = page(productSchema);

export const orderItemSchema = z.object({
  id: z.uuid(),
  productId: z.uuid().nullable(),
  kind: z.enum(PRODUCT_KINDS),
  name: z.string(),
  unitPriceMinor: minor,
  taxRateBp: z.int(),
  taxInclusive: z.boolean(),
  termMonths: z.int().nullable(),
  quantity: z.int(),
  arContentId: z.uuid().nullable(),
  createsArContent: z.boolean(),
  title: z.string().nullable(),
  subtotalMinor: minor,
  taxMinor: minor,
  totalMinor: minor,
});

export const invoiceSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  kind: z.enum(INVOICE_KINDS),
  number: z.string().meta({ example: '2026-000123' }),
  currency: z.enum(CURRENCIES),
  subtotalMinor: minor,
  taxMinor: minor,
  totalMinor: minor,
  language: z.enum(LANGUAGES),
  reason: z.string().nullable(),
  issuedAt: isoDate,
  pdfReady: z.boolean(),
});
export const invoiceListSchema = z.object({ items: z.array(invoiceSchema) });

const orderFields = {
  id: z.uuid(),
  projectId: z.uuid(),
  number: z.int(),
  reference: z.string().nullable(),
  customer: z.object({
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    language: z.enum(LANGUAGES).nullable(),
  }),
  currency: z.enum(CURRENCIES),
  state: z.enum(ORDER_STATES),
  subtotalMinor: minor,
  taxMinor: minor,
  totalMinor: minor,
  paidMinor: minor,
  refundedMinor: minor,
  payment: z.object({ provider: z.enum(PAYMENT_PROVIDERS).nullable(), reference: z.string().nullable() }),
  trackingRef: z.string().nullable(),
  placedAt: isoDate.nullable(),
  paidAt: isoDate.nullable(),
  inProductionAt: isoDate.nullable(),
  shippedAt: isoDate.nullable(),
  deliveredAt: isoDate.nullable(),
  cancelledAt: isoDate.nullable(),
  refundedAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
};
export const orderSummarySchema = z.object(orderFields);
export const orderPageSchema = page(orderSummarySchema);
export const orderSchema = z.object({ ...orderFields, items: z.array(orderItemSchema) });
export const orderDetailSchema = z.object({
  ...orderFields,
  items: z.array(orderItemSchema),
  invoices: z.array(invoiceSchema),
});
export const orderPaidSchema = z.object({ ...orderFields, items: z.array(orderItemSchema), invoice: invoiceSchema });
export const orderRefundedSchema = z.object({
  ...orderFields,
  items: z.array(orderItemSchema),
  creditNote: invoiceSchema,
});
