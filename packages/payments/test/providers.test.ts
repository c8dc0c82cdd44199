// The providers against the local fakes: what they send, what they accept, and how notifications are verified.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NotificationRejectedError,
  ProviderRequestError,
  StripeProvider,
  YOOKASSA_NOTIFICATION_IPS,
  YooKassaProvider,
  type RawNotification,
} from '../src/index.ts';
import { startFakeStripe, startFakeYooKassa, type FakeStripe, type FakeYooKassa } from './fakes/index.ts';

const fixture = (name: string, orderId = 'order-1') =>
  readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').replaceAll('ORDER_ID_PLACEHOLDER', orderId);

const YOO_IP = '185.71.76.5';
const json = { 'content-type': 'application/json' };
const raw = (body: string, ip = YOO_IP, headers: RawNotification['headers'] = json): RawNotification => ({
  body: Buffer.from(body),
  headers,
  ip,
});

describe('YooKassa', () => {
  let fake: FakeYooKassa;
  let yoo: YooKassaProvider;
  beforeAll(async () => {
    fake = await startFakeYooKassa();
    yoo = new YooKassaProvider({
      apiUrl: fake.url,
      shopId: fake.shopId,
      secretKey: fake.secretKey,
      allowedIps: YOOKASSA_NOTIFICATION_IPS,
    });
  });
  afterAll(() => fake.close());

  const start = (key = crypto.randomUUID(), amountMinor = 250_050) =>
    yoo.createPayment({
      orderId: 'order-1',
      amountMinor,
      currency: 'RUB',
      description: 'Order A-1',
      returnUrl: 'https://app.example/orders/1',
      idempotencyKey: key,
      reference: 'A-1',
    });

  it('creates a captured redirect payment with the amount as a decimal string and an Idempotence-Key', async () => {
    const created = await start();
    expect(created.status).toBe('PENDING');
    expect(created.confirmationUrl).toMatch(/^https:\/\/yoomoney\.ru\//);
    const sent = fake.requests.at(-1)!;
    expect(sent.headers['idempotence-key']).toBeTruthy();
    expect(JSON.parse(sent.body)).toMatchObject({
      amount: { value: '2500.50', currency: 'RUB' },
      capture: true,
      confirmation: { type: 'redirect', return_url: 'https://app.example/orders/1' },
      metadata: { orderId: 'order-1' },
    });
  });

  it('the same idempotence key makes one payment', async () => {
    const key = crypto.randomUUID();
    const a = await start(key);
    const b = await start(key);
    expect(b.providerPaymentId).toBe(a.providerPaymentId);
    await expect(start(key, 1)).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('wrong credentials are refused by the API', async () => {
    const bad = new YooKassaProvider({
      apiUrl: fake.url,
      shopId: fake.shopId,
      secretKey: 'test_wrong',
      allowedIps: [],
    });
    await expect(bad.fetchStatus('x')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('a notification is verified by reading the payment from the API, not from the body', async () => {
    const created = await start();
    // Forged: the body says succeeded, the API says pending.
    const forged = JSON.parse(fixture('yookassa-payment.succeeded.json')) as { object: { id: string } };
    forged.object.id = created.providerPaymentId;
    const early = await yoo.parseAndVerifyNotification(raw(JSON.stringify(forged)));
    expect(early).toMatchObject({
      kind: 'payment',
      confirmed: false,
      eventKey: `payment.succeeded:${created.providerPaymentId}`,
    });
    expect(early.payment?.status).toBe('PENDING');

    fake.succeed(created.providerPaymentId);
    const real = await yoo.parseAndVerifyNotification(
      raw(fake.notification('payment.succeeded', created.providerPaymentId)),
    );
    expect(real.payment).toMatchObject({
      status: 'SUCCEEDED',
      amountMinor: 250_050,
      currency: 'RUB',
      orderId: 'order-1',
    });
  });

  it('refunds, and a refund notification is read back from the API', async () => {
    const created = await start();
    fake.succeed(created.providerPaymentId);
    const refund = await yoo.refund({
      providerPaymentId: created.providerPaymentId,
      amountMinor: 50_050,
      currency: 'RUB',
      idempotencyKey: crypto.randomUUID(),
    });
    expect(refund.status).toBe('SUCCEEDED');
    const n = await yoo.parseAndVerifyNotification(raw(fake.refundNotification(refund.providerRefundId)));
    expect(n).toMatchObject({ kind: 'refund', lookup: { providerPaymentId: created.providerPaymentId } });
    expect(n.payment).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 50_050 });
    await expect(
      yoo.refund({
        providerPaymentId: created.providerPaymentId,
        amountMinor: 200_001,
        currency: 'RUB',
        idempotencyKey: crypto.randomUUID(),
      }),
    ).rejects.toBeInstanceOf(ProviderRequestError);
  });

  it('refuses notifications from other addresses, honouring IPv4-mapped IPv6 and the IPv6 range', async () => {
    const body = fixture('yookassa-payment.succeeded.json');
    await expect(yoo.parseAndVerifyNotification(raw(body, '203.0.113.9'))).rejects.toMatchObject({
      reason: 'FORBIDDEN_SOURCE',
    });
    await expect(yoo.parseAndVerifyNotification(raw(body, '185.71.76.32'))).rejects.toMatchObject({
      reason: 'FORBIDDEN_SOURCE',
    });
    // Allowed addresses get as far as the API (which does not know the sample's payment).
    for (const ip of ['::ffff:185.71.76.31', '77.75.156.35', '2a02:5180:0:1::5']) {
      await expect(yoo.parseAndVerifyNotification(raw(body, ip))).rejects.toMatchObject({ status: 404 });
    }
  });

  it('refuses bodies that are not notifications', async () => {
    for (const body of ['not json', '{}', JSON.stringify({ type: 'notification', event: 'payment.succeeded' })]) {
      await expect(yoo.parseAndVerifyNotification(raw(body))).rejects.toBeInstanceOf(NotificationRejectedError);
    }
    await expect(
      yoo.parseAndVerifyNotification(raw(fixture('yookassa-payment.succeeded.json'), YOO_IP, {})),
    ).rejects.toMatchObject({ reason: 'BAD_BODY' });
  });
});

describe('Stripe', () => {
  let fake: FakeStripe;
  let stripe: StripeProvider;
  beforeAll(async () => {
    fake = await startFakeStripe();
    stripe = new StripeProvider({ apiUrl: fake.url, secretKey: fake.secretKey, webhookSecret: fake.webhookSecret });
  });
  afterAll(() => fake.close());

  const start = (key = crypto.randomUUID()) =>
    stripe.createPayment({
      orderId: 'order-2',
      amountMinor: 1999,
      currency: 'USD',
      description: 'Order B-2',
      returnUrl: 'https://app.example/orders/2',
      idempotencyKey: key,
      reference: 'B-2',
    });

  it('creates a Checkout Session with price_data in minor units and the order as client_reference_id', async () => {
    const created = await start();
    expect(created.confirmationUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const session = fake.sessions.get(created.providerPaymentId)!;
    expect(session).toMatchObject({
      amount_total: 1999,
      currency: 'usd',
      client_reference_id: 'order-2',
      mode: 'payment',
    });
    expect(fake.requests.at(-1)!.headers['idempotency-key']).toBeTruthy();
    const again = await stripe.fetchStatus(created.providerPaymentId);
    expect(again).toMatchObject({ status: 'PENDING', amountMinor: 1999, currency: 'USD', orderId: 'order-2' });
  });

  it('wrong key and reused idempotency key are refused like the API does', async () => {
    const bad = new StripeProvider({ apiUrl: fake.url, secretKey: 'sk_test_wrong', webhookSecret: null });
    await expect(bad.fetchStatus('cs_x')).rejects.toMatchObject({ status: 401 });
    const key = crypto.randomUUID();
    const a = await start(key);
    expect((await start(key)).providerPaymentId).toBe(a.providerPaymentId);
    await expect(
      stripe.createPayment({
        orderId: 'order-3',
        amountMinor: 5,
        currency: 'USD',
        description: 'x',
        returnUrl: 'https://app.example/',
        idempotencyKey: key,
        reference: 'C',
      }),
    ).rejects.toMatchObject({ status: 400, code: 'idempotency_error' });
  });

  it('accepts a correctly signed event (the recorded sample) and refuses a bad or stale signature', async () => {
    const body = fixture('stripe-checkout.session.completed.json', 'order-9');
    const now = Math.floor(Date.now() / 1000);
    const { signStripePayload } = await import('./fakes/index.ts');
    const ok = await stripe.parseAndVerifyNotification(
      raw(body, '127.0.0.1', { 'stripe-signature': signStripePayload(fake.webhookSecret, body, now) }),
    );
    expect(ok).toMatchObject({
      eventKey: 'evt_1Ep24XHssDVaQm2PpwS19Yt0',
      kind: 'payment',
      payment: { status: 'SUCCEEDED', amountMinor: 250000, currency: 'RUB', orderId: 'order-9' },
      lookup: { providerPaymentId: 'cs_test_a1b2c3d4e5f6g7h8i9j0' },
    });
    const cases = [
      signStripePayload('whsec_other', body, now),
      signStripePayload(fake.webhookSecret, body, now - 3600),
      signStripePayload(fake.webhookSecret, `${body} `, now),
    ];
    for (const signature of cases) {
      await expect(
        stripe.parseAndVerifyNotification(raw(body, '127.0.0.1', { 'stripe-signature': signature })),
      ).rejects.toMatchObject({ reason: 'BAD_SIGNATURE' });
    }
    await expect(stripe.parseAndVerifyNotification(raw(body, '127.0.0.1', {}))).rejects.toMatchObject({
      reason: 'BAD_SIGNATURE',
    });
  });

  it('pays, refunds through the PaymentIntent, and reads charge.refunded', async () => {
    const created = await start();
    const session = fake.complete(created.providerPaymentId);
    const paid = fake.signedEvent('checkout.session.completed', session);
    const n = await stripe.parseAndVerifyNotification(
      raw(paid.body, '127.0.0.1', { 'stripe-signature': paid.signature }),
    );
    expect(n.payment).toMatchObject({ status: 'SUCCEEDED', providerIntentId: session.payment_intent });
    const refund = await stripe.refund({
      providerPaymentId: created.providerPaymentId,
      providerIntentId: session.payment_intent,
      amountMinor: 999,
      currency: 'USD',
      idempotencyKey: crypto.randomUUID(),
    });
    expect(refund.status).toBe('SUCCEEDED');
    const refunded = fake.signedEvent('charge.refunded', fake.chargeOf(session.payment_intent!));
    const r = await stripe.parseAndVerifyNotification(
      raw(refunded.body, '127.0.0.1', { 'stripe-signature': refunded.signature }),
    );
    expect(r).toMatchObject({
      kind: 'refund',
      lookup: { providerIntentId: session.payment_intent },
      payment: { status: 'PARTIALLY_REFUNDED', refundedMinor: 999 },
    });
    await expect(
      stripe.refund({
        providerPaymentId: created.providerPaymentId,
        providerIntentId: session.payment_intent,
        amountMinor: 1001,
        currency: 'USD',
        idempotencyKey: crypto.randomUUID(),
      }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
