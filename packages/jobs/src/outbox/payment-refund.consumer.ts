// Order refunds at the provider: an order refunded (order.refund, its credit note issued) whose money came through
// YooKassa or Stripe gets one payment_refund row per credit note and a payment:refund job, in the delivering
// transaction. Orders paid by bank transfer are refunded by the company itself: nothing happens here.
import { enqueue } from '../enqueue.ts';
import type { OutboxConsumer } from './consumer.ts';

export const paymentRefundConsumer: OutboxConsumer = {
  name: 'payment-refunds',
  accepts: (event) => event.type === 'order.refunded',
  async deliver(tem, { event }, log) {
    if (event.type !== 'order.refunded') return;
    const [payment] = await tem.execute<{ id: string }[]>(
      `select id::text as id from payment
        where order_id = ? and company_id = ? and provider in ('yookassa', 'stripe')
          and status in ('SUCCEEDED', 'PARTIALLY_REFUNDED')
        order by created_at desc limit 1`,
      [event.orderId, event.companyId],
    );
    if (!payment) return;
    const [row] = await tem.execute<{ id: string }[]>(
      `insert into payment_refund (id, company_id, payment_id, credit_note_id, amount_minor, attempts, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, ?, ?, 0, now(), now())
       on conflict (credit_note_id) do nothing returning id::text as id`,
      [event.companyId, payment.id, event.creditNoteId, event.amountMinor],
    );
    if (!row) return;
    await enqueue(tem, 'payment:refund', { refundId: row.id });
    log.info({ orderId: event.orderId, refundId: row.id }, 'provider refund queued');
  },
};

/**
 * Bank transfers: when an order is marked paid by hand (`order.paid` with provider manual), the transfer details
 * payment.start gave out are settled, so the order's payment list shows the transfer as received.
 */
export const manualPaymentConsumer: OutboxConsumer = {
  name: 'payment-manual',
  accepts: (event) => event.type === 'order.paid' && event.provider === 'manual',
  async deliver(tem, { event }) {
    if (event.type !== 'order.paid' || event.provider !== 'manual') return;
    await tem.execute(
      `update payment set status = 'SUCCEEDED', confirmation_url = null, updated_at = now()
        where order_id = ? and company_id = ? and provider = 'manual' and status = 'PENDING'`,
      [event.orderId, event.companyId],
    );
  },
};
