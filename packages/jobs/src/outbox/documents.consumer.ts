// Documents that follow from events: an issued invoice or credit note gets its PDF rendered (invoice:render), and a
// rendered one is mailed to the customer (invoice:mail, which holds the key its capability link is derived with).
import type { DomainEvent } from '@arvlite/contract';
import { enqueue } from '../enqueue.ts';
import type { OutboxConsumer } from './consumer.ts';

export const documentsConsumer: OutboxConsumer = {
  name: 'documents',
  accepts: (event: DomainEvent) => event.type === 'invoice.issued' || event.type === 'invoice.rendered',
  async deliver(tem, { event }) {
    if (event.type === 'invoice.issued') {
      await enqueue(tem, 'invoice:render', { invoiceId: event.invoiceId }, { maxAttempts: 10 });
    } else if (event.type === 'invoice.rendered') {
      await enqueue(tem, 'invoice:mail', { invoiceId: event.invoiceId }, { maxAttempts: 10 });
    }
  },
};
