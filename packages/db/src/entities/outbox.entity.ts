// The transactional outbox: events written in the transaction of the change they describe, and what each consumer has done with them.
import { defineEntity, p } from '@mikro-orm/core';

/**
 * One event, committed with the change it describes. `id` is the delivery order; the dispatcher hands events to
 * consumers in id order. Ids are plain columns (no foreign keys) so events outlive what they concern.
 */
export const OutboxEventSchema = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  indexes: [
    // The dispatcher and the sweep read only events not yet delivered to every consumer.
    {
      name: 'outbox_event_pending_index',
      expression: 'create index "outbox_event_pending_index" on "outbox_event" ("id") where "delivered_at" is null',
    },
    { properties: ['companyId', 'createdAt'] },
  ],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    type: p.string().length(64),
    /** Null for events about an account rather than a company (e.g. user.verification-requested). */
    companyId: p.uuid().nullable(),
    /** What the event is about (video, ar-content, company, membership, invitation): one ordered stream per aggregate. */
    aggregateType: p.string().length(32),
    aggregateId: p.string().length(64),
    /** The whole event as validated by the contract's schema. */
    payload: p.json<Record<string, unknown>>(),
    /** Events meant to happen once per fact (e.g. "expires on this date") carry a key; a second emit is a no-op. */
    dedupeKey: p.string().length(200).nullable().unique(),
    /** Failed dispatch attempts, and the last error, for operators. */
    attempts: p.integer().default(0),
    lastError: p.string().length(1000).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    /** Set once every registered consumer has recorded its delivery. */
    deliveredAt: p.datetime().nullable(),
  },
});
export class OutboxEvent extends OutboxEventSchema.class {}
OutboxEventSchema.setClass(OutboxEvent);

/** One consumer's effect of one event, written in the same transaction as that effect: a redelivery finds it and skips. */
export const OutboxDeliverySchema = defineEntity({
  name: 'OutboxDelivery',
  tableName: 'outbox_delivery',
  properties: {
    event: () => p.manyToOne(OutboxEventSchema).primary().deleteRule('cascade'),
    consumer: p.string().length(64).primary(),
    deliveredAt: p.datetime().defaultRaw('now()'),
  },
});
export class OutboxDelivery extends OutboxDeliverySchema.class {}
OutboxDeliverySchema.setClass(OutboxDelivery);
