// YooKassa, API v3 (https://yookassa.ru/developers/api): payments with a redirect confirmation, captured at once, and
// refunds. Its HTTP notifications are not signed, so a notification is only a hint: it must come from YooKassa's
// published source addresses, and what it claims is read again from the API (GET /v3/payments/{id},
// GET /v3/refunds/{id}) before anything changes.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { decimalToMinor, minorToDecimal } from './money.ts';
import {
  headerValue,
  NotificationRejectedError,
  ProviderRequestError,
  type CreatedPayment,
  type CreatePaymentInput,
  type PaymentProvider,
  type PaymentStatus,
  type ProviderPaymentState,
  type RawNotification,
  type RefundInput,
  type RefundResult,
  type VerifiedNotification,
} from './port.ts';

/** YooKassa's published notification source addresses (its docs, "Notifications" → "IP authentication"). */
export const YOOKASSA_NOTIFICATION_IPS = [
  '185.71.76.0/27',
  '185.71.77.0/27',
  '77.75.153.0/25',
  '77.75.156.11',
  '77.75.156.35',
  '77.75.154.128/25',
  '2a02:5180::/32',
] as const;

export interface YooKassaOptions {
  /** API base URL without the version, e.g. https://api.yookassa.ru (tests: the local fake). */
  apiUrl: string;
  shopId: string;
  secretKey: string;
  /** Source addresses/CIDRs notifications may come from. */
  allowedIps: readonly string[];
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A list of addresses and CIDRs as a node:net BlockList (IPv4-mapped IPv6 addresses are matched as IPv4). */
export function addressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`not an address: ${entry.slice(0, 64)}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

export function addressAllowed(list: BlockList, ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const amountSchema = z.object({ value: z.string().max(32), currency: z.string().max(8) });

const paymentSchema = z.object({
  id: z.string().min(1).max(64),
  status: z.enum(['pending', 'waiting_for_capture', 'succeeded', 'canceled']),
  amount: amountSchema,
  refunded_amount: amountSchema.optional(),
  confirmation: z.object({ type: z.string().max(32), confirmation_url: z.string().max(2048).optional() }).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
});

const refundSchema = z.object({
  id: z.string().min(1).max(64),
  payment_id: z.string().min(1).max(64),
  status: z.enum(['pending', 'succeeded', 'canceled']),
  amount: amountSchema,
});

const errorSchema = z.object({
  type: z.literal('error'),
  code: z.string().max(100),
  description: z.string().max(1000),
});

/** A notification as YooKassa sends it: only type, event and the object's id are read from it. */
const notificationSchema = z.object({
  type: z.literal('notification'),
  event: z.string().min(1).max(64),
  object: z.object({ id: z.string().min(1).max(64) }),
});

function statusOf(payment: z.output<typeof paymentSchema>, refundedMinor: number, amountMinor: number): PaymentStatus {
  if (payment.status === 'canceled') return 'CANCELED';
  if (payment.status !== 'succeeded') return 'PENDING';
  if (refundedMinor === 0) return 'SUCCEEDED';
  return refundedMinor >= amountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}

export class YooKassaProvider implements PaymentProvider {
  readonly name = 'yookassa' as const;
  readonly #opts: YooKassaOptions;
  readonly #allowed: BlockList;

  constructor(opts: YooKassaOptions) {
    this.#opts = opts;
    this.#allowed = addressList(opts.allowedIps);
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    idempotenceKey?: string,
  ): Promise<T> {
    const auth = Buffer.from(`${this.#opts.shopId}:${this.#opts.secretKey}`).toString('base64');
    const headers: Record<string, string> = { authorization: `Basic ${auth}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotenceKey) headers['idempotence-key'] = idempotenceKey;
    const res = await (this.#opts.fetch ?? fetch)(`${this.#opts.apiUrl.replace(/\/+$/, '')}/v3${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 15_000),
    });
    const text = (await res.text()).slice(0, 256 * 1024);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProviderRequestError(res.status, 'bad_response', `YooKassa answered ${res.status} without JSON`);
    }
    if (!res.ok) {
      const err = errorSchema.safeParse(json);
      throw new ProviderRequestError(
        res.status,
        err.success ? err.data.code : 'error',
        `YooKassa ${method} ${path.split('/').slice(0, 2).join('/')}: ${res.status} ${err.success ? err.data.description : ''}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ProviderRequestError(res.status, 'bad_response', 'YooKassa answered an unknown shape');
    return parsed.data;
  }

  #state(payment: z.output<typeof paymentSchema>): ProviderPaymentState {
    const currency = payment.amount.currency;
    const amountMinor = decimalToMinor(payment.amount.value, currency);
    const refundedMinor = payment.refunded_amount ? decimalToMinor(payment.refunded_amount.value, currency) : 0;
    return {
      providerPaymentId: payment.id,
      status: statusOf(payment, refundedMinor, amountMinor),
      amountMinor,
      currency,
      refundedMinor,
      orderId: payment.metadata?.orderId ?? null,
    };
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    const payment = await this.#request(
      'POST',
      '/payments',
      paymentSchema,
      {
        amount: { value: minorToDecimal(input.amountMinor, input.currency), currency: input.currency },
        capture: true,
        confirmation: { type: 'redirect', return_url: input.returnUrl },
        // YooKassa's description is at most 128 characters.
        description: input.description.slice(0, 128),
        metadata: { orderId: input.orderId },
      },
      input.idempotencyKey,
    );
    const url = payment.confirmation?.confirmation_url;
    if (!url) throw new ProviderRequestError(200, 'bad_response', 'YooKassa gave no confirmation URL');
    return { providerPaymentId: payment.id, confirmationUrl: url, status: this.#state(payment).status };
  }

  async fetchStatus(providerPaymentId: string): Promise<ProviderPaymentState> {
    return this.#state(await this.#request('GET', `/payments/${encodeURIComponent(providerPaymentId)}`, paymentSchema));
  }

  async parseAndVerifyNotification(raw: RawNotification): Promise<VerifiedNotification> {
    if (!addressAllowed(this.#allowed, raw.ip)) {
      throw new NotificationRejectedError('FORBIDDEN_SOURCE', 'Not from a YooKassa notification address');
    }
    const type = headerValue(raw.headers, 'content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      throw new NotificationRejectedError('BAD_BODY', 'Expected a JSON body');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.body.toString('utf8'));
    } catch {
      throw new NotificationRejectedError('BAD_BODY', 'Not JSON');
    }
    const parsed = notificationSchema.safeParse(json);
    if (!parsed.success) throw new NotificationRejectedError('BAD_BODY', 'Not a YooKassa notification');
    const { event, object } = parsed.data;
    const eventKey = `${event}:${object.id}`;
    if (event === 'payment.succeeded' || event === 'payment.canceled' || event === 'payment.waiting_for_capture') {
      // The body's claims are not read: the payment is fetched from the API.
      const payment = await this.fetchStatus(object.id);
      const confirmed =
        event === 'payment.succeeded'
          ? payment.status !== 'PENDING' && payment.status !== 'CANCELED'
          : event === 'payment.canceled'
            ? payment.status === 'CANCELED'
            : payment.status === 'PENDING';
      return {
        eventKey,
        eventType: event,
        kind: 'payment',
        confirmed,
        payment,
        lookup: { providerPaymentId: object.id },
      };
    }
    if (event === 'refund.succeeded') {
      const refund = await this.#request('GET', `/refunds/${encodeURIComponent(object.id)}`, refundSchema);
      if (refund.status !== 'succeeded') {
        return { eventKey, eventType: event, kind: 'ignored', confirmed: false, payment: null, lookup: {} };
      }
      const payment = await this.fetchStatus(refund.payment_id);
      return {
        eventKey,
        eventType: event,
        kind: 'refund',
        confirmed: true,
        payment,
        lookup: { providerPaymentId: refund.payment_id },
      };
    }
    return { eventKey, eventType: event, kind: 'ignored', confirmed: true, payment: null, lookup: {} };
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const refund = await this.#request(
      'POST',
      '/refunds',
      refundSchema,
      {
        payment_id: input.providerPaymentId,
        amount: { value: minorToDecimal(input.amountMinor, input.currency), currency: input.currency },
      },
      input.idempotencyKey,
    );
    return {
      providerRefundId: refund.id,
      status: refund.status === 'succeeded' ? 'SUCCEEDED' : refund.status === 'pending' ? 'PENDING' : 'FAILED',
    };
  }
}
