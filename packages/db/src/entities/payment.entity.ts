// Payments through providers: each company's provider settings (credentials encrypted at rest), the payments started
// for its orders, every provider notification once (its event key is unique), and the refunds carried out at the
// provider for order refunds.
import {
  CURRENCIES,
  PAYMENT_NOTIFICATION_OUTCOMES,
  PAYMENT_PROVIDERS,
  PAYMENT_REFUND_STATUSES,
  PAYMENT_STATUSES,
} from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { CompanySchema } from './company.entity.ts';
import { CustomerOrderSchema } from './order.entity.ts';

/**
 * A company's payment provider and its credentials. Secrets are AES-256-GCM ciphertexts (`v1.<iv>.<ct>`, key derived
 * from the root secret, the company id and field name as additional data); the API never returns them.
 */
export const PaymentSettingsSchema = defineEntity({
  name: 'PaymentSettings',
  tableName: 'payment_settings',
  properties: {
    company: () => p.oneToOne(CompanySchema).primary().deleteRule('cascade'),
    provider: p.enum(PAYMENT_PROVIDERS).default('manual'),
    yookassaShopId: p.string().length(32).nullable(),
    yookassaSecretKeyEncrypted: p.string().length(1024).nullable(),
    stripeSecretKeyEncrypted: p.string().length(1024).nullable(),
    stripeWebhookSecretEncrypted: p.string().length(1024).nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class PaymentSettings extends PaymentSettingsSchema.class {}
PaymentSettingsSchema.setClass(PaymentSettings);

/** One payment started for an order at a provider (or a bank transfer's instructions). */
export const PaymentSchema = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  indexes: [{ properties: ['order', 'createdAt'] }, { properties: ['provider', 'providerIntentId'] }],
  uniques: [{ name: 'payment_provider_payment_unique', properties: ['provider', 'providerPaymentId'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    order: () => p.manyToOne(CustomerOrderSchema).deleteRule('cascade'),
    provider: p.enum(PAYMENT_PROVIDERS),
    providerPaymentId: p.string().length(255),
    /** Stripe: the PaymentIntent of the Checkout Session, once paid (refunds and charge events name it). */
    providerIntentId: p.string().length(255).nullable(),
    amountMinor: p.bigint('number'),
    currency: p.enum(CURRENCIES),
    status: p.enum(PAYMENT_STATUSES).default('PENDING'),
    refundedMinor: p.bigint('number').default(0),
    confirmationUrl: p.string().length(2048).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Payment extends PaymentSchema.class {}
PaymentSchema.setClass(Payment);

/**
 * A provider notification, kept once: `eventKey` is Stripe's event id, or YooKassa's `event:objectId` (it sends no
 * event id). A second delivery of the same event conflicts on the unique index and changes nothing.
 */
export const PaymentNotificationSchema = defineEntity({
  name: 'PaymentNotification',
  tableName: 'payment_notification',
  uniques: [{ name: 'payment_notification_event_unique', properties: ['company', 'provider', 'eventKey'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    provider: p.enum(PAYMENT_PROVIDERS),
    eventKey: p.string().length(255),
    eventType: p.string().length(64),
    payment: () => p.manyToOne(PaymentSchema).nullable().deleteRule('set null'),
    outcome: p.enum(PAYMENT_NOTIFICATION_OUTCOMES),
    receivedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class PaymentNotification extends PaymentNotificationSchema.class {}
PaymentNotificationSchema.setClass(PaymentNotification);

/** A refund carried out at the provider for an order refund (one per `order.refunded` event). */
export const PaymentRefundSchema = defineEntity({
  name: 'PaymentRefund',
  tableName: 'payment_refund',
  uniques: [{ name: 'payment_refund_credit_note_unique', properties: ['creditNoteId'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    payment: () => p.manyToOne(PaymentSchema).deleteRule('cascade'),
    /** The credit note the order refund issued (the event's id for it). */
    creditNoteId: p.uuid(),
    amountMinor: p.bigint('number'),
    status: p.enum(PAYMENT_REFUND_STATUSES).nullable(),
    providerRefundId: p.string().length(255).nullable(),
    /** The provider's error (bounded, never credentials), when it refused. */
    error: p.string().length(500).nullable(),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class PaymentRefund extends PaymentRefundSchema.class {}
PaymentRefundSchema.setClass(PaymentRefund);
