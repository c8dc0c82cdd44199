// The customer's mail when their order is paid: for each AR item of the order, its viewer link and QR code (the
// customer-link mail the operators' "Send to customer" sends), in the customer's language (else the company's).
import type { DomainEvent } from '@arvlite/contract';
import { queueMail } from '../mail/queue-mail.ts';
import type { OutboxConsumer } from './consumer.ts';

interface Row {
  ar_content_id: string;
  public_id: string;
  title: string;
  customer_name: string;
  customer_email: string | null;
  customer_language: string | null;
  company_language: string;
}

export const orderMailConsumer: OutboxConsumer = {
  name: 'order-mail',
  accepts: (event: DomainEvent) => event.type === 'order.paid',
  async deliver(tem, { id, event }, log) {
    if (event.type !== 'order.paid') return;
    // One mail per live AR item of the order (an item bound by two lines is mailed once).
    const rows = await tem.execute<Row[]>(
      `select distinct c.id as ar_content_id, c.public_id, c.title, o.customer_name, o.customer_email,
              o.customer_language, co.language as company_language
         from customer_order o
         join company co on co.id = o.company_id
         join order_item i on i.order_id = o.id
         join ar_content c on c.id = i.ar_content_id and c.deleted_at is null and c.archived_at is null
        where o.id = ? and o.company_id = ?
        order by c.id`,
      [event.orderId, event.companyId],
    );
    for (const r of rows) {
      if (!r.customer_email) {
        log.info({ orderId: event.orderId }, 'order paid: the customer has no email; no viewer link mailed');
        return;
      }
      const language = (r.customer_language ?? r.company_language) === 'ru' ? 'ru' : 'en';
      await queueMail(tem, {
        kind: 'customer-link',
        to: r.customer_email,
        language,
        companyId: event.companyId,
        params: {
          arContentId: r.ar_content_id,
          publicId: r.public_id,
          title: r.title.slice(0, 200),
          customerName: r.customer_name.slice(0, 200) || null,
        },
        dedupeKey: `outbox:${id}:order-paid:${r.ar_content_id}`,
      });
      await tem.execute('update ar_content set customer_link_sent_at = now(), customer_link_sent_to = ? where id = ?', [
        r.customer_email,
        r.ar_content_id,
      ]);
    }
  },
};
