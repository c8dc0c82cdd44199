// Orders end to end over HTTP with a real worker: products, drafts, the state machine, manual payment (invoice number,
// AR items created or extended, the customer's mail, reminders re-armed), refunds with credit notes, search, history,
// typed errors that change nothing, 50 concurrent payments numbered without gaps, and the REST surface with an API key.
import { TRPCClientError, type AppRouter, type RouterOutputs } from '@arvlite/client';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mailsTo, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

type Order = RouterOutputs['order']['byId'];

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let companyId: string;
let projectId: string;
const { mailDir } = inject('testServices');

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected the call to fail');
}
const reasonOf = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details?.reason;

const poll = { timeout: 60_000 };

const sql = <T>(q: string, params: unknown[] = []) => platform.deps.orm.fork().execute<T[]>(q, params);

/** Every order-related row of a company, to prove a refused call changed nothing. */
async function fingerprint(company = companyId): Promise<string> {
  const parts = await Promise.all([
    sql(`select * from product where company_id = ? order by id`, [company]),
    sql(`select * from customer_order where company_id = ? order by id`, [company]),
    sql(
      `select i.* from order_item i join customer_order o on o.id = i.order_id where o.company_id = ? order by i.id`,
      [company],
    ),
    sql(`select * from invoice where company_id = ? order by id`, [company]),
    sql(`select * from company_counter where company_id = ? order by name`, [company]),
    sql(`select id, expires_at, expired_at, version from ar_content where company_id = ? order by id`, [company]),
    sql(`select type, payload from outbox_event where company_id = ? order by id`, [company]),
  ]);
  return JSON.stringify(parts);
}

async function product(input: Partial<Parameters<typeof owner.client.product.create.mutate>[0]> = {}) {
  return owner.client.product.create.mutate({
    companyId,
    kind: 'AR_CARD',
    name: 'AR photo card',
    priceMinor: 150_000,
    currency: 'RUB',
    taxRateBp: 2000,
    taxInclusive: true,
    termMonths: 12,
    ...input,
  });
}

async function draft(customer: { name: string; email?: string; phone?: string } = { name: 'Anna Petrova' }) {
  return owner.client.order.create.mutate({ projectId, currency: 'RUB', customer });
}

beforeAll(async () => {
  platform = await startTestPlatform({ worker: true });
  owner = await registerUser(platform.client);
  const company = await owner.client.company.create.mutate({ name: 'Print Lab' });
  companyId = company.id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Orders' })).id;
}, 120_000);

afterAll(() => undefined);

describe('an order from draft to delivery and refund', () => {
  let order: Order;
  const email = `anna-${Date.now()}@example.com`;

  it('computes totals on the server and numbers orders per company', async () => {
    const card = await product();
    const print = await product({
      kind: 'PRINT',
      name: 'A4 print',
      priceMinor: 333,
      taxRateBp: 2000,
      taxInclusive: false,
      termMonths: null,
    });
    const created = await draft({ name: 'Anna Petrova', email: ` ${email.toUpperCase()} `, phone: '+7 900 123-45-67' });
    expect(created).toMatchObject({ state: 'DRAFT', totalMinor: 0, customer: { email } });
    await owner.client.order.addItem.mutate({ orderId: created.id, productId: card.id, title: 'Wedding photo' });
    const withPrint = await owner.client.order.addItem.mutate({
      orderId: created.id,
      productId: print.id,
      quantity: 3,
    });
    // Card: 150000 incl. 20 % → tax 25000. Print: 3 × 333 = 999 + 20 % = 199.8 → 200.
    expect(withPrint).toMatchObject({ subtotalMinor: 125_000 + 999, taxMinor: 25_000 + 200, totalMinor: 151_199 });
    expect(withPrint.items!.map((i) => [i.kind, i.createsArContent])).toEqual([
      ['AR_CARD', true],
      ['PRINT', false],
    ]);
    const removed = await owner.client.order.removeItem.mutate({
      orderId: created.id,
      itemId: withPrint.items![1]!.id,
    });
    expect(removed.totalMinor).toBe(150_000);
    await owner.client.order.addItem.mutate({ orderId: created.id, productId: print.id, quantity: 3 });
    const second = await draft();
    expect(second.number).toBe(created.number + 1);
    await owner.client.order.cancel.mutate({ id: second.id });
    order = await owner.client.order.byId.query({ id: created.id });
    expect(order.totalMinor).toBe(151_199);
  });

  it('places, takes a manual payment, issues the invoice and creates the AR item for the paid term', async () => {
    await owner.client.order.place.mutate({ id: order.id });
    const before = Date.now();
    const paid = await owner.client.order.markPaid.mutate({ id: order.id, reference: 'Bank transfer 4711' });
    const year = new Date().getUTCFullYear();
    expect(paid).toMatchObject({
      state: 'PAID',
      paidMinor: 151_199,
      payment: { provider: 'manual', reference: 'Bank transfer 4711' },
      invoice: { kind: 'INVOICE', number: `${year}-000001`, totalMinor: 151_199, taxMinor: 25_200, pdfReady: false },
    });
    const arContentId = paid.items!.find((i) => i.kind === 'AR_CARD')!.arContentId!;
    const item = await owner.client.arContent.byId.query({ id: arContentId });
    expect(item).toMatchObject({
      title: 'Wedding photo',
      status: 'DRAFT',
      customer: { name: 'Anna Petrova', email, phone: '+7 900 123-45-67', orderRef: `#${order.number}` },
    });
    const expected = new Date(before);
    expected.setUTCMonth(expected.getUTCMonth() + 12);
    expect(Math.abs(new Date(item.expiresAt!).getTime() - expected.getTime())).toBeLessThan(60_000);

    // The customer gets the viewer link by mail.
    const [mail] = await mailsTo(mailDir, email, 1, 60_000);
    expect(mail?.text).toContain(`/v/${item.publicId}`);

    const events = await sql<{ type: string }>(
      // The order's own events (the documents job adds invoice.rendered to the same stream when the PDF is stored).
      `select type from outbox_event
        where aggregate_type = 'order' and aggregate_id = ? and (type like 'order.%' or type = 'invoice.issued')
        order by id`,
      [order.id],
    );
    expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'invoice.issued']);
    const audits = await sql<{ action: string }>(
      `select action from audit_log where target_id = ? and action like 'order.%' order by created_at, id`,
      [order.id],
    );
    expect(audits.map((a) => a.action)).toEqual([
      'order.create',
      'order.add-item',
      'order.add-item',
      'order.remove-item',
      'order.add-item',
      'order.placed',
      'order.paid',
    ]);
  });

  it('moves through production, shipping and delivery, then refunds in part and in full with credit notes', async () => {
    await owner.client.order.markInProduction.mutate({ id: order.id });
    await owner.client.order.markShipped.mutate({ id: order.id, trackingRef: 'RR123456789RU' });
    await owner.client.order.markDelivered.mutate({ id: order.id });
    const part = await owner.client.order.refund.mutate({ id: order.id, amountMinor: 1199, reason: 'Print damaged' });
    const year = new Date().getUTCFullYear();
    expect(part).toMatchObject({
      state: 'DELIVERED',
      refundedMinor: 1199,
      trackingRef: 'RR123456789RU',
      creditNote: { kind: 'CREDIT_NOTE', number: `CN-${year}-000001`, totalMinor: 1199, reason: 'Print damaged' },
    });
    // The credit note's tax is the order's share: 1199 × 25200 / 151199 = 199.8 → 200.
    expect(part.creditNote.taxMinor).toBe(200);
    const over = await failure(owner.client.order.refund.mutate({ id: order.id, amountMinor: 150_001 }));
    expect(over.data?.code).toBe('BAD_REQUEST');
    expect(reasonOf(over)).toBe('REFUND_EXCEEDS_PAID');
    const full = await owner.client.order.refund.mutate({ id: order.id, amountMinor: 150_000 });
    expect(full).toMatchObject({
      state: 'REFUNDED',
      refundedMinor: 151_199,
      creditNote: { number: `CN-${year}-000002` },
    });
    const again = await failure(owner.client.order.refund.mutate({ id: order.id, amountMinor: 1 }));
    expect(reasonOf(again)).toBe('ORDER_NOT_REFUNDABLE');
    const invoices = await owner.client.order.invoices.query({ id: order.id });
    expect(invoices.items.map((i) => i.kind)).toEqual(['INVOICE', 'CREDIT_NOTE', 'CREDIT_NOTE']);
    const events = await sql<{ type: string; payload: { full?: boolean } }>(
      `select type, payload from outbox_event where aggregate_id = ? and type = 'order.refunded' order by id`,
      [order.id],
    );
    expect(events.map((e) => e.payload.full)).toEqual([false, true]);
  });

  it('finds orders by customer name, email, phone, reference and number, and lists a customer’s history', async () => {
    const other = await owner.client.order.create.mutate({
      projectId,
      currency: 'RUB',
      customer: { name: 'Boris 50%_off', email: 'boris@example.com' },
      reference: 'SHOP-777',
    });
    const search = async (s: string) =>
      (await owner.client.order.list.query({ companyId, search: s })).items.map((o) => o.id);
    expect(await search('anna p')).toContain(order.id);
    expect(await search(email.slice(0, 8).toUpperCase())).toEqual([order.id]);
    expect(await search('123-45')).toEqual([order.id]);
    expect(await search('shop-777')).toEqual([other.id]);
    expect(await search(`#${other.number}`)).toEqual([other.id]);
    expect(await search('50%_')).toEqual([other.id]);
    expect(await search('%')).toEqual([other.id]);
    expect((await owner.client.order.list.query({ companyId, state: 'REFUNDED' })).items.map((o) => o.id)).toEqual([
      order.id,
    ]);
    const future = new Date(Date.now() + 3_600_000);
    expect((await owner.client.order.list.query({ companyId, from: future })).items).toEqual([]);
    const page1 = await owner.client.order.list.query({ companyId, limit: 1 });
    const page2 = await owner.client.order.list.query({ companyId, limit: 1, cursor: page1.nextCursor! });
    expect(page1.items[0]!.id).not.toBe(page2.items[0]!.id);
    const history = await owner.client.order.history.query({ companyId, email: email.toUpperCase() });
    expect(history.items.map((o) => o.id)).toEqual([order.id]);
    // AR content search reaches the customer fields the order wrote.
    const found = await owner.client.arContent.list.query({ projectId, search: email.slice(0, 10) });
    expect(found.items.map((c) => c.customer.email)).toEqual([email]);
  });
});

describe('bad input: a typed error, and nothing changes', () => {
  it('refuses each one with its code and reason, leaving every row as it was', async () => {
    const card = await product();
    const usd = await product({ currency: 'USD', name: 'USD card' });
    const ext = await product({ kind: 'STORAGE_EXTENSION', name: 'Extra year', termMonths: 12, priceMinor: 50_000 });
    const order = await draft();
    await owner.client.order.addItem.mutate({ orderId: order.id, productId: card.id });
    const empty = await draft();
    const stranger = await registerUser(platform.client);
    const strangerCompany = await stranger.client.company.create.mutate({ name: 'Elsewhere' });
    const strangerProject = await stranger.client.project.create.mutate({
      companyId: strangerCompany.id,
      name: 'Theirs',
    });
    const theirItem = await stranger.client.arContent.create.mutate({ projectId: strangerProject.id, title: 'Theirs' });

    const before = await fingerprint();
    const cases: [string, () => Promise<unknown>, string, string | undefined][] = [
      ['negative price', () => product({ priceMinor: -1 }), 'BAD_REQUEST', undefined],
      ['fractional price', () => product({ priceMinor: 10.5 }), 'BAD_REQUEST', undefined],
      ['overflowing price', () => product({ priceMinor: 2 ** 53 }), 'BAD_REQUEST', undefined],
      ['unknown currency', () => product({ currency: 'XYZ' as 'RUB' }), 'BAD_REQUEST', undefined],
      ['tax above 100 %', () => product({ taxRateBp: 10_001 }), 'BAD_REQUEST', undefined],
      [
        'extension without term',
        () => product({ kind: 'STORAGE_EXTENSION', termMonths: null }),
        'BAD_REQUEST',
        'TERM_REQUIRED',
      ],
      [
        'mixed currencies',
        () => owner.client.order.addItem.mutate({ orderId: order.id, productId: usd.id }),
        'BAD_REQUEST',
        'CURRENCY_MISMATCH',
      ],
      [
        'quantity over the bound',
        () => owner.client.order.addItem.mutate({ orderId: order.id, productId: card.id, quantity: 1001 }),
        'BAD_REQUEST',
        undefined,
      ],
      [
        'extension without an item',
        () => owner.client.order.addItem.mutate({ orderId: order.id, productId: ext.id }),
        'BAD_REQUEST',
        'BIND_REQUIRED',
      ],
      [
        'another company’s AR item',
        () =>
          owner.client.order.addItem.mutate({
            orderId: order.id,
            productId: ext.id,
            bind: { arContentId: theirItem.id },
          }),
        'NOT_FOUND',
        undefined,
      ],
      ['placing an empty order', () => owner.client.order.place.mutate({ id: empty.id }), 'BAD_REQUEST', 'ORDER_EMPTY'],
      [
        'paying a draft',
        () => owner.client.order.markPaid.mutate({ id: order.id, reference: 'x' }),
        'CONFLICT',
        'ILLEGAL_ORDER_TRANSITION',
      ],
      [
        'shipping a draft',
        () => owner.client.order.markShipped.mutate({ id: order.id }),
        'CONFLICT',
        'ILLEGAL_ORDER_TRANSITION',
      ],
      [
        'refunding a draft',
        () => owner.client.order.refund.mutate({ id: order.id, amountMinor: 1 }),
        'CONFLICT',
        'ORDER_NOT_REFUNDABLE',
      ],
      [
        'refunding nothing',
        () => owner.client.order.refund.mutate({ id: order.id, amountMinor: 0 }),
        'BAD_REQUEST',
        undefined,
      ],
      [
        'a client total',
        () =>
          owner.client.order.create.mutate({
            projectId,
            currency: 'RUB',
            customer: { name: 'X' },
            totalMinor: 1,
          } as never),
        'BAD_REQUEST',
        undefined,
      ],
      ['another company’s order', () => stranger.client.order.byId.query({ id: order.id }), 'NOT_FOUND', undefined],
    ];
    for (const [what, call, code, reason] of cases) {
      const e = await failure(call());
      expect(e.data?.code, what).toBe(code);
      if (reason) expect(reasonOf(e), what).toBe(reason);
    }
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a second payment and a wrong amount, changing nothing', async () => {
    const card = await product();
    const order = await draft();
    await owner.client.order.addItem.mutate({ orderId: order.id, productId: card.id });
    await owner.client.order.place.mutate({ id: order.id });
    const beforeWrong = await fingerprint();
    const wrong = await failure(owner.client.order.markPaid.mutate({ id: order.id, reference: 'r', amountMinor: 1 }));
    expect(reasonOf(wrong)).toBe('PAYMENT_AMOUNT_MISMATCH');
    expect(await fingerprint()).toBe(beforeWrong);
    await owner.client.order.markPaid.mutate({ id: order.id, reference: 'first' });
    // The worker renders the invoice after the payment (pdf_key and an invoice.rendered event): let it finish, so the
    // fingerprint compares the refusals only. CI at b4d7bbb failed here when the render landed between the two reads.
    await waitUntil(
      'the invoice render',
      () => sql<{ pdf_key: string | null }>(`select pdf_key from invoice where order_id = ?`, [order.id]),
      (rows) => rows.length === 1 && rows[0]!.pdf_key !== null,
      poll,
    );
    const before = await fingerprint();
    const twice = await failure(owner.client.order.markPaid.mutate({ id: order.id, reference: 'second' }));
    expect(twice.data?.code).toBe('CONFLICT');
    expect(reasonOf(twice)).toBe('ORDER_ALREADY_PAID');
    const cancel = await failure(owner.client.order.cancel.mutate({ id: order.id }));
    expect(reasonOf(cancel)).toBe('ILLEGAL_ORDER_TRANSITION');
    expect(await fingerprint()).toBe(before);
  });

  it('lets only admins take money', async () => {
    const editor = await registerUser(platform.client);
    const { token } = await owner.client.member.invite.mutate({ companyId, email: editor.email, role: 'editor' });
    await sql(`update app_user set email_verified_at = now() where id = ?`, [editor.userId]);
    await editor.client.auth.acceptInvite.mutate({ token });
    const card = await product();
    const order = await editor.client.order.create.mutate({ projectId, currency: 'RUB', customer: { name: 'E' } });
    await editor.client.order.addItem.mutate({ orderId: order.id, productId: card.id });
    await editor.client.order.place.mutate({ id: order.id });
    const e = await failure(editor.client.order.markPaid.mutate({ id: order.id, reference: 'r' }));
    expect(e.data?.code).toBe('FORBIDDEN');
    const p = await failure(
      editor.client.product.create.mutate({ companyId, kind: 'PRINT', name: 'x', priceMinor: 1, currency: 'RUB' }),
    );
    expect(p.data?.code).toBe('FORBIDDEN');
  });
});

describe('invoice numbers under concurrency', () => {
  it('numbers 50 orders paid in parallel 1..50, without gaps or duplicates', { timeout: 180_000 }, async () => {
    const company = await owner.client.company.create.mutate({ name: 'Busy Lab' });
    const project = await owner.client.project.create.mutate({ companyId: company.id, name: 'Rush' });
    const print = await owner.client.product.create.mutate({
      companyId: company.id,
      kind: 'PRINT',
      name: 'Print',
      priceMinor: 1000,
      currency: 'EUR',
    });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const o = await owner.client.order.create.mutate({
        projectId: project.id,
        currency: 'EUR',
        customer: { name: `Customer ${i}` },
      });
      await owner.client.order.addItem.mutate({ orderId: o.id, productId: print.id });
      await owner.client.order.place.mutate({ id: o.id });
      ids.push(o.id);
    }
    const paid = await Promise.all(ids.map((id) => owner.client.order.markPaid.mutate({ id, reference: `T-${id}` })));
    const year = new Date().getUTCFullYear();
    const numbers = paid.map((p) => p.invoice.number).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `${year}-${String(i + 1).padStart(6, '0')}`));
    const rows = await sql<{ seq: number }>(`select seq from invoice where company_id = ? order by seq`, [company.id]);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('paid storage extends validity and re-arms the reminders', () => {
  it(
    'extends an item from its current end (or from now once expired) and the reminder cron announces the new end',
    {
      timeout: 120_000,
    },
    async () => {
      const day = 86_400_000;
      await owner.client.notification.setExpiryReminderDays.mutate({ companyId, days: [90] });
      const live = await owner.client.arContent.create.mutate({ projectId, title: 'Live item' });
      const lapsed = await owner.client.arContent.create.mutate({ projectId, title: 'Lapsed item' });
      const liveEnd = new Date(Date.now() + 10 * day);
      await sql(`update ar_content set expires_at = ? where id = ?`, [liveEnd, live.id]);
      await sql(`update ar_content set expires_at = now() - interval '2 days', expired_at = now() where id = ?`, [
        lapsed.id,
      ]);
      const ext = await product({ kind: 'STORAGE_EXTENSION', name: 'One month', termMonths: 1, priceMinor: 10_000 });
      const order = await draft({ name: 'Ivan', email: 'ivan@example.com' });
      await owner.client.order.addItem.mutate({ orderId: order.id, productId: ext.id, bind: { arContentId: live.id } });
      await owner.client.order.addItem.mutate({
        orderId: order.id,
        productId: ext.id,
        quantity: 2,
        bind: { arContentId: lapsed.id },
      });
      await owner.client.order.place.mutate({ id: order.id });
      const before = Date.now();
      await owner.client.order.markPaid.mutate({ id: order.id, reference: 'cash' });

      const liveAfter = await owner.client.arContent.byId.query({ id: live.id });
      const expectedLive = new Date(liveEnd);
      expectedLive.setUTCMonth(expectedLive.getUTCMonth() + 1);
      expect(new Date(liveAfter.expiresAt!).getTime()).toBe(expectedLive.getTime());
      const lapsedAfter = await owner.client.arContent.byId.query({ id: lapsed.id });
      expect(lapsedAfter.expired).toBe(false);
      const fromNow = new Date(before);
      fromNow.setUTCMonth(fromNow.getUTCMonth() + 2);
      expect(Math.abs(new Date(lapsedAfter.expiresAt!).getTime() - fromNow.getTime())).toBeLessThan(60_000);
      const [row] = await sql<{ expired_at: Date | null }>(`select expired_at from ar_content where id = ?`, [
        lapsed.id,
      ]);
      expect(row!.expired_at).toBeNull();

      // The reminder cron (run now instead of at its hour) announces both new end dates within the 90-day threshold.
      await sql(`select graphile_worker.add_job('ar-content:expiring', '{}'::json)`);
      const events = await waitUntil(
        'the expiry reminders',
        () =>
          sql<{ payload: { arContentId: string; expiresAt: string; thresholdDays: number } }>(
            `select payload from outbox_event where type = 'ar-content.expiring' and company_id = ?`,
            [companyId],
          ),
        (rows) => rows.filter((r) => [live.id, lapsed.id].includes(r.payload.arContentId)).length === 2,
        poll,
      );
      const byItem = Object.fromEntries(events.map((e) => [e.payload.arContentId, e.payload]));
      expect(new Date(byItem[live.id]!.expiresAt).getTime()).toBe(expectedLive.getTime());
      expect(byItem[live.id]!.thresholdDays).toBe(90);
      expect(new Date(byItem[lapsed.id]!.expiresAt).getTime()).toBe(new Date(lapsedAfter.expiresAt!).getTime());
    },
  );
});

describe('REST with an API key', () => {
  it('creates, fills, places and reads an order through /api/v1', async () => {
    const card = await product();
    const { key } = await owner.client.apiKey.create.mutate({ companyId, name: 'Shop', role: 'admin' });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${platform.baseUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const created = await call('POST', '/orders', {
      projectId,
      currency: 'RUB',
      customer: { name: 'REST customer', email: 'rest@example.com' },
      reference: 'API-1',
    });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    const added = await call('POST', `/orders/${id}/items`, { productId: card.id, quantity: 2 });
    expect(added).toMatchObject({ status: 200, body: { totalMinor: 300_000, state: 'DRAFT' } });
    expect((await call('POST', `/orders/${id}/place`, {})).body.state).toBe('PLACED');
    const paid = await call('POST', `/orders/${id}/mark-paid`, { reference: 'REST transfer' });
    expect(paid).toMatchObject({ status: 200, body: { state: 'PAID', invoice: { kind: 'INVOICE' } } });
    const read = await call('GET', `/orders/${id}`);
    expect(read.body).toMatchObject({ id, state: 'PAID', reference: 'API-1' });
    expect(typeof read.body.paidAt).toBe('string');
    const list = await call('GET', `/orders?companyId=${companyId}&search=API-1`);
    expect((list.body.items as { id: string }[]).map((o) => o.id)).toEqual([id]);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const none = await call('GET', `/orders?companyId=${companyId}&from=${encodeURIComponent(later)}&limit=5`);
    expect(none).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
    const bad = await call('POST', `/orders/${id}/items`, { productId: card.id, quantity: -1 });
    expect(bad.status).toBe(400);
    const audit = await sql<{ actor_api_key_id: string | null }>(
      `select actor_api_key_id from audit_log where target_id = ? and action = 'order.paid'`,
      [id],
    );
    expect(audit[0]!.actor_api_key_id).not.toBeNull();
  });
});
