// Outbound webhooks: the events an endpoint can subscribe to and the versioned payload each one carries.
// The payloads are the public contract with integrators: change a field only with a new `version`.
import { z } from 'zod';

/** Events an endpoint can subscribe to (its filter lists some of them). */
export const WEBHOOK_EVENT_TYPES = [
  'video.ready',
  'video.failed',
  'marker.published',
  'marker.failed',
  'marker.awaiting-confirmation',
  'ar-content.expiring',
  'ar-content.expired',
  'customer-upload.completed',
  'order.placed',
  'order.paid',
  'order.cancelled',
  'order.in-production',
  'order.shipped',
  'order.delivered',
  'order.refunded',
  'invoice.issued',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);

export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/** Sent by "send a test event" whatever the endpoint's filter. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** The payload format version; bumped only for a change that could break a receiver. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

export const WEBHOOK_DESCRIPTION_MAX = 500;
export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_MAX_ENDPOINTS_PER_COMPANY = 20;

/** Delivery states: PENDING (to send or retrying), SUCCEEDED (2xx), FAILED (gave up), CANCELLED (endpoint disabled or removed). */
export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** Why a delivery exists: an event, "send a test event", or a replay of an earlier delivery. */
export const WEBHOOK_DELIVERY_SOURCES = ['EVENT', 'TEST', 'REPLAY'] as const;
export type WebhookDeliverySource = (typeof WEBHOOK_DELIVERY_SOURCES)[number];

/** Why an endpoint is disabled: by a person, the receiver answered 410 Gone, or a delivery failed for 24 hours. */
export const WEBHOOK_DISABLED_REASONS = ['MANUAL', 'GONE', 'FAILING'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

const uuid = z.uuid();
const reasonCode = z.string().max(64);
const videoData = { companyId: uuid, projectId: uuid, videoId: uuid };
const arContentData = { companyId: uuid, projectId: uuid, arContentId: uuid };
const orderData = { companyId: uuid, projectId: uuid, orderId: uuid };

/** The `data` of each event type, version 1. */
export const webhookDataSchemas = {
  'video.ready': z.object(videoData).describe('Processing finished: the video plays everywhere.'),
  'video.failed': z
    .object({
      ...videoData,
      reason: reasonCode.describe('Failure code, e.g. ENCODE_FAILED, INVALID_MEDIA, UPLOAD_EXPIRED.'),
      step: z.string().max(64).nullable().describe('The processing step that failed, when one did.'),
    })
    .describe('The video will not play: processing or its upload failed for good.'),
  'marker.published': z
    .object({
      ...arContentData,
      revision: z.int().min(1),
      score: z.int().min(0).max(100).nullable().default(null).describe('Trackability of the marker, 0–100.'),
      rating: z.string().max(16).nullable().default(null).describe('good, fair or poor.'),
    })
    .describe('A marker revision was compiled and now serves scans.'),
  'marker.failed': z
    .object({ ...arContentData, revision: z.int().min(1), reason: reasonCode.describe('e.g. NO_FEATURES.') })
    .describe('A marker revision could not be made; an older published marker, if any, stays in service.'),
  'marker.awaiting-confirmation': z
    .object({
      ...arContentData,
      revision: z
        .int()
        .min(1)
        .describe('The held-back revision: confirm it with POST /ar-content/{id}/marker/confirm.'),
      headOn30cmRate: z
        .number()
        .min(0)
        .max(1)
        .describe('Share of the gate’s views (head-on, 30 cm, at its printed size) in which it was detected, 0–1.'),
    })
    .describe(
      'A marker revision compiled but is hardly detected (not head-on at 30 cm at its printed size): it is not published until an editor confirms it; an older published marker, if any, stays in service.',
    ),
  'ar-content.expiring': z
    .object({
      ...arContentData,
      expiresAt: z.iso.datetime({ offset: true }),
      thresholdDays: z
        .int()
        .min(1)
        .nullable()
        .default(null)
        .describe('The reminder this is (e.g. 30, 7 or 1 days before the end).'),
    })
    .describe('The item stops showing soon (sent once per item, end date and reminder).'),
  'ar-content.expired': z
    .object({ ...arContentData, expiresAt: z.iso.datetime({ offset: true }) })
    .describe('The item’s end date passed: viewers now see EXPIRED.'),
  'customer-upload.completed': z
    .object({
      ...arContentData,
      videoId: uuid.describe('The video the customer uploaded; it is processed, and not live until approved.'),
      linkId: uuid.describe('The upload link it came through (now used up).'),
    })
    .describe('A customer uploaded the video of an AR content item through an upload link.'),
  'order.placed': z.object(orderData).describe('An order left DRAFT: its lines and totals are fixed.'),
  'order.paid': z
    .object({
      ...orderData,
      amountMinor: z.int().min(0).describe('What was paid, in minor units of the currency (kopecks, cents).'),
      currency: z.string().length(3).describe('ISO 4217 code, e.g. RUB.'),
      provider: z.string().max(32).describe('manual, yookassa or stripe.'),
    })
    .describe('An order was paid in full; its invoice is issued and its AR items are valid for the paid term.'),
  'order.cancelled': z.object(orderData).describe('An order was cancelled before payment.'),
  'order.in-production': z.object(orderData).describe('A paid order went into production.'),
  'order.shipped': z.object(orderData).describe('An order was shipped.'),
  'order.delivered': z.object(orderData).describe('An order was delivered.'),
  'order.refunded': z
    .object({
      ...orderData,
      amountMinor: z.int().min(1).describe('This refund, in minor units.'),
      refundedMinor: z.int().min(1).describe('Everything refunded on the order so far, in minor units.'),
      full: z.boolean().describe('True when the whole payment is refunded (the order is REFUNDED).'),
      creditNoteId: uuid.describe('The credit note issued for this refund.'),
    })
    .describe('Money was given back on an order, in part or in full.'),
  'invoice.issued': z
    .object({ ...orderData, invoiceId: uuid, kind: z.enum(['INVOICE', 'CREDIT_NOTE']) })
    .describe('An invoice (on payment) or a credit note (on a refund) got its number.'),
  'webhook.test': z
    .object({ endpointId: uuid, message: z.string() })
    .describe('Sent by “send a test event” in the dashboard or webhook.sendTest.'),
} as const;

/** Every webhook body: `{ type, version, id, timestamp, data }`. */
function envelope<T extends keyof typeof webhookDataSchemas>(type: T) {
  return z.object({
    type: z.literal(type),
    version: z.literal(WEBHOOK_PAYLOAD_VERSION),
    id: z.string().describe('The event id (evt_…): the same in every delivery of this event, to any endpoint.'),
    timestamp: z.iso.datetime({ offset: true }).describe('When the event happened.'),
    data: webhookDataSchemas[type],
  });
}

/** The body of each event type's webhook, version 1. */
export const webhookPayloadSchemas = {
  'video.ready': envelope('video.ready'),
  'video.failed': envelope('video.failed'),
  'marker.published': envelope('marker.published'),
  'marker.failed': envelope('marker.failed'),
  'marker.awaiting-confirmation': envelope('marker.awaiting-confirmation'),
  'ar-content.expiring': envelope('ar-content.expiring'),
  'ar-content.expired': envelope('ar-content.expired'),
  'customer-upload.completed': envelope('customer-upload.completed'),
  'order.placed': envelope('order.placed'),
  'order.paid': envelope('order.paid'),
  'order.cancelled': envelope('order.cancelled'),
  'order.in-production': envelope('order.in-production'),
  'order.shipped': envelope('order.shipped'),
  'order.delivered': envelope('order.delivered'),
  'order.refunded': envelope('order.refunded'),
  'invoice.issued': envelope('invoice.issued'),
  'webhook.test': envelope('webhook.test'),
};

const p = webhookPayloadSchemas;
export const webhookPayloadSchema = z.discriminatedUnion('type', [
  p['video.ready'],
  p['video.failed'],
  p['marker.published'],
  p['marker.failed'],
  p['marker.awaiting-confirmation'],
  p['ar-content.expiring'],
  p['ar-content.expired'],
  p['customer-upload.completed'],
  p['order.placed'],
  p['order.paid'],
  p['order.cancelled'],
  p['order.in-production'],
  p['order.shipped'],
  p['order.delivered'],
  p['order.refunded'],
  p['invoice.issued'],
  p['webhook.test'],
]);
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;
