// Orders: products, orders and their lines, the state changes (place, cancel, pay, produce, ship, deliver, refund),
// invoices and credit notes. Totals are always computed here from the lines' snapshots; client totals do not exist.
import {
  AR_ITEM_PRODUCT_KINDS,
  computeLineTotals,
  computeTotals,
  formatInvoiceNumber,
  MONEY_LIMITS,
  proportionalTax,
  type Currency,
  type InvoiceKind,
  type Language,
  type OrderState,
  type PaymentProvider,
  type ProductKind,
} from '@arvlite/contract';
import { ArContent, CustomerOrder, Invoice, OrderItem, Product, type EntityManager } from '@arvlite/db';
import { REFUNDABLE_ORDER_STATES, transitionOrder } from '@arvlite/domain';
import { emit } from '@arvlite/jobs';
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { Access, Caller } from '../access.ts';
import { actorOf, audit, type AuditActor } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { findPage } from '../paginate.ts';
import { newPublicId } from './ar-content.service.ts';

/**
 * Each transaction starts from an empty identity map: entities the access checks loaded into the request's
 * EntityManager (the company, the membership) are never flushed from here. With the shared map, 50 concurrent
 * payments deadlocked (an UPDATE from a flush against the invoice counter); with a clear one they queue on the counter.
 */
const TX = { clear: true } as const;

type Ctx = Pick<Context, 'em' | 'requestId' | 'ip' | 'userAgent'> & { access: Access; caller: Caller };

// ---- views ----

export function productView(p: Product) {
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    priceMinor: p.priceMinor,
    currency: p.currency,
    taxRateBp: p.taxRateBp,
    taxInclusive: p.taxInclusive,
    termMonths: p.termMonths ?? null,
    archivedAt: p.archivedAt ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function orderItemView(i: OrderItem) {
  return {
    id: i.id,
    productId: i.product?.id ?? null,
    kind: i.productKind,
    name: i.productName,
    unitPriceMinor: i.unitPriceMinor,
    taxRateBp: i.taxRateBp,
    taxInclusive: i.taxInclusive,
    termMonths: i.termMonths ?? null,
    quantity: i.quantity,
    arContentId: i.arContent?.id ?? null,
    createsArContent: i.createsArContent,
    title: i.title ?? null,
    subtotalMinor: i.subtotalMinor,
    taxMinor: i.taxMinor,
    totalMinor: i.totalMinor,
  };
}

export function invoiceView(v: Invoice) {
  return {
    id: v.id,
    orderId: v.order.id,
    kind: v.kind,
    number: v.number,
    currency: v.currency,
    subtotalMinor: v.subtotalMinor,
    taxMinor: v.taxMinor,
    totalMinor: v.totalMinor,
    language: v.language,
    reason: v.reason ?? null,
    issuedAt: v.issuedAt,
    /** True once the documents job has stored the PDF. */
    pdfReady: !!v.pdfKey,
  };
}

export function orderView(o: CustomerOrder, items?: OrderItem[]) {
  return {
    id: o.id,
    projectId: o.project.id,
    number: o.number,
    reference: o.reference ?? null,
    customer: {
      name: o.customerName,
      email: o.customerEmail ?? null,
      phone: o.customerPhone ?? null,
      language: o.customerLanguage ?? null,
    },
    currency: o.currency,
    state: o.state,
    subtotalMinor: o.subtotalMinor,
    taxMinor: o.taxMinor,
    totalMinor: o.totalMinor,
    paidMinor: o.paidMinor,
    refundedMinor: o.refundedMinor,
    payment: { provider: o.paymentProvider ?? null, reference: o.paymentReference ?? null },
    trackingRef: o.trackingRef ?? null,
    placedAt: o.placedAt ?? null,
    paidAt: o.paidAt ?? null,
    inProductionAt: o.inProductionAt ?? null,
    shippedAt: o.shippedAt ?? null,
    deliveredAt: o.deliveredAt ?? null,
    cancelledAt: o.cancelledAt ?? null,
    refundedAt: o.refundedAt ?? null,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    ...(items ? { items: items.map(orderItemView) } : {}),
  };
}

// ---- helpers ----

/**
 * The next number of a company's counter (`order`, `invoice:2026`, `credit-note:2026`): one statement that creates or
 * increments the row and locks it until the transaction ends, so numbers are handed out one transaction at a time,
 * and a rolled-back transaction gives its number back. Call it on the transaction that uses the number.
 */
export async function nextCounter(tem: EntityManager, companyId: string, name: string): Promise<number> {
  const [row] = await tem.execute<{ value: string | number }[]>(
    `insert into company_counter (company_id, name, value) values (?, ?, 1)
       on conflict (company_id, name) do update set value = company_counter.value + 1
       returning value`,
    [companyId, name],
  );
  return Number(row!.value);
}

/** `date` plus `months` calendar months in UTC; the day is clamped to the target month's last (Jan 31 + 1 = Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const out = new Date(date);
  out.setUTCDate(1);
  out.setUTCFullYear(y, m, Math.min(date.getUTCDate(), last));
  return out;
}

/** The company's language, read without loading (and so without ever writing) the company row. */
async function companyLanguage(tem: EntityManager, companyId: string): Promise<{ language: Language }> {
  const [row] = await tem.execute<{ language: Language }[]>('select language from company where id = ?', [companyId]);
  return { language: row?.language ?? 'en' };
}

/** An order of a company the caller may act in at the procedure's role; another company's order does not exist. */
async function accessOrder(ctx: Ctx, id: string): Promise<CustomerOrder> {
  const order = await ctx.em.findOne(CustomerOrder, { id });
  if (!order) throw new NotFoundError('Order');
  try {
    await ctx.access.company(order.company.id);
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError('Order');
    throw e;
  }
  return order;
}

async function lockOrder(tem: EntityManager, where: FilterQuery<CustomerOrder>): Promise<CustomerOrder | null> {
  return tem.findOne(CustomerOrder, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

function requireDraft(order: CustomerOrder) {
  if (order.state !== 'DRAFT') {
    throw new ConflictError('Only a draft order can change its lines', {
      reason: 'ORDER_NOT_DRAFT',
      state: order.state,
    });
  }
}

function transition(order: CustomerOrder, to: OrderState): { from: OrderState; to: OrderState } {
  const from = order.state;
  transitionOrder(order, to);
  return { from, to };
}

async function itemsOf(em: EntityManager, orderId: string) {
  return em.find(OrderItem, { order: orderId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/** Recomputes an order's totals from its lines (never from anything a client sent). */
function applyTotals(order: CustomerOrder, items: OrderItem[]) {
  let totals;
  try {
    totals = computeTotals(
      items.map((i) => ({
        unitPriceMinor: i.unitPriceMinor,
        quantity: i.quantity,
        taxRateBp: i.taxRateBp,
        taxInclusive: i.taxInclusive,
      })),
    );
  } catch {
    throw new ValidationError('The order total would be out of range', { reason: 'TOTAL_OUT_OF_RANGE' });
  }
  order.subtotalMinor = totals.subtotalMinor;
  order.taxMinor = totals.taxMinor;
  order.totalMinor = totals.totalMinor;
}

// ---- products ----

export async function createProduct(
  ctx: Ctx,
  input: {
    companyId: string;
    kind: ProductKind;
    name: string;
    priceMinor: number;
    currency: Currency;
    taxRateBp: number;
    taxInclusive: boolean;
    termMonths?: number | null;
  },
) {
  const { company } = await ctx.access.company(input.companyId);
  if (input.kind === 'STORAGE_EXTENSION' && !input.termMonths) {
    throw new ValidationError('A storage extension needs a term in months', {
      reason: 'TERM_REQUIRED',
      field: 'termMonths',
    });
  }
  return ctx.em.transactional(async (tem) => {
    const product = tem.create(Product, {
      company: company.id,
      kind: input.kind,
      name: input.name,
      priceMinor: input.priceMinor,
      currency: input.currency,
      taxRateBp: input.taxRateBp,
      taxInclusive: input.taxInclusive,
      termMonths: input.termMonths ?? null,
    });
    audit(tem, actorOf(ctx), {
      companyId: company.id,
      action: 'product.create',
      targetType: 'product',
      targetId: product.id,
      changes: { name: { from: null, to: input.name }, priceMinor: { from: null, to: input.priceMinor } },
    });
    await tem.flush();
    return productView(product);
  }, TX);
}

async function accessProduct(ctx: Ctx, id: string): Promise<Product> {
  const product = await ctx.em.findOne(Product, { id });
  if (!product) throw new NotFoundError('Product');
  try {
    await ctx.access.company(product.company.id);
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError('Product');
    throw e;
  }
  return product;
}

export async function updateProduct(
  ctx: Ctx,
  input: {
    id: string;
    name?: string;
    priceMinor?: number;
    currency?: Currency;
    taxRateBp?: number;
    taxInclusive?: boolean;
    termMonths?: number | null;
  },
) {
  const found = await accessProduct(ctx, input.id);
  return ctx.em.transactional(async (tem) => {
    const product = await tem.findOneOrFail(
      Product,
      { id: found.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (product.archivedAt) throw new ConflictError('This product is archived', { reason: 'PRODUCT_ARCHIVED' });
    const { id: _id, ...patch } = input;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const termMonths = 'termMonths' in defined ? (defined.termMonths as number | null) : product.termMonths;
    if (product.kind === 'STORAGE_EXTENSION' && !termMonths) {
      throw new ValidationError('A storage extension needs a term in months', {
        reason: 'TERM_REQUIRED',
        field: 'termMonths',
      });
    }
    const changes = Object.fromEntries(
      Object.entries(defined)
        .filter(([k, v]) => product[k as keyof Product] !== v)
        .map(([k, v]) => [k, { from: product[k as keyof Product] ?? null, to: v }]),
    );
    tem.assign(product, defined);
    audit(tem, actorOf(ctx), {
      companyId: product.company.id,
      action: 'product.update',
      targetType: 'product',
      targetId: product.id,
      changes,
    });
    await tem.flush();
    return productView(product);
  }, TX);
}

/** Archived products stay on the orders that sold them (lines keep a snapshot) but cannot be added again. */
export async function archiveProduct(ctx: Ctx, input: { id: string }) {
  const found = await accessProduct(ctx, input.id);
  return ctx.em.transactional(async (tem) => {
    const product = await tem.findOneOrFail(
      Product,
      { id: found.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!product.archivedAt) {
      product.archivedAt = new Date();
      audit(tem, actorOf(ctx), {
        companyId: product.company.id,
        action: 'product.archive',
        targetType: 'product',
        targetId: product.id,
        changes: { archivedAt: { from: null, to: product.archivedAt } },
      });
    }
    await tem.flush();
    return productView(product);
  }, TX);
}

export async function listProducts(
  ctx: Ctx,
  input: { companyId: string; cursor?: string; limit: number; kind?: ProductKind; includeArchived?: boolean },
) {
  const { company } = await ctx.access.company(input.companyId);
  const page = await findPage(
    ctx.em,
    Product,
    {
      company: company.id,
      ...(input.kind ? { kind: input.kind } : {}),
      ...(input.includeArchived ? {} : { archivedAt: null }),
    },
    input,
  );
  return { items: page.items.map(productView), nextCursor: page.nextCursor };
}

// ---- orders: drafts ----

export async function createOrder(
  ctx: Ctx,
  input: {
    projectId: string;
    currency: Currency;
    customer: { name: string; email?: string | null; phone?: string | null; language?: Language | null };
    reference?: string | null;
  },
) {
  const { project, company } = await ctx.access.project(input.projectId);
  if (project.archivedAt) throw new ConflictError('This project is archived', { reason: 'PROJECT_ARCHIVED' });
  return ctx.em.transactional(async (tem) => {
    const number = await nextCounter(tem, company.id, 'order');
    const order = tem.create(CustomerOrder, {
      company: company.id,
      project: project.id,
      createdBy: ctx.caller.userId,
      number,
      reference: input.reference || null,
      customerName: input.customer.name,
      customerEmail: input.customer.email ?? null,
      customerPhone: input.customer.phone || null,
      customerLanguage: input.customer.language ?? null,
      currency: input.currency,
    });
    audit(tem, actorOf(ctx), {
      companyId: company.id,
      action: 'order.create',
      targetType: 'order',
      targetId: order.id,
      changes: { number: { from: null, to: number }, currency: { from: null, to: input.currency } },
    });
    await tem.flush();
    return orderView(order, []);
  }, TX);
}

export async function addItem(
  ctx: Ctx,
  input: { orderId: string; productId: string; quantity: number; bind?: { arContentId: string }; title?: string },
) {
  const found = await accessOrder(ctx, input.orderId);
  return ctx.em.transactional(async (tem) => {
    const order = (await lockOrder(tem, { id: found.id }))!;
    requireDraft(order);
    const product = await tem.findOne(Product, { id: input.productId, company: order.company.id });
    if (!product) throw new NotFoundError('Product');
    if (product.archivedAt) throw new ConflictError('This product is archived', { reason: 'PRODUCT_ARCHIVED' });
    if (product.currency !== order.currency) {
      throw new ValidationError(`This product is priced in ${product.currency}; the order is in ${order.currency}`, {
        reason: 'CURRENCY_MISMATCH',
        field: 'productId',
      });
    }
    let arContent: ArContent | null = null;
    if (input.bind) {
      arContent = await tem.findOne(ArContent, {
        id: input.bind.arContentId,
        company: order.company.id,
        deletedAt: null,
      });
      if (!arContent) throw new NotFoundError('AR content');
    } else if (product.kind === 'STORAGE_EXTENSION') {
      throw new ValidationError('A storage extension extends an existing AR item: bind one', {
        reason: 'BIND_REQUIRED',
        field: 'bind',
      });
    }
    const items = await itemsOf(tem, order.id);
    if (items.length >= MONEY_LIMITS.linesMax) {
      throw new ValidationError(`An order has at most ${MONEY_LIMITS.linesMax} lines`, { reason: 'TOO_MANY_LINES' });
    }
    const line = {
      unitPriceMinor: product.priceMinor,
      quantity: input.quantity,
      taxRateBp: product.taxRateBp,
      taxInclusive: product.taxInclusive,
    };
    const totals = computeLineTotals(line);
    const item = tem.create(OrderItem, {
      order: order.id,
      product: product.id,
      productKind: product.kind,
      productName: product.name,
      termMonths: product.termMonths ?? null,
      arContent: arContent?.id ?? null,
      createsArContent: !arContent && AR_ITEM_PRODUCT_KINDS.includes(product.kind),
      title: input.title ?? null,
      ...line,
      ...totals,
    });
    applyTotals(order, [...items, item]);
    audit(tem, actorOf(ctx), {
      companyId: order.company.id,
      action: 'order.add-item',
      targetType: 'order',
      targetId: order.id,
      changes: { item: { from: null, to: item.id }, totalMinor: { from: null, to: order.totalMinor } },
    });
    await tem.flush();
    return orderView(order, [...items, item]);
  }, TX);
}

export async function removeItem(ctx: Ctx, input: { orderId: string; itemId: string }) {
  const found = await accessOrder(ctx, input.orderId);
  return ctx.em.transactional(async (tem) => {
    const order = (await lockOrder(tem, { id: found.id }))!;
    requireDraft(order);
    const items = await itemsOf(tem, order.id);
    const item = items.find((i) => i.id === input.itemId);
    if (!item) throw new NotFoundError('Order item');
    const rest = items.filter((i) => i !== item);
    tem.remove(item);
    applyTotals(order, rest);
    audit(tem, actorOf(ctx), {
      companyId: order.company.id,
      action: 'order.remove-item',
      targetType: 'order',
      targetId: order.id,
      changes: { item: { from: item.id, to: null }, totalMinor: { from: null, to: order.totalMinor } },
    });
    await tem.flush();
    return orderView(order, rest);
  }, TX);
}

// ---- orders: state changes ----

const STAMP = {
  PLACED: 'placedAt',
  CANCELLED: 'cancelledAt',
  IN_PRODUCTION: 'inProductionAt',
  SHIPPED: 'shippedAt',
  DELIVERED: 'deliveredAt',
} as const;
const EVENT = {
  PLACED: 'order.placed',
  CANCELLED: 'order.cancelled',
  IN_PRODUCTION: 'order.in-production',
  SHIPPED: 'order.shipped',
  DELIVERED: 'order.delivered',
} as const;

/** place, cancel, markInProduction, markShipped, markDelivered: one state change, stamped, audited and announced. */
export async function changeState(
  ctx: Ctx,
  input: { id: string; trackingRef?: string | null },
  to: keyof typeof EVENT,
) {
  const found = await accessOrder(ctx, input.id);
  return ctx.em.transactional(async (tem) => {
    const order = (await lockOrder(tem, { id: found.id }))!;
    const items = await itemsOf(tem, order.id);
    if (to === 'PLACED' && items.length === 0) {
      throw new ValidationError('Add at least one line before placing the order', { reason: 'ORDER_EMPTY' });
    }
    const change = transition(order, to);
    const at = new Date();
    order[STAMP[to]] = at;
    if (to === 'SHIPPED' && input.trackingRef !== undefined) order.trackingRef = input.trackingRef || null;
    audit(tem, actorOf(ctx), {
      companyId: order.company.id,
      action: EVENT[to],
      targetType: 'order',
      targetId: order.id,
      changes: { state: change, ...(to === 'SHIPPED' ? { trackingRef: { from: null, to: order.trackingRef } } : {}) },
    });
    await tem.flush();
    await emit(tem, { type: EVENT[to], companyId: order.company.id, projectId: order.project.id, orderId: order.id });
    return orderView(order, items);
  }, TX);
}

/** Issues the next invoice or credit note number of the company and year, in the caller's transaction. */
async function issueInvoice(
  tem: EntityManager,
  order: CustomerOrder,
  kind: InvoiceKind,
  amounts: { subtotalMinor: number; taxMinor: number; totalMinor: number },
  language: Language,
  issuedAt: Date,
  reason: string | null = null,
): Promise<Invoice> {
  // The year of issue in UTC.
  const year = issuedAt.getUTCFullYear();
  const seq = await nextCounter(tem, order.company.id, `${kind === 'INVOICE' ? 'invoice' : 'credit-note'}:${year}`);
  return tem.create(Invoice, {
    company: order.company.id,
    order: order.id,
    kind,
    year,
    seq,
    number: formatInvoiceNumber(kind, year, seq),
    currency: order.currency,
    ...amounts,
    language,
    reason,
    issuedAt,
  });
}

export interface RecordOrderPaymentInput {
  companyId: string;
  orderId: string;
  /** What was received, in minor units; must equal the order's total. */
  amountMinor: number;
  currency: string;
  provider: PaymentProvider;
  /** The provider's payment id, or the bank transfer's reference. */
  reference: string;
  /** Who to record in the audit log: the admin who marked it paid, or none (a provider's confirmation). */
  actor?: AuditActor;
}

/**
 * Records a confirmed payment of a PLACED order, in the caller's transaction `tem` (the payments module calls it when a
 * provider confirms a payment; `order.markPaid` calls it for manual payments). In that one transaction:
 * the order (row-locked) becomes PAID with the amount, provider, reference and time; an INVOICE gets the company's next
 * number for the year; lines that create an AR item create it (DRAFT, in the order's project, with the customer's
 * fields); every AR item of the order has `expiresAt` set or extended by its line's term (from the later of now and
 * its current end; STORAGE_EXTENSION lines by term × quantity), which re-arms the expiry reminders; `order.paid` and
 * `invoice.issued` are emitted and the change is audited.
 *
 * Pass a transaction whose identity map holds nothing else to flush (e.g. `em.transactional(cb, { clear: true })`):
 * the invoice counter row is held from here to the commit, and a flush of unrelated rows after it can deadlock with a
 * concurrent payment.
 *
 * Errors (typed; nothing is written): NOT_FOUND when the order is not the company's; CONFLICT reason
 * ORDER_ALREADY_PAID when it was paid before (a duplicate confirmation: treat as done); CONFLICT reason
 * ILLEGAL_ORDER_TRANSITION when it is not PLACED (a draft, or cancelled); BAD_REQUEST reason PAYMENT_CURRENCY_MISMATCH
 * or PAYMENT_AMOUNT_MISMATCH when the currency or amount is not the order's.
 */
export async function recordOrderPayment(tem: EntityManager, input: RecordOrderPaymentInput) {
  const order = await lockOrder(tem, { id: input.orderId, company: input.companyId });
  if (!order) throw new NotFoundError('Order');
  if (order.paidAt) {
    throw new ConflictError('This order is already paid', {
      reason: 'ORDER_ALREADY_PAID',
      state: order.state,
      paymentProvider: order.paymentProvider,
    });
  }
  if (input.currency !== order.currency) {
    throw new ValidationError(`The payment is in ${input.currency}; the order is in ${order.currency}`, {
      reason: 'PAYMENT_CURRENCY_MISMATCH',
    });
  }
  if (input.amountMinor !== order.totalMinor) {
    throw new ValidationError(
      `The payment of ${input.amountMinor} does not match the order total ${order.totalMinor}`,
      {
        reason: 'PAYMENT_AMOUNT_MISMATCH',
        totalMinor: order.totalMinor,
      },
    );
  }
  const change = transition(order, 'PAID');
  const now = new Date();
  Object.assign(order, {
    paidMinor: input.amountMinor,
    paidAt: now,
    paymentProvider: input.provider,
    paymentReference: input.reference.slice(0, 200),
  });
  const company = await companyLanguage(tem, order.company.id);
  const items = await itemsOf(tem, order.id);

  // New AR items first, then every bound item's validity (locked in id order, so two orders never deadlock).
  for (const item of items) {
    if (!item.createsArContent || item.arContent) continue;
    const content = tem.create(ArContent, {
      company: order.company.id,
      project: order.project.id,
      publicId: newPublicId(),
      title: (item.title ?? item.productName).slice(0, 200),
      customerName: order.customerName,
      customerEmail: order.customerEmail ?? null,
      customerPhone: order.customerPhone ?? null,
      customerLanguage: order.customerLanguage ?? null,
      orderRef: (order.reference ?? `#${order.number}`).slice(0, 100),
    });
    item.arContent = content;
  }
  await tem.flush();
  const months = new Map<string, number>();
  for (const item of items) {
    if (!item.arContent || !item.termMonths) continue;
    const m = item.productKind === 'STORAGE_EXTENSION' ? item.termMonths * item.quantity : item.termMonths;
    months.set(item.arContent.id, (months.get(item.arContent.id) ?? 0) + m);
  }
  const extended: Record<string, { from: Date | null; to: Date }> = {};
  for (const id of [...months.keys()].sort()) {
    const content = await tem.findOneOrFail(ArContent, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const from = content.expiresAt ?? null;
    const base = from && from > now ? from : now;
    const to = addMonths(base, months.get(id)!);
    // A new end date re-arms the reminders (announced once per item, end date and threshold) and the expiry.
    Object.assign(content, { expiresAt: to, expiredAt: null, version: content.version + 1 });
    extended[id] = { from, to };
  }

  const language = order.customerLanguage ?? company.language;
  const invoice = await issueInvoice(
    tem,
    order,
    'INVOICE',
    { subtotalMinor: order.subtotalMinor, taxMinor: order.taxMinor, totalMinor: order.totalMinor },
    language,
    now,
  );
  audit(tem, input.actor ?? { requestId: `payment:${input.provider}` }, {
    companyId: order.company.id,
    action: 'order.paid',
    targetType: 'order',
    targetId: order.id,
    changes: {
      state: change,
      paidMinor: { from: 0, to: input.amountMinor },
      paymentProvider: { from: null, to: input.provider },
      paymentReference: { from: null, to: order.paymentReference },
      invoiceNumber: { from: null, to: invoice.number },
      expiresAt: extended,
    },
  });
  await tem.flush();
  const ids = { companyId: order.company.id, projectId: order.project.id, orderId: order.id };
  await emit(tem, {
    type: 'order.paid',
    ...ids,
    amountMinor: input.amountMinor,
    currency: order.currency,
    provider: input.provider,
  });
  await emit(tem, { type: 'invoice.issued', ...ids, invoiceId: invoice.id, kind: 'INVOICE' });
  return { order, items, invoice };
}

/** An admin records a manual payment (bank transfer, cash) with its reference. */
export async function markPaid(ctx: Ctx, input: { id: string; reference: string; amountMinor?: number }) {
  const found = await accessOrder(ctx, input.id);
  return ctx.em.transactional(async (tem) => {
    const { order, items, invoice } = await recordOrderPayment(tem, {
      companyId: found.company.id,
      orderId: found.id,
      amountMinor: input.amountMinor ?? found.totalMinor,
      currency: found.currency,
      provider: 'manual',
      reference: input.reference,
      actor: actorOf(ctx),
    });
    return { ...orderView(order, items), invoice: invoiceView(invoice) };
  }, TX);
}

export interface RecordOrderRefundInput {
  companyId: string;
  orderId: string;
  amountMinor: number;
  reason?: string | null;
  actor?: AuditActor;
}

/**
 * Records money given back on a paid order, in the caller's transaction: `refundedMinor` grows by the amount (never
 * past what was paid), a CREDIT_NOTE is issued for it (its tax the order's tax share of the amount, rounded half up),
 * and when everything paid is refunded the order becomes REFUNDED; otherwise it keeps its state. Emits
 * `order.refunded` and `invoice.issued`. Errors: NOT_FOUND; CONFLICT reason ORDER_NOT_REFUNDABLE (not paid, or
 * already refunded); BAD_REQUEST reason REFUND_EXCEEDS_PAID.
 */
export async function recordOrderRefund(tem: EntityManager, input: RecordOrderRefundInput) {
  const order = await lockOrder(tem, { id: input.orderId, company: input.companyId });
  if (!order) throw new NotFoundError('Order');
  if (!REFUNDABLE_ORDER_STATES.includes(order.state)) {
    throw new ConflictError(`An order in ${order.state} cannot be refunded`, {
      reason: 'ORDER_NOT_REFUNDABLE',
      state: order.state,
    });
  }
  const refundable = order.paidMinor - order.refundedMinor;
  if (input.amountMinor > refundable) {
    throw new ValidationError(`At most ${refundable} can still be refunded`, {
      reason: 'REFUND_EXCEEDS_PAID',
      refundableMinor: refundable,
      field: 'amountMinor',
    });
  }
  const now = new Date();
  const from = order.refundedMinor;
  order.refundedMinor = from + input.amountMinor;
  const full = order.refundedMinor === order.paidMinor;
  const change = full ? transition(order, 'REFUNDED') : null;
  if (full) order.refundedAt = now;
  const company = await companyLanguage(tem, order.company.id);
  const tax = proportionalTax(input.amountMinor, order.taxMinor, order.totalMinor);
  const note = await issueInvoice(
    tem,
    order,
    'CREDIT_NOTE',
    { subtotalMinor: input.amountMinor - tax, taxMinor: tax, totalMinor: input.amountMinor },
    order.customerLanguage ?? company.language,
    now,
    input.reason || null,
  );
  audit(tem, input.actor ?? { requestId: 'refund' }, {
    companyId: order.company.id,
    action: 'order.refunded',
    targetType: 'order',
    targetId: order.id,
    changes: {
      refundedMinor: { from, to: order.refundedMinor },
      ...(change ? { state: change } : {}),
      creditNoteNumber: { from: null, to: note.number },
    },
  });
  await tem.flush();
  const ids = { companyId: order.company.id, projectId: order.project.id, orderId: order.id };
  await emit(tem, {
    type: 'order.refunded',
    ...ids,
    amountMinor: input.amountMinor,
    refundedMinor: order.refundedMinor,
    full,
    creditNoteId: note.id,
  });
  await emit(tem, { type: 'invoice.issued', ...ids, invoiceId: note.id, kind: 'CREDIT_NOTE' });
  return { order, creditNote: note };
}

export async function refund(ctx: Ctx, input: { id: string; amountMinor: number; reason?: string }) {
  const found = await accessOrder(ctx, input.id);
  return ctx.em.transactional(async (tem) => {
    const { order, creditNote } = await recordOrderRefund(tem, {
      companyId: found.company.id,
      orderId: found.id,
      amountMinor: input.amountMinor,
      reason: input.reason ?? null,
      actor: actorOf(ctx),
    });
    return { ...orderView(order, await itemsOf(tem, order.id)), creditNote: invoiceView(creditNote) };
  }, TX);
}

// ---- orders: reading ----

export async function getOrder(ctx: Ctx, input: { id: string }) {
  const order = await accessOrder(ctx, input.id);
  const [items, invoices] = await Promise.all([
    itemsOf(ctx.em, order.id),
    ctx.em.find(Invoice, { order: order.id }, { orderBy: { issuedAt: 'asc', id: 'asc' } }),
  ]);
  return { ...orderView(order, items), invoices: invoices.map(invoiceView) };
}

export async function listInvoices(ctx: Ctx, input: { id: string }) {
  const order = await accessOrder(ctx, input.id);
  const invoices = await ctx.em.find(Invoice, { order: order.id }, { orderBy: { issuedAt: 'asc', id: 'asc' } });
  return { items: invoices.map(invoiceView) };
}

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listOrders(
  ctx: Ctx,
  input: {
    companyId: string;
    cursor?: string;
    limit: number;
    state?: OrderState;
    from?: Date;
    to?: Date;
    search?: string;
  },
) {
  const { company } = await ctx.access.company(input.companyId);
  const where: FilterQuery<CustomerOrder>[] = [{ company: company.id }];
  if (input.state) where.push({ state: input.state });
  if (input.from) where.push({ createdAt: { $gte: input.from } });
  if (input.to) where.push({ createdAt: { $lt: input.to } });
  const search = input.search?.trim();
  if (search) {
    const like = likePattern(search);
    const number = /^#?\d{1,9}$/.test(search) ? Number(search.replace('#', '')) : null;
    where.push({
      $or: [
        { customerName: { $ilike: like } },
        { customerEmail: { $ilike: like } },
        { customerPhone: { $ilike: like } },
        { reference: { $ilike: like } },
        ...(number !== null ? [{ number }] : []),
      ],
    });
  }
  const page = await findPage(ctx.em, CustomerOrder, { $and: where }, input);
  return { items: page.items.map((o) => orderView(o)), nextCursor: page.nextCursor };
}

/** A customer's orders in the company, by their (normalised) email, newest first. */
export async function customerHistory(
  ctx: Ctx,
  input: { companyId: string; email: string; cursor?: string; limit: number },
) {
  const { company } = await ctx.access.company(input.companyId);
  const page = await findPage(ctx.em, CustomerOrder, { company: company.id, customerEmail: input.email }, input);
  return { items: page.items.map((o) => orderView(o)), nextCursor: page.nextCursor };
}
