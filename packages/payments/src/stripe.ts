// Stripe: a hosted Checkout Session (mode payment, the amount as one price_data line in minor units), webhooks checked
// with the official library's `webhooks.constructEvent` (HMAC-SHA256 over timestamp and raw body, 5-minute
// tolerance), refunds through the API. The client can be pointed elsewhere with the library's host/port/protocol.
import Stripe from 'stripe';
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
import { assertAmountMinor, currencyExponent } from './money.ts';

export interface StripeOptions {
  /** API base URL, e.g. https://api.stripe.com (tests: the local fake). */
  apiUrl: string;
  secretKey: string;
  /** The endpoint's signing secret (`whsec_…`); without it no webhook is accepted. */
  webhookSecret: string | null;
  timeoutMs?: number;
}

/** The library's client for a base URL: host, port and protocol taken apart as its options want them. */
export function stripeClient(opts: Pick<StripeOptions, 'apiUrl' | 'secretKey' | 'timeoutMs'>): Stripe {
  const url = new URL(opts.apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(opts.secretKey, {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 2,
    timeout: opts.timeoutMs ?? 15_000,
    telemetry: false,
  });
}

function wrap(err: unknown): never {
  if (err instanceof Stripe.errors.StripeError) {
    throw new ProviderRequestError(
      err.statusCode ?? 502,
      err.code ?? err.rawType ?? err.type,
      `Stripe: ${err.message}`,
    );
  }
  throw err;
}

function sessionState(session: Stripe.Checkout.Session): ProviderPaymentState {
  const currency = (session.currency ?? '').toUpperCase();
  const status: PaymentStatus =
    session.payment_status === 'paid' ? 'SUCCEEDED' : session.status === 'expired' ? 'CANCELED' : 'PENDING';
  const intent = session.payment_intent;
  return {
    providerPaymentId: session.id,
    status,
    amountMinor: session.amount_total ?? 0,
    currency,
    refundedMinor: 0,
    orderId: session.client_reference_id ?? session.metadata?.orderId ?? null,
    providerIntentId: typeof intent === 'string' ? intent : (intent?.id ?? null),
  };
}

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  readonly #client: Stripe;
  readonly #webhookSecret: string | null;

  constructor(opts: StripeOptions) {
    this.#client = stripeClient(opts);
    this.#webhookSecret = opts.webhookSecret;
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    currencyExponent(input.currency);
    assertAmountMinor(input.amountMinor);
    const session = await this.#client.checkout.sessions
      .create(
        {
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: input.amountMinor,
                product_data: { name: input.description.slice(0, 250) || input.reference },
              },
            },
          ],
          client_reference_id: input.orderId,
          metadata: { orderId: input.orderId, reference: input.reference.slice(0, 200) },
          payment_intent_data: { metadata: { orderId: input.orderId } },
          success_url: input.returnUrl,
          cancel_url: input.cancelUrl ?? input.returnUrl,
        },
        { idempotencyKey: input.idempotencyKey },
      )
      .catch(wrap);
    if (!session.url) throw new ProviderRequestError(200, 'bad_response', 'Stripe gave no Checkout URL');
    return { providerPaymentId: session.id, confirmationUrl: session.url, status: sessionState(session).status };
  }

  async fetchStatus(providerPaymentId: string): Promise<ProviderPaymentState> {
    return sessionState(await this.#client.checkout.sessions.retrieve(providerPaymentId).catch(wrap));
  }

  async parseAndVerifyNotification(raw: RawNotification): Promise<VerifiedNotification> {
    if (!this.#webhookSecret) throw new NotificationRejectedError('NOT_CONFIGURED', 'No webhook signing secret');
    const signature = headerValue(raw.headers, 'stripe-signature');
    if (!signature) throw new NotificationRejectedError('BAD_SIGNATURE', 'No Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.#client.webhooks.constructEvent(raw.body, signature, this.#webhookSecret);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw new NotificationRejectedError('BAD_SIGNATURE', 'Stripe signature does not verify');
      }
      throw new NotificationRejectedError('BAD_BODY', 'Not a Stripe event');
    }
    const eventKey = event.id.slice(0, 255);
    const eventType = event.type.slice(0, 64);
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed':
      case 'checkout.session.expired': {
        const state = sessionState(event.data.object);
        if (event.type === 'checkout.session.async_payment_failed') state.status = 'CANCELED';
        return {
          eventKey,
          eventType,
          kind: 'payment',
          confirmed: true,
          payment: state,
          lookup: { providerPaymentId: state.providerPaymentId },
        };
      }
      case 'charge.refunded': {
        const charge = event.data.object;
        const intent = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
        if (!intent) return { eventKey, eventType, kind: 'ignored', confirmed: true, payment: null, lookup: {} };
        const currency = charge.currency.toUpperCase();
        return {
          eventKey,
          eventType,
          kind: 'refund',
          confirmed: true,
          payment: {
            providerPaymentId: '',
            status: charge.refunded ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
            amountMinor: charge.amount,
            currency,
            refundedMinor: charge.amount_refunded,
            orderId: charge.metadata?.orderId ?? null,
            providerIntentId: intent,
          },
          lookup: { providerIntentId: intent },
        };
      }
      default:
        return { eventKey, eventType, kind: 'ignored', confirmed: true, payment: null, lookup: {} };
    }
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    if (!input.providerIntentId) {
      throw new ProviderRequestError(409, 'no_payment_intent', 'The Checkout Session has no PaymentIntent to refund');
    }
    assertAmountMinor(input.amountMinor);
    const refund = await this.#client.refunds
      .create(
        { payment_intent: input.providerIntentId, amount: input.amountMinor },
        { idempotencyKey: input.idempotencyKey },
      )
      .catch(wrap);
    return {
      providerRefundId: refund.id,
      status: refund.status === 'succeeded' ? 'SUCCEEDED' : refund.status === 'pending' ? 'PENDING' : 'FAILED',
    };
  }
}
