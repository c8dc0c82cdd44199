// The payment provider port: what ARVlite asks of any provider (manual bank transfer, YooKassa, Stripe).

import type { PaymentProvider as PaymentProviderName, PaymentStatus } from '@arvlite/contract';

export type { PaymentProviderName, PaymentStatus };

export interface CreatePaymentInput {
  orderId: string;
  /** Minor units. */
  amountMinor: number;
  currency: string;
  /** Shown to the payer (bounded by each provider). */
  description: string;
  /** Where the provider sends the payer back. */
  returnUrl: string;
  /** Stripe's cancel URL (defaults to returnUrl). */
  cancelUrl?: string;
  /** The same key for a retried request makes no second payment at the provider. */
  idempotencyKey: string;
  /** The reference a bank transfer must carry (the order's number). */
  reference: string;
}

export interface CreatedPayment {
  providerPaymentId: string;
  /** Where to send the payer; null for a bank transfer. */
  confirmationUrl: string | null;
  status: PaymentStatus;
  /** Bank transfer: what the payer must do. */
  instructions?: { kind: 'bank-transfer'; reference: string; amount: string; currency: string };
}

/** A payment as the provider's API reports it now (never as a notification claims it). */
export interface ProviderPaymentState {
  providerPaymentId: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
  /** The order id the payment was created for (from the provider's metadata), when it says one. */
  orderId: string | null;
  /** Stripe: the PaymentIntent behind a Checkout Session (refunds and charge events name it). */
  providerIntentId?: string | null;
}

/** A notification after verification: what happened, by the provider API's own account. */
export interface VerifiedNotification {
  /** Unique per provider event: Stripe's event id; YooKassa's `event` + object id (it sends no event id). */
  eventKey: string;
  /** The provider's event type as sent (bounded). */
  eventType: string;
  kind: 'payment' | 'refund' | 'ignored';
  /**
   * Whether the provider's own account confirms what the event says happened (always, for a signed Stripe event).
   * A YooKassa `payment.succeeded` whose payment the API shows pending is not confirmed: it is forged or early, and
   * must not use up its event key (the genuine one comes later with the same key).
   */
  confirmed: boolean;
  /** For payment and refund kinds: the payment's verified state. */
  payment: ProviderPaymentState | null;
  /** How the payment can be found: our row stores the provider payment id, and for Stripe also the intent id. */
  lookup: { providerPaymentId?: string; providerIntentId?: string };
}

export interface RawNotification {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The client address as the server determined it (after TRUST_PROXY). */
  ip: string;
}

export interface RefundInput {
  providerPaymentId: string;
  providerIntentId?: string | null;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
}

export interface RefundResult {
  providerRefundId: string;
  status: 'SUCCEEDED' | 'PENDING' | 'FAILED';
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  createPayment(input: CreatePaymentInput): Promise<CreatedPayment>;
  /** Throws NotificationRejectedError when the notification cannot be trusted. */
  parseAndVerifyNotification(raw: RawNotification): Promise<VerifiedNotification>;
  fetchStatus(providerPaymentId: string): Promise<ProviderPaymentState>;
  refund(input: RefundInput): Promise<RefundResult>;
}

/** Why a notification was refused: the HTTP route answers 400 (bad signature/body) or 403 (source address). */
export class NotificationRejectedError extends Error {
  readonly reason: 'BAD_SIGNATURE' | 'BAD_BODY' | 'FORBIDDEN_SOURCE' | 'NOT_CONFIGURED';
  constructor(reason: NotificationRejectedError['reason'], message: string) {
    super(message);
    this.name = 'NotificationRejectedError';
    this.reason = reason;
  }
}

/** The provider's API refused or failed a request (status and its error code, bounded; never credentials). */
export class ProviderRequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message.slice(0, 500));
    this.name = 'ProviderRequestError';
    this.status = status;
    this.code = code.slice(0, 100);
  }
}

export function headerValue(headers: RawNotification['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
