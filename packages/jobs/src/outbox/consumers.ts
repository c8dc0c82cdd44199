// The one list of outbox consumers: everything that reacts to events is registered here.
import { auditConsumer } from './audit.consumer.ts';
import type { OutboxConsumer } from './consumer.ts';
import { documentsConsumer } from './documents.consumer.ts';
import { mailConsumer } from './mail.consumer.ts';
import { notificationConsumer } from './notification.consumer.ts';
import { manualPaymentConsumer, paymentRefundConsumer } from './payment-refund.consumer.ts';
import { orderMailConsumer } from './order-mail.consumer.ts';
import { verificationMailConsumer } from './verification-mail.consumer.ts';
import { viewMetricsConsumer } from './view-metrics.consumer.ts';
import { webhookConsumer } from './webhook.consumer.ts';

export const outboxConsumers: readonly OutboxConsumer[] = [
  auditConsumer,
  mailConsumer,
  verificationMailConsumer,
  webhookConsumer,
  notificationConsumer,
  paymentRefundConsumer,
  manualPaymentConsumer,
  orderMailConsumer,
  documentsConsumer,
  viewMetricsConsumer,
];
