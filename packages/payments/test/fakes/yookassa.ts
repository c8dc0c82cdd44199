// A local YooKassa API v3 for the tests, written from YooKassa's API reference (https://yookassa.ru/developers/api)
// for the calls ARVlite makes: POST /v3/payments, GET /v3/payments/{id}, POST /v3/refunds, GET /v3/refunds/{id}.
// Like the real API it wants HTTP Basic auth with shopId:secretKey (401 `invalid_credentials` otherwise) and an
// Idempotence-Key on every POST (400 `invalid_request` without one); the same key again with the same body gets the
// first answer back, with another body a 400. Amounts are decimal strings ("123.45"). Tests move a payment on
// (succeed, cancel) and build the notification bodies YooKassa would POST.
import { randomUUID } from 'node:crypto';
import { listen, type FakeAnswer, type FakeRequest, type FakeServer } from './http.ts';

interface Amount {
  value: string;
  currency: string;
}

export interface FakeYooPayment {
  id: string;
  status: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
  paid: boolean;
  amount: Amount;
  refunded_amount?: Amount;
  description?: string;
  recipient: { account_id: string; gateway_id: string };
  created_at: string;
  captured_at?: string;
  confirmation: { type: 'redirect'; confirmation_url: string; return_url: string };
  metadata: Record<string, string>;
  refundable: boolean;
  test: boolean;
  cancellation_details?: { party: string; reason: string };
}

export interface FakeYooRefund {
  id: string;
  payment_id: string;
  status: 'succeeded';
  amount: Amount;
  created_at: string;
}

export interface FakeYooKassa extends FakeServer {
  shopId: string;
  secretKey: string;
  payments: Map<string, FakeYooPayment>;
  refunds: Map<string, FakeYooRefund>;
  /** The payer paid: the payment is captured (capture: true) and succeeded. */
  succeed(paymentId: string): void;
  cancel(paymentId: string): void;
  /** The body YooKassa POSTs for an event (the object as the API shows it now). */
  notification(event: 'payment.succeeded' | 'payment.canceled', paymentId: string): string;
  refundNotification(refundId: string): string;
}

const error = (status: number, code: string, description: string): FakeAnswer => ({
  status,
  body: { type: 'error', id: randomUUID(), code, description },
});

/** Minor units of a decimal string with two digits (the fake only serves two-digit currencies). */
const cents = (value: string) => Math.round(Number(value) * 100);
const decimal = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

export async function startFakeYooKassa(opts: { shopId?: string; secretKey?: string } = {}): Promise<FakeYooKassa> {
  const shopId = opts.shopId ?? '123456';
  const secretKey = opts.secretKey ?? `test_${randomUUID().replaceAll('-', '')}`;
  const payments = new Map<string, FakeYooPayment>();
  const refunds = new Map<string, FakeYooRefund>();
  const idempotence = new Map<string, { body: string; answer: FakeAnswer }>();
  const expectedAuth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString('base64')}`;

  function handle(req: FakeRequest): FakeAnswer {
    if (req.headers.authorization !== expectedAuth) {
      return error(401, 'invalid_credentials', 'Authentication by given credentials failed');
    }
    if (req.method === 'POST') {
      const key = req.headers['idempotence-key'];
      if (typeof key !== 'string' || key.length === 0 || key.length > 64) {
        return error(400, 'invalid_request', 'Idempotence key is missing or longer than 64 characters');
      }
      const seen = idempotence.get(`${req.path}|${key}`);
      if (seen) {
        return seen.body === req.body
          ? seen.answer
          : error(400, 'invalid_request', 'Idempotence key duplicated with another request body');
      }
      const answer = post(req);
      if (answer.status < 500) idempotence.set(`${req.path}|${key}`, { body: req.body, answer });
      return answer;
    }
    const payment = /^\/v3\/payments\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && payment) {
      const found = payments.get(decodeURIComponent(payment[1]!));
      return found ? { status: 200, body: found } : error(404, 'not_found', 'Payment not found');
    }
    const refund = /^\/v3\/refunds\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && refund) {
      const found = refunds.get(decodeURIComponent(refund[1]!));
      return found ? { status: 200, body: found } : error(404, 'not_found', 'Refund not found');
    }
    return error(404, 'not_found', 'Unknown path');
  }

  function post(req: FakeRequest): FakeAnswer {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return error(400, 'invalid_request', 'Request body is not JSON');
    }
    if (req.path === '/v3/payments') {
      const amount = body.amount as Amount | undefined;
      const confirmation = body.confirmation as { type?: string; return_url?: string } | undefined;
      if (!amount || !/^[0-9]+\.[0-9]{2}$/.test(amount.value) || !/^[A-Z]{3}$/.test(amount.currency)) {
        return error(400, 'invalid_request', 'amount: expected {value: "0.00", currency: "RUB"}');
      }
      if (confirmation?.type !== 'redirect' || !confirmation.return_url) {
        return error(400, 'invalid_request', 'confirmation: redirect with return_url expected');
      }
      const id = `${randomUUID().slice(0, 8)}-000f-5000-8000-${randomUUID().slice(-12)}`;
      const created: FakeYooPayment = {
        id,
        status: 'pending',
        paid: false,
        amount,
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        recipient: { account_id: shopId, gateway_id: '2000001' },
        created_at: new Date().toISOString(),
        confirmation: {
          type: 'redirect',
          confirmation_url: `https://yoomoney.ru/checkout/payments/v2/contract?orderId=${id}`,
          return_url: confirmation.return_url,
        },
        metadata: (body.metadata as Record<string, string> | undefined) ?? {},
        refundable: false,
        test: true,
      };
      payments.set(id, created);
      return { status: 200, body: created };
    }
    if (req.path === '/v3/refunds') {
      const payment = payments.get(String(body.payment_id));
      const amount = body.amount as Amount | undefined;
      if (!payment) return error(404, 'not_found', 'Payment not found');
      if (payment.status !== 'succeeded') return error(400, 'invalid_request', 'Payment is not succeeded');
      if (!amount || amount.currency !== payment.amount.currency || !/^[0-9]+\.[0-9]{2}$/.test(amount.value)) {
        return error(400, 'invalid_request', 'amount: expected the payment currency');
      }
      const already = cents(payment.refunded_amount?.value ?? '0.00');
      if (cents(amount.value) <= 0 || already + cents(amount.value) > cents(payment.amount.value)) {
        return error(400, 'invalid_request', 'Refund amount exceeds the payment amount');
      }
      payment.refunded_amount = { value: decimal(already + cents(amount.value)), currency: amount.currency };
      const refund: FakeYooRefund = {
        id: `${randomUUID().slice(0, 8)}-0015-5000-9000-${randomUUID().slice(-12)}`,
        payment_id: payment.id,
        status: 'succeeded',
        amount,
        created_at: new Date().toISOString(),
      };
      refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }
    return error(404, 'not_found', 'Unknown path');
  }

  const server = await listen(handle);
  const must = (id: string) => {
    const p = payments.get(id);
    if (!p) throw new Error(`no payment ${id}`);
    return p;
  };
  return {
    ...server,
    shopId,
    secretKey,
    payments,
    refunds,
    succeed(id) {
      const p = must(id);
      Object.assign(p, { status: 'succeeded', paid: true, refundable: true, captured_at: new Date().toISOString() });
    },
    cancel(id) {
      const p = must(id);
      Object.assign(p, {
        status: 'canceled',
        paid: false,
        cancellation_details: { party: 'yoo_money', reason: 'expired_on_confirmation' },
      });
    },
    notification(event, id) {
      return JSON.stringify({ type: 'notification', event, object: must(id) });
    },
    refundNotification(refundId) {
      const r = refunds.get(refundId);
      if (!r) throw new Error(`no refund ${refundId}`);
      return JSON.stringify({ type: 'notification', event: 'refund.succeeded', object: r });
    },
  };
}
