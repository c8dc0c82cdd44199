// A local Stripe API for the tests, written from Stripe's API reference (https://docs.stripe.com/api) for the calls
// ARVlite makes: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}, POST /v1/refunds. Requests are
// form-encoded with bracketed keys (line_items[0][price_data][currency]) as stripe-node sends them; a wrong secret key
// gets 401 with an `invalid_request_error`, an Idempotency-Key reused with other parameters a 400 `idempotency_error`,
// and the same key with the same parameters the first answer again. Webhook events are signed as Stripe documents
// (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body" keyed with the endpoint secret>`), here with our own
// HMAC code, so the tests check the library's verification rather than a copy of it.
import { createHmac, randomBytes } from 'node:crypto';
import { listen, type FakeAnswer, type FakeRequest, type FakeServer } from './http.ts';

type Form = { [key: string]: string | Form };

/** `a[b][0][c]=1&…` → nested objects (arrays as objects keyed by index, which is all the fake reads). */
export function parseForm(body: string): Form {
  const root: Form = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else {
        const next = node[part];
        node = typeof next === 'object' ? next : (node[part] = {});
      }
    });
  }
  return root;
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;
const str = (v: string | Form | undefined) => (typeof v === 'string' ? v : undefined);
const obj = (v: string | Form | undefined): Form => (typeof v === 'object' ? v : {});

export interface FakeStripeSession {
  id: string;
  object: 'checkout.session';
  mode: 'payment';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  success_url: string;
  cancel_url: string;
  url: string | null;
  livemode: false;
  created: number;
}

interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  refunded: boolean;
  paid: true;
  status: 'succeeded';
  metadata: Record<string, string>;
  livemode: false;
  created: number;
}

export interface FakeStripe extends FakeServer {
  secretKey: string;
  webhookSecret: string;
  sessions: Map<string, FakeStripeSession>;
  /** The payer paid: the session is complete and paid, with a PaymentIntent and its charge. */
  complete(sessionId: string): FakeStripeSession;
  /** An event as Stripe would POST it: the raw body and its Stripe-Signature header. */
  signedEvent(type: string, object: unknown, opts?: { secret?: string; timestamp?: number }): SignedEvent;
  /** A `charge.refunded` event body for the charge of a PaymentIntent, as it stands now. */
  chargeOf(paymentIntent: string): FakeCharge;
}

export interface SignedEvent {
  id: string;
  body: string;
  signature: string;
}

const error = (status: number, type: string, message: string, code?: string): FakeAnswer => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}) } },
});

export function signStripePayload(secret: string, body: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const secretKey = `sk_test_${randomBytes(24).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  const sessions = new Map<string, FakeStripeSession>();
  const charges = new Map<string, FakeCharge>();
  const idempotency = new Map<string, { body: string; answer: FakeAnswer }>();

  function handle(req: FakeRequest): FakeAnswer {
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      return error(401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****');
    }
    if (req.method === 'POST') {
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = idempotency.get(key);
        if (seen) {
          return seen.body === req.body
            ? seen.answer
            : error(
                400,
                'idempotency_error',
                'Keys for idempotent requests can only be used with the same parameters they were first used with.',
              );
        }
        const answer = post(req, parseForm(req.body));
        idempotency.set(key, { body: req.body, answer });
        return answer;
      }
      return post(req, parseForm(req.body));
    }
    const m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m) {
      const s = sessions.get(decodeURIComponent(m[1]!));
      return s
        ? { status: 200, body: s }
        : error(404, 'invalid_request_error', `No such checkout.session: '${m[1]}'`, 'resource_missing');
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${req.path})`);
  }

  function post(req: FakeRequest, form: Form): FakeAnswer {
    if (req.path === '/v1/checkout/sessions') {
      if (str(form.mode) !== 'payment') return error(400, 'invalid_request_error', 'mode: payment expected');
      const items = Object.values(obj(form.line_items)).map(obj);
      if (items.length === 0) return error(400, 'invalid_request_error', 'line_items: at least one');
      let total = 0;
      let currency: string | undefined;
      for (const item of items) {
        const price = obj(item.price_data);
        const unit = Number(str(price.unit_amount));
        const quantity = Number(str(item.quantity) ?? '1');
        const c = str(price.currency);
        if (!Number.isSafeInteger(unit) || unit < 0 || !Number.isSafeInteger(quantity) || !c) {
          return error(400, 'invalid_request_error', 'line_items[price_data]: unit_amount (integer) and currency');
        }
        if (currency && currency !== c) return error(400, 'invalid_request_error', 'line_items: one currency');
        currency = c;
        total += unit * quantity;
      }
      const successUrl = str(form.success_url);
      if (!successUrl) return error(400, 'invalid_request_error', 'success_url: required');
      const sid = id('cs');
      const session: FakeStripeSession = {
        id: sid,
        object: 'checkout.session',
        mode: 'payment',
        status: 'open',
        payment_status: 'unpaid',
        amount_subtotal: total,
        amount_total: total,
        currency: currency!,
        client_reference_id: str(form.client_reference_id) ?? null,
        metadata: Object.fromEntries(Object.entries(obj(form.metadata)).map(([k, v]) => [k, String(v)])),
        payment_intent: null,
        success_url: successUrl,
        cancel_url: str(form.cancel_url) ?? successUrl,
        url: `https://checkout.stripe.com/c/pay/${sid}`,
        livemode: false,
        created: Math.floor(Date.now() / 1000),
      };
      sessions.set(sid, session);
      return { status: 200, body: session };
    }
    if (req.path === '/v1/refunds') {
      const intent = str(form.payment_intent);
      const charge = [...charges.values()].find((c) => c.payment_intent === intent);
      if (!charge)
        return error(404, 'invalid_request_error', `No such payment_intent: '${intent}'`, 'resource_missing');
      const amount = form.amount === undefined ? charge.amount - charge.amount_refunded : Number(str(form.amount));
      if (!Number.isSafeInteger(amount) || amount <= 0 || charge.amount_refunded + amount > charge.amount) {
        return error(
          400,
          'invalid_request_error',
          `Refund amount (${amount}) is greater than unrefunded amount on charge`,
          'amount_too_large',
        );
      }
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded === charge.amount;
      return {
        status: 200,
        body: {
          id: id('re'),
          object: 'refund',
          amount,
          currency: charge.currency,
          charge: charge.id,
          payment_intent: intent,
          status: 'succeeded',
          created: Math.floor(Date.now() / 1000),
        },
      };
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (POST: ${req.path})`);
  }

  const server = await listen(handle);
  return {
    ...server,
    secretKey,
    webhookSecret,
    sessions,
    complete(sessionId) {
      const s = sessions.get(sessionId);
      if (!s) throw new Error(`no session ${sessionId}`);
      const intent = id('pi');
      Object.assign(s, { status: 'complete', payment_status: 'paid', payment_intent: intent, url: null });
      const charge: FakeCharge = {
        id: id('ch'),
        object: 'charge',
        amount: s.amount_total,
        amount_refunded: 0,
        currency: s.currency,
        payment_intent: intent,
        refunded: false,
        paid: true,
        status: 'succeeded',
        metadata: { ...s.metadata },
        livemode: false,
        created: Math.floor(Date.now() / 1000),
      };
      charges.set(charge.id, charge);
      return s;
    },
    chargeOf(paymentIntent) {
      const c = [...charges.values()].find((x) => x.payment_intent === paymentIntent);
      if (!c) throw new Error(`no charge for ${paymentIntent}`);
      return { ...c };
    },
    signedEvent(type, object, opts = {}) {
      const eventId = id('evt');
      const body = JSON.stringify({
        id: eventId,
        object: 'event',
        api_version: '2026-11-18.endive',
        created: Math.floor(Date.now() / 1000),
        data: { object },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      });
      const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
      return { id: eventId, body, signature: signStripePayload(opts.secret ?? webhookSecret, body, timestamp) };
    },
  };
}
