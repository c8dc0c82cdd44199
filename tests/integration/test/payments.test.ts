// Payments through providers end to end over HTTP, against local servers implementing YooKassa's and Stripe's API
// shapes (@arvlite/payments/fakes): settings with encrypted credentials, starting payments, notifications verified and
// applied once (duplicates, out-of-order deliveries, unknown payments, forged YooKassa notifications, source address
// restriction behind the trusted proxy, bad Stripe signatures), and order refunds carried out at the provider.
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { startFakeStripe, startFakeYooKassa, type FakeStripe, type FakeYooKassa } from '@arvlite/payments/fakes';
import { YooKassaProvider } from '@arvlite/payments';
import { waitUntil } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let yoo: FakeYooKassa;
let stripe: FakeStripe;
let owner: TestUser;
let companyId: string;
let projectId: string;
let productId: string;

const YOO_IP = '185.71.77.20';
const sql = <T>(q: string, params: unknown[] = []) => platform.deps.orm.fork().execute<T[]>(q, params);

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

/** A placed order of one AR card (2,500.50 in its currency). */
async function placedOrder(currency: 'RUB' | 'USD' = 'RUB') {
  const product =
    currency === 'RUB'
      ? productId
      : (
          await owner.client.product.create.mutate({
            companyId,
            kind: 'AR_CARD',
            name: 'AR card (USD)',
            priceMinor: 250_050,
            currency,
            taxRateBp: 0,
            taxInclusive: true,
            termMonths: 12,
          })
        ).id;
  const order = await owner.client.order.create.mutate({ projectId, currency, customer: { name: 'Ivan Petrov' } });
  await owner.client.order.addItem.mutate({ orderId: order.id, productId: product });
  await owner.client.order.place.mutate({ id: order.id });
  return order.id;
}

const orderState = async (id: string) => (await owner.client.order.byId.query({ id })).state;

function postYooKassa(body: string, ip = YOO_IP, company = companyId) {
  return fetch(`${platform.baseUrl}/payments/yookassa/${company}/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body,
  });
}

function postStripe(event: { body: string; signature: string }, company = companyId) {
  return fetch(`${platform.baseUrl}/payments/stripe/${company}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
    body: event.body,
  });
}

async function paymentRow(orderId: string) {
  const [row] = await sql<{ status: string; refunded_minor: string; provider_payment_id: string }>(
    `select status, refunded_minor, provider_payment_id from payment where order_id = ? order by created_at desc`,
    [orderId],
  );
  return row!;
}

const invoicesOf = (orderId: string) =>
  sql<{ kind: string }>(`select kind from invoice where order_id = ? order by issued_at`, [orderId]);

beforeAll(async () => {
  yoo = await startFakeYooKassa();
  stripe = await startFakeStripe();
  afterAll(async () => {
    await yoo.close();
    await stripe.close();
  });
  platform = await startTestPlatform({
    worker: true,
    env: { PAYMENTS_YOOKASSA_API_URL: yoo.url, PAYMENTS_STRIPE_API_URL: stripe.url },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Pay Lab' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Cards' })).id;
  productId = (
    await owner.client.product.create.mutate({
      companyId,
      kind: 'AR_CARD',
      name: 'AR card',
      priceMinor: 250_050,
      currency: 'RUB',
      taxRateBp: 2000,
      taxInclusive: true,
      termMonths: 12,
    })
  ).id;
}, 120_000);

describe('payment settings', () => {
  it('starts on manual, refuses a provider without credentials, and never answers a secret', async () => {
    const initial = await owner.client.paymentSettings.get.query({ companyId });
    expect(initial).toMatchObject({ provider: 'manual', yookassa: null, stripe: null });
    expect(initial.notificationUrls.yookassa).toBe(`${platform.baseUrl}/payments/yookassa/${companyId}/notifications`);

    const refused = await failure(owner.client.paymentSettings.update.mutate({ companyId, provider: 'yookassa' }));
    expect(reasonOf(refused)).toBe('PAYMENT_PROVIDER_NOT_CONFIGURED');
    const bad = await failure(
      owner.client.paymentSettings.update.mutate({
        companyId,
        provider: 'yookassa',
        yookassa: { shopId: 'shop', secretKey: 'nope' },
      }),
    );
    expect(bad.data?.code).toBe('BAD_REQUEST');

    const set = await owner.client.paymentSettings.update.mutate({
      companyId,
      provider: 'yookassa',
      yookassa: { shopId: yoo.shopId, secretKey: yoo.secretKey },
      stripe: { secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret },
    });
    expect(set).toMatchObject({
      provider: 'yookassa',
      yookassa: { shopId: yoo.shopId, secretKeyHint: `test_…${yoo.secretKey.slice(-4)}` },
      stripe: { secretKeyHint: `sk_test_…${stripe.secretKey.slice(-4)}` },
    });
    const answered = JSON.stringify(await owner.client.paymentSettings.get.query({ companyId }));
    const stored = JSON.stringify(await sql(`select * from payment_settings where company_id = ?`, [companyId]));
    for (const secret of [yoo.secretKey, stripe.secretKey, stripe.webhookSecret]) {
      expect(answered).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });
});

describe('bank transfer', () => {
  it('gives the reference and amount, and the transfer shows as received once the order is marked paid', async () => {
    const id = await placedOrder();
    const started = await owner.client.payment.start.mutate({ orderId: id, provider: 'manual' });
    const { number } = await owner.client.order.byId.query({ id });
    expect(started).toMatchObject({
      confirmationUrl: null,
      bankTransfer: { reference: `#${number}`, amountMinor: 250_050, currency: 'RUB' },
      payment: { provider: 'manual', status: 'PENDING' },
    });
    await owner.client.order.markPaid.mutate({ id, reference: 'Transfer 12' });
    await waitUntil(
      'the transfer settled',
      () => owner.client.payment.list.query({ orderId: id }),
      (list) => list.items[0]?.status === 'SUCCEEDED',
      poll,
    );
  });
});

describe('YooKassa', () => {
  let orderId: string;
  let paymentId: string;

  it('starts a payment: the confirmation URL, the order id in metadata, one payment per retry', async () => {
    orderId = await placedOrder();
    const started = await owner.client.payment.start.mutate({ orderId });
    expect(started.confirmationUrl).toMatch(/^https:\/\/yoomoney\.ru\//);
    paymentId = started.payment.providerPaymentId;
    expect(yoo.payments.get(paymentId)).toMatchObject({
      amount: { value: '2500.50', currency: 'RUB' },
      metadata: { orderId },
      status: 'pending',
    });
    const again = await owner.client.payment.start.mutate({ orderId });
    expect(again.payment.id).toBe(started.payment.id);
    const listed = await owner.client.payment.list.query({ orderId });
    expect(listed.items).toMatchObject([{ provider: 'yookassa', status: 'PENDING', amountMinor: 250_050 }]);
  });

  it('a forged success (the API says pending) changes nothing', async () => {
    const forged = JSON.parse(yoo.notification('payment.succeeded', paymentId)) as {
      object: { status: string; paid: boolean };
    };
    forged.object.status = 'succeeded';
    forged.object.paid = true;
    const res = await postYooKassa(JSON.stringify(forged));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'NOT_CONFIRMED' });
    // Not recorded: the genuine notification, with the same event key, is still applied later.
    expect(await sql(`select 1 from payment_notification where company_id = ?`, [companyId])).toEqual([]);
    expect(await orderState(orderId)).toBe('PLACED');
    expect((await paymentRow(orderId)).status).toBe('PENDING');
  });

  it('refuses notifications from outside its addresses, as the trusted proxy reports them', async () => {
    yoo.succeed(paymentId);
    const body = yoo.notification('payment.succeeded', paymentId);
    const res = await postYooKassa(body, '203.0.113.7');
    expect(res.status).toBe(403);
    // A direct connection (no trusted proxy hop) from loopback is not YooKassa either.
    const direct = await fetch(`${platform.baseUrl}/payments/yookassa/${companyId}/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(direct.status).toBe(403);
    expect(await orderState(orderId)).toBe('PLACED');
  });

  it('pays the order once on payment.succeeded, however often it arrives', async () => {
    const body = yoo.notification('payment.succeeded', paymentId);
    const first = await postYooKassa(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ outcome: 'APPLIED' });
    const again = await postYooKassa(body);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const order = await owner.client.order.byId.query({ id: orderId });
    expect(order).toMatchObject({ state: 'PAID', paidMinor: 250_050, payment: { provider: 'yookassa' } });
    expect(await invoicesOf(orderId)).toEqual([{ kind: 'INVOICE' }]);
    expect((await paymentRow(orderId)).status).toBe('SUCCEEDED');
    const [{ n }] = (await sql<{ n: number }>(
      `select count(*)::int as n from payment_notification where company_id = ? and event_key = ?`,
      [companyId, `payment.succeeded:${paymentId}`],
    )) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('a cancel arriving after the success changes nothing', async () => {
    const res = await postYooKassa(
      JSON.stringify({ type: 'notification', event: 'payment.canceled', object: { id: paymentId } }),
    );
    expect(await res.json()).toMatchObject({ outcome: 'NOT_CONFIRMED' });
    expect(await orderState(orderId)).toBe('PAID');
    expect((await paymentRow(orderId)).status).toBe('SUCCEEDED');
  });

  it('refund.succeeded before payment.succeeded: the order is paid once and the refund recorded', async () => {
    const id = await placedOrder();
    const { payment } = await owner.client.payment.start.mutate({ orderId: id });
    yoo.succeed(payment.providerPaymentId);
    // A refund made in YooKassa's own dashboard, whose notice overtakes the payment's.
    const direct = new YooKassaProvider({
      apiUrl: yoo.url,
      shopId: yoo.shopId,
      secretKey: yoo.secretKey,
      allowedIps: [],
    });
    const refund = await direct.refund({
      providerPaymentId: payment.providerPaymentId,
      amountMinor: 50_000,
      currency: 'RUB',
      idempotencyKey: crypto.randomUUID(),
    });
    const early = await postYooKassa(yoo.refundNotification(refund.providerRefundId));
    expect(await early.json()).toMatchObject({ outcome: 'APPLIED' });
    expect(await paymentRow(id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_minor: '50000' });
    expect(await orderState(id)).toBe('PAID');
    const late = await postYooKassa(yoo.notification('payment.succeeded', payment.providerPaymentId));
    expect(await late.json()).toMatchObject({ outcome: 'NO_CHANGE' });
    expect(await invoicesOf(id)).toEqual([{ kind: 'INVOICE' }]);
  });

  it('a provider payment of an order already paid by hand is recorded, and the order refuses it', async () => {
    const id = await placedOrder();
    const { payment } = await owner.client.payment.start.mutate({ orderId: id });
    await owner.client.order.markPaid.mutate({ id, reference: 'Bank transfer 77' });
    yoo.succeed(payment.providerPaymentId);
    const res = await postYooKassa(yoo.notification('payment.succeeded', payment.providerPaymentId));
    expect(await res.json()).toMatchObject({ outcome: 'ORDER_REFUSED' });
    expect((await paymentRow(id)).status).toBe('SUCCEEDED');
    expect(await owner.client.order.byId.query({ id })).toMatchObject({
      state: 'PAID',
      payment: { provider: 'manual', reference: 'Bank transfer 77' },
    });
    expect(await invoicesOf(id)).toEqual([{ kind: 'INVOICE' }]);
  });

  it('a payment the provider cancelled is not given again: a new one is made', async () => {
    const id = await placedOrder();
    const first = await owner.client.payment.start.mutate({ orderId: id });
    yoo.cancel(first.payment.providerPaymentId);
    const second = await owner.client.payment.start.mutate({ orderId: id });
    expect(second.payment.id).not.toBe(first.payment.id);
    const listed = await owner.client.payment.list.query({ orderId: id });
    expect(listed.items.map((p) => p.status).sort()).toEqual(['CANCELED', 'PENDING']);
  });

  it('an unknown payment is logged and answered 200 without effect', async () => {
    // Known to YooKassa but not one of ours (made with the same shop elsewhere).
    const direct = new YooKassaProvider({
      apiUrl: yoo.url,
      shopId: yoo.shopId,
      secretKey: yoo.secretKey,
      allowedIps: [],
    });
    const other = await direct.createPayment({
      orderId: crypto.randomUUID(),
      amountMinor: 100,
      currency: 'RUB',
      description: 'elsewhere',
      returnUrl: 'https://example.com/',
      idempotencyKey: crypto.randomUUID(),
      reference: 'X',
    });
    yoo.succeed(other.providerPaymentId);
    const res = await postYooKassa(yoo.notification('payment.succeeded', other.providerPaymentId));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'UNKNOWN_PAYMENT' });
    // Not known to YooKassa at all.
    const none = await postYooKassa(
      JSON.stringify({ type: 'notification', event: 'payment.succeeded', object: { id: crypto.randomUUID() } }),
    );
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ outcome: 'UNKNOWN_PAYMENT' });
    // An unknown company, and bodies that are not notifications.
    expect((await postYooKassa('{}', YOO_IP, crypto.randomUUID())).status).toBe(404);
    expect((await postYooKassa('not json')).status).toBe(400);
    const huge = await postYooKassa(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expect(huge.status).toBe(413);
  });
});

describe('Stripe', () => {
  let orderId: string;
  let sessionId: string;

  it('starts a Checkout Session in minor units with the order as client_reference_id', async () => {
    orderId = await placedOrder('USD');
    const started = await owner.client.payment.start.mutate({ orderId, provider: 'stripe' });
    expect(started.confirmationUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    sessionId = started.payment.providerPaymentId;
    expect(stripe.sessions.get(sessionId)).toMatchObject({
      amount_total: 250_050,
      currency: 'usd',
      client_reference_id: orderId,
      metadata: { orderId },
    });
  });

  it('answers 400 to a bad signature and changes nothing', async () => {
    const session = stripe.complete(sessionId);
    const forged = stripe.signedEvent('checkout.session.completed', session, { secret: 'whsec_not_the_secret' });
    const res = await postStripe(forged);
    expect(res.status).toBe(400);
    const tampered = stripe.signedEvent('checkout.session.completed', session);
    expect((await postStripe({ ...tampered, body: tampered.body.replace('"paid"', '"paid" ') })).status).toBe(400);
    expect(await orderState(orderId)).toBe('PLACED');
  });

  it('pays the order on checkout.session.completed, once; a late expiry changes nothing', async () => {
    const event = stripe.signedEvent('checkout.session.completed', stripe.sessions.get(sessionId));
    const res = await postStripe(event);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'APPLIED' });
    expect(await (await postStripe(event)).json()).toMatchObject({ duplicate: true });
    expect(await owner.client.order.byId.query({ id: orderId })).toMatchObject({
      state: 'PAID',
      paidMinor: 250_050,
      payment: { provider: 'stripe', reference: sessionId },
    });
    const expired = stripe.signedEvent('checkout.session.expired', {
      ...stripe.sessions.get(sessionId),
      status: 'expired',
    });
    expect(await (await postStripe(expired)).json()).toMatchObject({ outcome: 'NO_CHANGE' });
    expect((await paymentRow(orderId)).status).toBe('SUCCEEDED');
  });

  it('an order refund is carried out at Stripe, and charge.refunded is recorded', async () => {
    await owner.client.order.refund.mutate({ id: orderId, amountMinor: 50 });
    const [refund] = await waitUntil(
      'the provider refund',
      () =>
        sql<{ status: string | null; amount_minor: string; provider_refund_id: string | null }>(
          `select r.status, r.amount_minor, r.provider_refund_id from payment_refund r
           join payment p on p.id = r.payment_id where p.order_id = ?`,
          [orderId],
        ),
      (rows) => rows.length === 1 && rows[0]!.status === 'SUCCEEDED',
      poll,
    );
    expect(refund).toMatchObject({ amount_minor: '50' });
    expect(refund!.provider_refund_id).toMatch(/^re_test_/);
    const intent = stripe.sessions.get(sessionId)!.payment_intent!;
    expect(stripe.chargeOf(intent)).toMatchObject({ amount_refunded: 50, refunded: false });
    expect(await paymentRow(orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_minor: '50' });
    // Stripe's own notice of the same refund changes nothing more.
    const notice = stripe.signedEvent('charge.refunded', stripe.chargeOf(intent));
    expect(await (await postStripe(notice)).json()).toMatchObject({ outcome: 'NO_CHANGE' });
  });

  it('a refund of a YooKassa payment is carried out at YooKassa', async () => {
    const id = await placedOrder();
    const { payment } = await owner.client.payment.start.mutate({ orderId: id, provider: 'yookassa' });
    yoo.succeed(payment.providerPaymentId);
    await postYooKassa(yoo.notification('payment.succeeded', payment.providerPaymentId));
    expect(await orderState(id)).toBe('PAID');
    await owner.client.order.refund.mutate({ id, amountMinor: 250_050 });
    await waitUntil(
      'the YooKassa refund',
      () => paymentRow(id),
      (row) => row.status === 'REFUNDED',
      poll,
    );
    expect(yoo.payments.get(payment.providerPaymentId)!.refunded_amount).toEqual({ value: '2500.50', currency: 'RUB' });
    expect(await orderState(id)).toBe('REFUNDED');
  });
});

describe('a provider refund that cannot be made', () => {
  it('is recorded as FAILED with the reason, once, and not retried', async () => {
    const id = await placedOrder();
    const { payment } = await owner.client.payment.start.mutate({ orderId: id, provider: 'yookassa' });
    yoo.succeed(payment.providerPaymentId);
    await postYooKassa(yoo.notification('payment.succeeded', payment.providerPaymentId));
    expect(await orderState(id)).toBe('PAID');
    // The company removed its YooKassa credentials before refunding.
    await owner.client.paymentSettings.update.mutate({ companyId, provider: 'manual', yookassa: null });
    await owner.client.order.refund.mutate({ id, amountMinor: 100 });
    const [row] = await waitUntil(
      'the failed refund',
      () =>
        sql<{ status: string | null; error: string | null; attempts: number }>(
          `select r.status, r.error, r.attempts from payment_refund r join payment p on p.id = r.payment_id
            where p.order_id = ?`,
          [id],
        ),
      (rows) => rows[0]?.status === 'FAILED',
      poll,
    );
    expect(row).toMatchObject({ attempts: 1 });
    expect(row!.error).toMatch(/no yookassa credentials/);
    expect(yoo.payments.get(payment.providerPaymentId)!.refunded_amount).toBeUndefined();
    // Put back for any later test.
    await owner.client.paymentSettings.update.mutate({
      companyId,
      provider: 'yookassa',
      yookassa: { shopId: yoo.shopId, secretKey: yoo.secretKey },
    });
  });
});

describe('another company', () => {
  it('gets NOT_FOUND for this company’s orders and settings, and changes nothing', async () => {
    const other = await registerUser(platform.client);
    const otherCompany = (await other.client.company.create.mutate({ name: 'Elsewhere' })).id;
    const orderId = await placedOrder();
    const before = JSON.stringify(await sql(`select * from payment_settings where company_id = ?`, [companyId]));
    for (const call of [
      () => other.client.payment.start.mutate({ orderId }),
      () => other.client.payment.list.query({ orderId }),
      () => other.client.paymentSettings.get.query({ companyId }),
      () => other.client.paymentSettings.update.mutate({ companyId, provider: 'manual', yookassa: null }),
    ]) {
      expect((await failure(call())).data?.code).toBe('NOT_FOUND');
    }
    expect(JSON.stringify(await sql(`select * from payment_settings where company_id = ?`, [companyId]))).toBe(before);
    expect(await sql(`select 1 from payment where order_id = ?`, [orderId])).toEqual([]);
    // Its own settings are its own.
    expect(await other.client.paymentSettings.get.query({ companyId: otherCompany })).toMatchObject({
      provider: 'manual',
      yookassa: null,
    });
    // Unknown keys are refused.
    const strict = await failure(
      owner.client.payment.start.mutate({ orderId, extra: true } as unknown as { orderId: string }),
    );
    expect(strict.data?.code).toBe('BAD_REQUEST');
  });
});
