// The webhooks section of the OpenAPI document: one entry per event, its versioned payload, the Standard Webhooks
// headers, and what the receiver should answer.
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, webhookPayloadSchemas } from '@arvlite/contract';
import type { OpenApiExtension } from '../rest/openapi.ts';

const schemaName = (type: string) =>
  `Webhook_${type
    .split(/[.-]/)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')}`;

const header = (name: string, description: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
});

const HEADERS = [
  header('webhook-id', 'Message id (msg_…): the same on every retry and replay of this message; deduplicate on it.'),
  header('webhook-timestamp', 'Unix seconds when this attempt was signed; refuse messages far from your clock.'),
  header(
    'webhook-signature',
    'Space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, one per active secret ' +
      '(two for 24 hours after a rotation). Verify with any Standard Webhooks library and the endpoint secret (whsec_…).',
  ),
  header(
    'webhook-sequence',
    'Increasing number per endpoint in the order messages were created (gaps possible). Retries can arrive after ' +
      'newer messages: compare sequences to detect an older message.',
  ),
];

export function webhookOpenApi(): OpenApiExtension {
  const types = [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT] as (keyof typeof webhookPayloadSchemas)[];
  return {
    schemas: Object.fromEntries(types.map((t) => [schemaName(t), webhookPayloadSchemas[t]])),
    tags: [
      {
        name: 'webhooks',
        description:
          'Signed POSTs (Standard Webhooks) to the endpoints configured in the dashboard or with webhook.create. ' +
          'Answer 2xx within the timeout (10 s by default). Failures are retried for about 24 hours (30 s, 2 min, ' +
          '10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h); after the last, the endpoint is disabled. 410 Gone disables it at once. ' +
          'Redirects are not followed.',
      },
    ],
    webhooks: Object.fromEntries(
      types.map((t) => [
        t,
        {
          post: {
            tags: ['webhooks'],
            operationId: `webhook_${t.replace(/[.-]/g, '_')}`,
            summary: webhookPayloadSchemas[t].shape.data.description ?? t,
            parameters: HEADERS,
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(t)}` } } },
            },
            responses: {
              '2XX': { description: 'Received. Any other answer (or none within the timeout) is retried.' },
              '410': { description: 'Gone: the endpoint is disabled and receives nothing more.' },
            },
          },
        },
      ]),
    ),
  };
}
