// Webhooks from events: one delivery per enabled endpoint of the event's company that subscribed to its type.
import { isWebhookEventType } from '@arvlite/contract';
import { eventBody } from '@arvlite/webhooks';
import { queueWebhookDelivery } from '../webhooks/webhook-deliveries.ts';
import type { OutboxConsumer } from './consumer.ts';

export const webhookConsumer: OutboxConsumer = {
  name: 'webhooks',
  accepts: (event) => isWebhookEventType(event.type),
  async deliver(tem, { id, createdAt, event }, log) {
    if (!isWebhookEventType(event.type) || !('companyId' in event)) return;
    // Locked in id order, so two dispatchers (or an API replay) never deadlock over the same endpoints.
    const endpoints = await tem.execute<{ id: string }[]>(
      `select id from webhook_endpoint where company_id = ? and enabled and events @> ?::jsonb order by id for update`,
      [event.companyId, JSON.stringify([event.type])],
    );
    if (endpoints.length === 0) return;
    const body = eventBody(id, createdAt, event as Parameters<typeof eventBody>[2]);
    for (const endpoint of endpoints) {
      await queueWebhookDelivery(tem, {
        endpointId: endpoint.id,
        source: 'EVENT',
        eventId: id,
        eventType: event.type,
        body,
      });
    }
    log.debug({ endpoints: endpoints.length }, 'webhook deliveries queued');
  },
};
