// Outbound webhooks: a company's endpoints, one delivery per (message, endpoint), and each delivery's attempts.
import {
  WEBHOOK_DELIVERY_SOURCES,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_DISABLED_REASONS,
  type WEBHOOK_EVENT_TYPES,
} from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { CompanySchema } from './company.entity.ts';

/**
 * A receiver URL, the events it wants, and its signing secret. Secrets are kept encrypted (AES-256-GCM, key derived
 * from the root secret), never hashed: every delivery must sign with them. A rotated-out secret keeps signing next to
 * the new one until `previousSecretExpiresAt`.
 */
export const WebhookEndpointSchema = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoint',
  indexes: [{ properties: ['company', 'createdAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    url: p.string().length(2048),
    description: p.string().length(500).nullable(),
    /** The event types delivered here (a subset of WEBHOOK_EVENT_TYPES). */
    events: p.json<(typeof WEBHOOK_EVENT_TYPES)[number][]>(),
    enabled: p.boolean().default(true),
    disabledReason: p.enum(WEBHOOK_DISABLED_REASONS).nullable(),
    disabledAt: p.datetime().nullable(),
    /** `v1.<iv>.<ciphertext>`: the current secret, encrypted and bound to this endpoint's id. */
    secretEncrypted: p.string().length(512),
    previousSecretEncrypted: p.string().length(512).nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    /** The last sequence number given to a delivery of this endpoint (sent as `webhook-sequence`). */
    lastSequence: p.bigint('number').default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class WebhookEndpoint extends WebhookEndpointSchema.class {}
WebhookEndpointSchema.setClass(WebhookEndpoint);

/**
 * One message to one endpoint and what became of it. `body` is kept as sent (the exact bytes signed), so a replay
 * sends the same body under the same `webhook-id`. An event makes at most one EVENT delivery per endpoint.
 */
export const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_delivery',
  indexes: [
    { properties: ['endpoint', 'createdAt'] },
    {
      name: 'webhook_delivery_event_unique',
      expression:
        'create unique index "webhook_delivery_event_unique" on "webhook_delivery" ("endpoint_id", "event_id") where "source" = \'EVENT\'',
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    endpoint: () => p.manyToOne(WebhookEndpointSchema).deleteRule('cascade'),
    companyId: p.uuid(),
    source: p.enum(WEBHOOK_DELIVERY_SOURCES),
    /** The outbox event id (EVENT and its replays). */
    eventId: p.bigint('string').nullable(),
    eventType: p.string().length(64),
    /** The `webhook-id` header: the same for a replay as for the delivery it replays. */
    messageId: p.string().length(64),
    /** The endpoint's sequence number of this message (`webhook-sequence`); a replay keeps its original's. */
    sequence: p.bigint('number'),
    body: p.text(),
    replayOf: p.uuid().nullable(),
    status: p.enum(WEBHOOK_DELIVERY_STATUSES).default('PENDING'),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastError: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
  },
});
export class WebhookDelivery extends WebhookDeliverySchema.class {}
WebhookDeliverySchema.setClass(WebhookDelivery);

/** One HTTP attempt of a delivery: when, how long, the status or the error, and the start of the answer. */
export const WebhookAttemptSchema = defineEntity({
  name: 'WebhookAttempt',
  tableName: 'webhook_attempt',
  indexes: [{ properties: ['delivery', 'attempt'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    delivery: () => p.manyToOne(WebhookDeliverySchema).deleteRule('cascade'),
    attempt: p.integer(),
    startedAt: p.datetime(),
    durationMs: p.integer(),
    /** The receiver's status; null when no answer came (timeout, refused address, network error). */
    statusCode: p.integer().nullable(),
    error: p.string().length(500).nullable(),
    /** At most a few KB of the answer's body, as text. */
    responseExcerpt: p.text().nullable(),
  },
});
export class WebhookAttempt extends WebhookAttemptSchema.class {}
WebhookAttemptSchema.setClass(WebhookAttempt);
