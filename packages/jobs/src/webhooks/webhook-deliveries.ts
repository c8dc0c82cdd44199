// Queues webhook deliveries: one row per message and endpoint, with its webhook:deliver job, in the caller's
// transaction. Loads no HTTP client; the sending is the webhook:deliver task's.
import type { EntityManager } from '@arvlite/db';
import { enqueue } from '../enqueue.ts';

/** Deliveries of one endpoint share a graphile-worker queue: one request at a time per receiver, first attempts in order. */
export function webhookQueue(endpointId: string): string {
  return `webhook:${endpointId}`;
}

/** graphile-worker attempts per job: only for crashes and database errors; HTTP failures are rescheduled by the task. */
export const WEBHOOK_JOB_MAX_ATTEMPTS = 3;

export interface NewDelivery {
  endpointId: string;
  source: 'EVENT' | 'TEST' | 'REPLAY';
  eventId: string | null;
  eventType: string;
  body: string;
  /** Replays reuse the original's message id and sequence. */
  replay?: { of: string; messageId: string; sequence: number };
}

/**
 * Inserts a PENDING delivery and queues its first attempt. New messages take the endpoint's next sequence number
 * (`webhook-sequence`), assigned under the endpoint's row lock so numbers follow the order of the transactions.
 * Returns null when the event was already queued for this endpoint.
 */
export async function queueWebhookDelivery(tem: EntityManager, d: NewDelivery): Promise<{ id: string } | null> {
  const id = crypto.randomUUID();
  const messageId = d.replay?.messageId ?? `msg_${id.replaceAll('-', '')}`;
  const rows = await tem.execute<{ id: string }[]>(
    `with ep as (
       update webhook_endpoint set last_sequence = last_sequence + case when ?::bigint is null then 1 else 0 end
        where id = ?::uuid returning id, company_id, last_sequence
     )
     insert into webhook_delivery (id, endpoint_id, company_id, source, event_id, event_type, message_id, sequence, body,
                                   replay_of, status, attempts, created_at)
     select ?::uuid, ep.id, ep.company_id, ?, ?::bigint, ?, ?, coalesce(?::bigint, ep.last_sequence), ?, ?::uuid,
            'PENDING', 0, clock_timestamp() from ep
     on conflict (endpoint_id, event_id) where source = 'EVENT' do nothing
     returning id::text as id`,
    [
      d.replay?.sequence ?? null,
      d.endpointId,
      id,
      d.source,
      d.eventId,
      d.eventType,
      messageId,
      d.replay?.sequence ?? null,
      d.body,
      d.replay?.of ?? null,
    ],
  );
  if (!rows[0]) return null;
  await enqueue(
    tem,
    'webhook:deliver',
    { deliveryId: id },
    { queueName: webhookQueue(d.endpointId), maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS },
  );
  return { id };
}
