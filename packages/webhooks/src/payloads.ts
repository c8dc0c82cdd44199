// The bodies the platform sends, built from outbox events, and their JSON Schemas for the API documentation.
import {
  WEBHOOK_PAYLOAD_VERSION,
  WEBHOOK_TEST_EVENT,
  webhookDataSchemas,
  webhookPayloadSchemas,
  type DomainEvent,
  type WebhookEventType,
} from '@arvlite/contract';

/** The payload `id` of an outbox event: the same for every endpoint that receives it. */
export function webhookEventId(outboxId: string): string {
  return `evt_${outboxId}`;
}

/**
 * The body of an event's webhook: `{ type, version, id, timestamp, data }`. `data` holds the documented fields only
 * (parsed with the version's schema), so a field added to an internal event never reaches receivers unannounced.
 */
export function eventBody(outboxId: string, createdAt: Date, event: DomainEvent & { type: WebhookEventType }): string {
  const { type, ...fields } = event;
  return JSON.stringify({
    type,
    version: WEBHOOK_PAYLOAD_VERSION,
    id: webhookEventId(outboxId),
    timestamp: createdAt.toISOString(),
    data: webhookDataSchemas[type].parse(fields),
  });
}

/** The body of "send a test event". */
export function testBody(endpointId: string, id: string, at: Date): string {
  return JSON.stringify({
    type: WEBHOOK_TEST_EVENT,
    version: WEBHOOK_PAYLOAD_VERSION,
    id: `evt_test_${id}`,
    timestamp: at.toISOString(),
    data: { endpointId, message: 'This is a test event from ARVlite.' },
  });
}

/**
 * JSON Schema (draft 2020-12) of every payload, by event type: for the OpenAPI document's `webhooks` section or for
 * integrators who validate what they receive.
 */
export function webhookPayloadJsonSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(webhookPayloadSchemas).map(([type, schema]) => [
      type,
      schema.toJSONSchema({ target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>,
    ]),
  );
}
