// emit(): records that something happened, in the caller's transaction, and wakes the dispatcher with it.
import { domainEventSchema, type DomainEvent, type DomainEventType } from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import { enqueue } from '../enqueue.ts';

/** One graphile queue runs every dispatch job, one at a time: events leave in the order they were written. */
export const OUTBOX_QUEUE = 'outbox';

interface Stream {
  /** The events of one aggregate are delivered in order; a failing event holds back later ones of its aggregate only. */
  aggregate: readonly [type: string, id: string];
  /** Set for facts announced once (a second emit of the same key is a no-op). */
  dedupeKey?: string;
}

/** Where each event type belongs; the only place that names aggregates and dedupe keys. */
export function streamOf(event: DomainEvent): Stream {
  switch (event.type) {
    case 'video.ready':
    case 'video.failed':
      return { aggregate: ['video', event.videoId] };
    case 'marker.published':
    case 'marker.failed':
    case 'marker.awaiting-confirmation':
    case 'ar-content.expired':
      return { aggregate: ['ar-content', event.arContentId] };
    case 'marker.measured':
      // A report job run again measures again: its revision is announced once.
      return {
        aggregate: ['ar-content', event.arContentId],
        dedupeKey: `marker.measured:${event.arContentId}:${event.revision}`,
      };
    case 'ar-content.expiring':
      return {
        aggregate: ['ar-content', event.arContentId],
        // Once per item, expiry date and reminder threshold (events from before thresholds keep their old key).
        dedupeKey:
          `ar-content.expiring:${event.arContentId}:${new Date(event.expiresAt).toISOString()}` +
          (event.thresholdDays === undefined ? '' : `:${event.thresholdDays}d`),
      };
    case 'quota.warning':
      return { aggregate: ['company', event.companyId] };
    case 'member.invited':
    case 'member.joined':
      return { aggregate: ['invitation', event.invitationId] };
    case 'user.verification-requested':
      return { aggregate: ['user', event.userId] };
    case 'webhook.endpoint-disabled':
      return { aggregate: ['webhook-endpoint', event.endpointId] };
    case 'customer-upload.completed':
      // A link is used once: its completion is announced once.
      return {
        aggregate: ['ar-content', event.arContentId],
        dedupeKey: `customer-upload.completed:${event.linkId}`,
      };
    case 'order.placed':
    case 'order.cancelled':
    case 'order.in-production':
    case 'order.shipped':
    case 'order.delivered':
    case 'order.refunded':
    case 'invoice.issued':
      return { aggregate: ['order', event.orderId] };
    case 'invoice.rendered':
      // Rendered once per invoice: a second announcement (a re-run job) mails nobody again.
      return { aggregate: ['order', event.orderId], dedupeKey: `invoice.rendered:${event.invoiceId}` };
    case 'order.paid':
      // An order is paid once: a second confirmation (a provider's duplicate notification) announces nothing.
      return { aggregate: ['order', event.orderId], dedupeKey: `order.paid:${event.orderId}` };
    case 'view.first-frame':
      // One per view: the stage is recorded once, and a repeated announcement is a no-op.
      return { aggregate: ['view-session', event.sessionId], dedupeKey: `view.first-frame:${event.sessionId}` };
  }
}

export class InvalidEventError extends Error {
  constructor(detail: string) {
    super(`Invalid event: ${detail}`);
    this.name = 'InvalidEventError';
  }
}

/**
 * Writes a validated event into outbox_event and queues a dispatch, both on `tem`: pass the transactional
 * EntityManager of the change the event describes, so the event commits (or rolls back) with it. Emit after taking
 * the aggregate's row lock, so that two transactions on one aggregate number their events in commit order.
 * Returns the event id, or null when the event's dedupe key was already used.
 */
export async function emit<T extends DomainEventType>(
  tem: EntityManager,
  event: Extract<DomainEvent, { type: T }>,
): Promise<{ id: string } | null> {
  const parsed = domainEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  }
  const data = parsed.data;
  const { aggregate, dedupeKey } = streamOf(data);
  const rows = await tem.execute<{ id: string }[]>(
    `insert into outbox_event (type, company_id, aggregate_type, aggregate_id, payload, dedupe_key)
       values (?, ?, ?, ?, ?::jsonb, ?) on conflict (dedupe_key) do nothing returning id::text as id`,
    [
      data.type,
      'companyId' in data ? data.companyId : null,
      aggregate[0],
      aggregate[1],
      JSON.stringify(data),
      dedupeKey ?? null,
    ],
  );
  const id = rows[0]?.id;
  if (!id) return null;
  await enqueueDispatch(tem);
  return { id };
}

/**
 * Queues a dispatcher run. No job key on purpose: a shared key would make every emitting transaction wait for the
 * others to commit (graphile-worker locks the keyed job row); a run that finds nothing left to deliver ends at once.
 * Few attempts: the outbox:sweep cron queues a fresh run for events still pending once these are spent.
 */
export async function enqueueDispatch(em: EntityManager): Promise<void> {
  await enqueue(em, 'outbox:dispatch', {}, { queueName: OUTBOX_QUEUE, maxAttempts: 5 });
}
