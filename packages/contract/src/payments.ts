// Payments through a provider (YooKassa, Stripe) or by bank transfer: the states a payment row goes through, what a
// provider notification did, and the inputs of paymentSettings.* and payment.*.
import { z } from 'zod';
import { paymentProviderSchema } from './orders.ts';

/** A payment's state, by the provider API's own account (never a notification's claim). */
export const PAYMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'CANCELED', 'REFUNDED', 'PARTIALLY_REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What a verified provider notification did (kept once per provider event). */
export const PAYMENT_NOTIFICATION_OUTCOMES = [
  /** The payment row changed (and, for a success, the order was paid). */
  'APPLIED',
  /** Verified, but nothing to change (an older state arriving late, or the same state again). */
  'NO_CHANGE',
  /** No payment of this company matches: logged, answered 200, nothing changed. */
  'UNKNOWN_PAYMENT',
  /** An event type we do not act on. */
  'IGNORED',
  /** The payment succeeded but the order could not take it (already paid, cancelled, another amount). */
  'ORDER_REFUSED',
] as const;
export type PaymentNotificationOutcome = (typeof PAYMENT_NOTIFICATION_OUTCOMES)[number];

/** A provider refund asked for by an order refund. */
export const PAYMENT_REFUND_STATUSES = ['SUCCEEDED', 'PENDING', 'FAILED'] as const;
export type PaymentRefundStatus = (typeof PAYMENT_REFUND_STATUSES)[number];

const uuid = z.uuid({ message: 'expected an id' });

/** Provider credentials are printable ASCII without spaces, bounded. */
const token = (pattern: RegExp, message: string) => z.string().trim().max(255).regex(pattern, { message });

export const yookassaCredentialsInput = z.strictObject({
  /** The shop's id (digits). */
  shopId: token(/^[0-9]{1,20}$/, 'expected the shop id (digits)'),
  /** The secret key (`live_…` or `test_…`). */
  secretKey: token(/^(live|test)_[A-Za-z0-9_-]{8,200}$/, 'expected a secret key starting with live_ or test_'),
});

export const stripeCredentialsInput = z.strictObject({
  /** A secret or restricted key (`sk_live_…`, `sk_test_…`, `rk_…`). */
  secretKey: token(/^(sk|rk)_(live|test)_[A-Za-z0-9]{8,200}$/, 'expected a key starting with sk_ or rk_'),
  /** The webhook endpoint's signing secret (`whsec_…`). */
  webhookSecret: token(/^whsec_[A-Za-z0-9+/=_-]{8,200}$/, 'expected a signing secret starting with whsec_'),
});

export const paymentSettingsGetInput = z.strictObject({ companyId: uuid });

export const paymentSettingsUpdateInput = z.strictObject({
  companyId: uuid,
  /** The provider new payments use (manual: bank transfer). */
  provider: paymentProviderSchema,
  /** New YooKassa credentials; null removes them; absent keeps them. */
  yookassa: yookassaCredentialsInput.nullable().optional(),
  /** New Stripe credentials; null removes them; absent keeps them. */
  stripe: stripeCredentialsInput.nullable().optional(),
});

export const paymentStartInput = z.strictObject({
  orderId: uuid,
  /** Default: the company's provider. */
  provider: paymentProviderSchema.optional(),
  /** Where the payer returns after paying: a page on one of the allowed origins (default: the order's page). */
  returnUrl: z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
    .max(2048)
    .optional(),
});

export const paymentListInput = z.strictObject({ orderId: uuid });
