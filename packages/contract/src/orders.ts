// Orders, products, money and invoices: the rules the server, the dashboard and the payment providers agree on.
// Money is always an integer count of the currency's minor unit (kopecks, cents): never a float, never negative.
import { z } from 'zod';
import { email, instant, TEXT_LIMITS } from './inputs.ts';
import { languageSchema } from './languages.ts';

/** ISO 4217 currencies we take, with the exponent of their minor unit (RUB 2: 1 rouble = 100 kopecks; JPY 0). */
export const CURRENCY_EXPONENTS = {
  RUB: 2,
  USD: 2,
  EUR: 2,
  KZT: 2,
  BYN: 2,
  GBP: 2,
  CNY: 2,
  JPY: 0,
} as const;
export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as [Currency, ...Currency[]];
export const currencySchema = z.enum(CURRENCIES, { message: `expected one of ${CURRENCIES.join(', ')}` });

/**
 * Bounds that keep every sum a safe integer: a unit price of at most 10^10 minor units, at most 1,000 of a line and
 * 100 lines make at most 10^15, doubled by a 100 % exclusive tax: below Number.MAX_SAFE_INTEGER (~9·10^15).
 */
export const MONEY_LIMITS = {
  unitPriceMaxMinor: 10_000_000_000,
  quantityMax: 1000,
  linesMax: 100,
  /** What an order's total may reach (a bound on any amount paid or refunded). */
  totalMaxMinor: 2_000_000_000_000_000,
} as const;

/** An amount in minor units: an integer, 0 or more, at most `max`. */
export const minorAmount = (max: number = MONEY_LIMITS.totalMaxMinor) =>
  z
    .int({ message: 'expected a whole number of minor units (e.g. kopecks, cents)' })
    .min(0, { message: 'must not be negative' })
    .max(max, { message: `must be at most ${max}` });
export const unitPriceMinor = minorAmount(MONEY_LIMITS.unitPriceMaxMinor);
export const quantity = z.int().min(1).max(MONEY_LIMITS.quantityMax);

/** Tax rate in basis points (1 % = 100), 0 % to 100 %. */
export const TAX_RATE_BP_MAX = 10_000;
export const taxRateBp = z.int().min(0).max(TAX_RATE_BP_MAX);

/** Paid storage terms, in months (up to 10 years). */
export const TERM_MONTHS_MAX = 120;
export const termMonths = z.int().min(1).max(TERM_MONTHS_MAX);

/**
 * What a company sells. AR_CARD and AR_POSTER are printed photos with an AR item (a line binds an existing item or
 * creates one when the order is paid); STORAGE_EXTENSION extends an existing item's validity; PRINT is a print
 * without an AR item of its own.
 */
export const PRODUCT_KINDS = ['AR_CARD', 'AR_POSTER', 'STORAGE_EXTENSION', 'PRINT'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];
export const productKindSchema = z.enum(PRODUCT_KINDS);
/** Kinds whose line may create a new AR item when the order is paid. */
export const AR_ITEM_PRODUCT_KINDS: readonly ProductKind[] = ['AR_CARD', 'AR_POSTER'];

export const ORDER_STATES = [
  'DRAFT',
  'PLACED',
  'PAID',
  'IN_PRODUCTION',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'REFUNDED',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];
export const orderStateSchema = z.enum(ORDER_STATES);

/** Who took the money: `manual` is an admin marking the order paid (bank transfer, cash), with a reference. */
export const PAYMENT_PROVIDERS = ['manual', 'yookassa', 'stripe'] as const;
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];
export const paymentProviderSchema = z.enum(PAYMENT_PROVIDERS);

export const INVOICE_KINDS = ['INVOICE', 'CREDIT_NOTE'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];

/**
 * An invoice's number: the year and its sequence within the company and year, six digits at least
 * (`2026-000123`; credit notes `CN-2026-000004`, counted apart).
 */
export function formatInvoiceNumber(kind: InvoiceKind, year: number, seq: number): string {
  return `${kind === 'CREDIT_NOTE' ? 'CN-' : ''}${year}-${String(seq).padStart(6, '0')}`;
}

/** An order's number within its company, shown to people (`#42`). */
export const ORDER_NUMBER_MAX = 2_000_000_000;

export const ORDER_TEXT_LIMITS = {
  productName: 200,
  paymentReference: 200,
  trackingRef: 200,
  search: 100,
  refundReason: 500,
  legalName: 200,
  billingAddress: 500,
  taxId: 50,
  bankDetails: 1000,
} as const;

const text = (max: number) =>
  z
    .string()
    .transform((v) => v.normalize('NFKC').trim())
    .pipe(
      z
        .string()
        .min(1, { message: 'must not be empty' })
        .max(max)
        // eslint-disable-next-line no-control-regex
        .refine((v) => !/[\u0000]/.test(v), { message: 'must not contain NUL' }),
    );
const multiline = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .refine((v) => !/[\u0000]/.test(v), { message: 'must not contain NUL' })
    .transform((v) => v.trim());

/** The person who orders (and receives the viewer link): their email is normalised like every address. */
export const orderCustomerSchema = z.strictObject({
  name: text(TEXT_LIMITS.customerName),
  email: email.nullable().optional(),
  phone: z
    .string()
    .trim()
    .max(TEXT_LIMITS.customerPhone)
    .regex(/^[0-9+()\-. ]*$/, { message: 'expected a phone number' })
    .nullable()
    .optional(),
  language: languageSchema.nullable().optional(),
});

const uuid = z.uuid({ message: 'expected an id' });
const page = { cursor: z.string().max(200).optional(), limit: z.int().min(1).max(100).default(20) };

export const productCreateInput = z.strictObject({
  companyId: uuid,
  kind: productKindSchema,
  name: text(ORDER_TEXT_LIMITS.productName),
  priceMinor: unitPriceMinor,
  currency: currencySchema,
  taxRateBp: taxRateBp.default(0),
  /** True: the price includes the tax; false: the tax is added on top. */
  taxInclusive: z.boolean().default(true),
  /** The storage term this product pays for (months); required for STORAGE_EXTENSION. */
  termMonths: termMonths.nullable().optional(),
});
export const productUpdateInput = z.strictObject({
  id: uuid,
  name: text(ORDER_TEXT_LIMITS.productName).optional(),
  priceMinor: unitPriceMinor.optional(),
  currency: currencySchema.optional(),
  taxRateBp: taxRateBp.optional(),
  taxInclusive: z.boolean().optional(),
  termMonths: termMonths.nullable().optional(),
});
export const productListInput = z.strictObject({
  companyId: uuid,
  ...page,
  kind: productKindSchema.optional(),
  includeArchived: z.boolean().optional(),
});

export const orderCreateInput = z.strictObject({
  /** New AR items of the order are created in this project. */
  projectId: uuid,
  currency: currencySchema,
  customer: orderCustomerSchema,
  /** The company's own reference (a shop's order id); searchable. */
  reference: z.string().trim().max(TEXT_LIMITS.orderRef).nullable().optional(),
});
export const orderAddItemInput = z.strictObject({
  orderId: uuid,
  productId: uuid,
  quantity: quantity.default(1),
  /** Bind the line to an existing AR item of the company; without it, AR_CARD and AR_POSTER create one when paid. */
  bind: z.strictObject({ arContentId: uuid }).optional(),
  /** Title of the AR item a line creates (default: the product's name). */
  title: z.string().trim().min(1).max(TEXT_LIMITS.title).optional(),
});
export const orderRemoveItemInput = z.strictObject({ orderId: uuid, itemId: uuid });
export const orderIdInput = z.strictObject({ id: uuid });
export const orderMarkPaidInput = z.strictObject({
  id: uuid,
  /** The bank transfer's or receipt's reference. */
  reference: text(ORDER_TEXT_LIMITS.paymentReference),
  /** What was received; must equal the order's total (default: the total). */
  amountMinor: minorAmount().optional(),
});
export const orderMarkShippedInput = z.strictObject({
  id: uuid,
  trackingRef: z.string().trim().max(ORDER_TEXT_LIMITS.trackingRef).nullable().optional(),
});
export const orderRefundInput = z.strictObject({
  id: uuid,
  /** Minor units to refund; at most what was paid and not yet refunded. Refunding all of it makes the order REFUNDED. */
  amountMinor: minorAmount().refine((v) => v > 0, { message: 'must be more than 0' }),
  reason: multiline(ORDER_TEXT_LIMITS.refundReason).optional(),
});
export const orderListInput = z.strictObject({
  companyId: uuid,
  ...page,
  state: orderStateSchema.optional(),
  /** Orders created at or after `from` and before `to`. */
  from: instant.optional(),
  to: instant.optional(),
  /** Matches the customer's name, email or phone, the order's reference or number. */
  search: z.string().trim().max(ORDER_TEXT_LIMITS.search).optional(),
});
export const orderHistoryInput = z.strictObject({ companyId: uuid, email, ...page });

/** The company's details printed on invoices (admins edit them with company.update). */
export const companyBillingInput = z.strictObject({
  legalName: multiline(ORDER_TEXT_LIMITS.legalName).nullable().optional(),
  address: multiline(ORDER_TEXT_LIMITS.billingAddress).nullable().optional(),
  taxId: multiline(ORDER_TEXT_LIMITS.taxId).nullable().optional(),
  bankDetails: multiline(ORDER_TEXT_LIMITS.bankDetails).nullable().optional(),
});

export interface TotalsLine {
  unitPriceMinor: number;
  quantity: number;
  taxRateBp: number;
  taxInclusive: boolean;
}
export interface Totals {
  /** Without tax. */
  subtotalMinor: number;
  taxMinor: number;
  /** What the customer pays: subtotal + tax. */
  totalMinor: number;
}

/** a·b / c rounded half up, exact for any safe integers (BigInt inside). */
function mulDivRound(a: number, b: number, c: number): number {
  const n = BigInt(a) * BigInt(b) * 2n + BigInt(c);
  return Number(n / (BigInt(c) * 2n));
}

/**
 * One line's totals. Rounding rule: tax is computed per line on the line amount (unit price × quantity) and rounded
 * half up to a whole minor unit; the order's totals are the sums of its lines'.
 * - exclusive: subtotal = price × qty, tax = round(subtotal × rate / 10000), total = subtotal + tax;
 * - inclusive: total = price × qty, tax = round(total × rate / (10000 + rate)), subtotal = total − tax.
 */
export function computeLineTotals(line: TotalsLine): Totals {
  for (const [k, v] of Object.entries(line)) {
    if (k !== 'taxInclusive' && (!Number.isSafeInteger(v) || (v as number) < 0)) {
      throw new RangeError(`${k} must be a non-negative integer`);
    }
  }
  if (line.taxRateBp > TAX_RATE_BP_MAX) throw new RangeError('taxRateBp must be at most 10000');
  const amount = line.unitPriceMinor * line.quantity;
  if (!Number.isSafeInteger(amount)) throw new RangeError('line amount is out of range');
  if (line.taxInclusive) {
    const tax = mulDivRound(amount, line.taxRateBp, TAX_RATE_BP_MAX + line.taxRateBp);
    return { subtotalMinor: amount - tax, taxMinor: tax, totalMinor: amount };
  }
  const tax = mulDivRound(amount, line.taxRateBp, TAX_RATE_BP_MAX);
  return { subtotalMinor: amount, taxMinor: tax, totalMinor: amount + tax };
}

/** An order's totals: the sums of its lines' (see computeLineTotals for the rounding rule). */
export function computeTotals(lines: readonly TotalsLine[]): Totals & { lines: Totals[] } {
  const each = lines.map(computeLineTotals);
  const sum = (k: keyof Totals) => each.reduce((s, t) => s + t[k], 0);
  const totals = { subtotalMinor: sum('subtotalMinor'), taxMinor: sum('taxMinor'), totalMinor: sum('totalMinor') };
  if (!Number.isSafeInteger(totals.totalMinor) || totals.totalMinor > MONEY_LIMITS.totalMaxMinor) {
    throw new RangeError('order total is out of range');
  }
  return { ...totals, lines: each };
}

/**
 * The tax share of a partial amount (a credit note for part of an order), rounded half up: amount × tax / total.
 */
export function proportionalTax(amountMinor: number, orderTaxMinor: number, orderTotalMinor: number): number {
  if (orderTotalMinor <= 0) return 0;
  return mulDivRound(amountMinor, orderTaxMinor, orderTotalMinor);
}

/** Formats minor units for people (`1 234,50 ₽`) with Intl, in the given language. */
export function formatMoney(amountMinor: number, currency: Currency, locale: string): string {
  const exp = CURRENCY_EXPONENTS[currency];
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(amountMinor / 10 ** exp);
}
