// The events the platform announces ("something happened"): written to the outbox by emit(), read by every consumer.
// Each carries the company (account events: the user) and the ids it concerns, nothing more: consumers load what they
// need, and no personal data travels in an event (an invitation's email stays on the invitation).
import { z } from 'zod';
import { ROLES } from './roles.ts';

/** A reason code such as ENCODE_FAILED or NO_FEATURES (see VIDEO_FAILURE_CODES and MARKER_FAILURE_CODES). Open on purpose: an event must never stop a failure from being recorded. */
const reasonCode = z
  .string()
  .max(64)
  .regex(/^[A-Z][A-Z0-9_]*$/);
const isoDateTime = z.iso.datetime({ offset: true });

const video = { companyId: z.uuid(), projectId: z.uuid(), videoId: z.uuid() };
const arContent = { companyId: z.uuid(), projectId: z.uuid(), arContentId: z.uuid() };
const order = { companyId: z.uuid(), projectId: z.uuid(), orderId: z.uuid() };

export const domainEventSchema = z.discriminatedUnion('type', [
  /** Processing finished: the video plays everywhere. */
  z.strictObject({ type: z.literal('video.ready'), ...video }),
  /** The video will not play: processing or its upload failed for good. */
  z.strictObject({
    type: z.literal('video.failed'),
    ...video,
    reason: reasonCode,
    /** The processing step that failed, when one did (e.g. `rendition:720p`). */
    step: z.string().max(64).nullable(),
  }),
  /** A marker revision was compiled and now serves scans. */
  z.strictObject({
    type: z.literal('marker.published'),
    ...arContent,
    revision: z.int().min(1),
    /** The published marker's trackability (0–100) and rating (good, fair, poor, unusable); absent in older events. */
    score: z.int().min(0).max(100).nullable().optional(),
    rating: z.string().max(16).nullable().optional(),
  }),
  /** A marker revision could not be made; an older published marker, if any, stays in service. */
  z.strictObject({ type: z.literal('marker.failed'), ...arContent, revision: z.int().min(1), reason: reasonCode }),
  /**
   * A marker revision compiled but failed the detection gate (not detected head-on at 30 cm at its printed size): it is
   * not published until an editor confirms it (`arContent.confirmMarker`); an older published marker stays in service.
   */
  z.strictObject({
    type: z.literal('marker.awaiting-confirmation'),
    ...arContent,
    revision: z.int().min(1),
    /** Share of the gate's views in which it was detected, 0–1. */
    headOn30cmRate: z.number().min(0).max(1),
  }),
  /**
   * The detection report of the published marker revision was measured (marker:report): its calibrated 0–100 score
   * (markerDetectionScore). Announced once per revision.
   */
  z.strictObject({
    type: z.literal('marker.measured'),
    ...arContent,
    revision: z.int().min(1),
    detectionScore: z.int().min(0).max(100),
  }),
  /**
   * The item stops showing within `thresholdDays` (one of its company's reminder days: 30, 7 and 1 by default);
   * announced once per item, expiry date and threshold. Older events have no threshold (then: within a week).
   */
  z.strictObject({
    type: z.literal('ar-content.expiring'),
    ...arContent,
    expiresAt: isoDateTime,
    thresholdDays: z.int().min(1).max(365).optional(),
  }),
  /** The item's end date passed: viewers now see EXPIRED. */
  z.strictObject({ type: z.literal('ar-content.expired'), ...arContent, expiresAt: isoDateTime }),
  /** The company's stored bytes crossed a share of its quota, 80 % or 100 % (once per upward crossing). */
  z.strictObject({
    type: z.literal('quota.warning'),
    companyId: z.uuid(),
    /** 80 and 100 (95 in events written before the 100 % warning existed). */
    thresholdPercent: z.union([z.literal(80), z.literal(95), z.literal(100)]),
    usedBytes: z.int().min(0),
    quotaBytes: z.int().min(0),
  }),
  /** Someone was invited; the invitation holds the address. */
  z.strictObject({
    type: z.literal('member.invited'),
    companyId: z.uuid(),
    invitationId: z.uuid(),
    role: z.enum(ROLES),
    invitedByUserId: z.uuid(),
  }),
  /** An invitation was accepted: a new membership. */
  z.strictObject({
    type: z.literal('member.joined'),
    companyId: z.uuid(),
    invitationId: z.uuid(),
    membershipId: z.uuid(),
    userId: z.uuid(),
    role: z.enum(ROLES),
  }),
  /**
   * A user asked to verify their email (or signed up). No company, and no token: the mailer derives the link's token
   * from `tokenId` with the servers' key (never from the event alone), and reads the address from the token row.
   */
  z.strictObject({ type: z.literal('user.verification-requested'), userId: z.uuid(), tokenId: z.uuid() }),
  /** A customer's upload through an upload link completed; the video is processed and waits for an operator's approval. */
  z.strictObject({
    type: z.literal('customer-upload.completed'),
    ...arContent,
    videoId: z.uuid(),
    linkId: z.uuid(),
  }),
  /** A webhook endpoint was switched off by the platform: its receiver answered 410 Gone, or a delivery failed for 24 hours. */
  z.strictObject({
    type: z.literal('webhook.endpoint-disabled'),
    companyId: z.uuid(),
    endpointId: z.uuid(),
    reason: z.enum(['GONE', 'FAILING']),
  }),
  /** An order left DRAFT: its lines and totals are fixed, awaiting payment. */
  z.strictObject({ type: z.literal('order.placed'), ...order }),
  /** An order was paid in full (a provider confirmed it, or an admin marked it paid); its invoice is issued. */
  z.strictObject({
    type: z.literal('order.paid'),
    ...order,
    amountMinor: z.int().min(0),
    currency: z.string().length(3),
    provider: z.string().max(32),
  }),
  /** A DRAFT or PLACED order was cancelled. */
  z.strictObject({ type: z.literal('order.cancelled'), ...order }),
  /** A paid order went into production (printing). */
  z.strictObject({ type: z.literal('order.in-production'), ...order }),
  /** An order was shipped. */
  z.strictObject({ type: z.literal('order.shipped'), ...order }),
  /** An order was delivered. */
  z.strictObject({ type: z.literal('order.delivered'), ...order }),
  /** Money was given back: part of it (the order keeps its state) or all of it (the order is REFUNDED). */
  z.strictObject({
    type: z.literal('order.refunded'),
    ...order,
    amountMinor: z.int().min(1),
    refundedMinor: z.int().min(1),
    full: z.boolean(),
    creditNoteId: z.uuid(),
  }),
  /** An invoice or credit note got its number; its PDF is rendered from it. */
  z.strictObject({
    type: z.literal('invoice.issued'),
    ...order,
    invoiceId: z.uuid(),
    kind: z.enum(['INVOICE', 'CREDIT_NOTE']),
  }),
  /** An invoice's or credit note's PDF was stored (once; the object is never replaced); the customer is mailed a link. */
  z.strictObject({
    type: z.literal('invoice.rendered'),
    ...order,
    invoiceId: z.uuid(),
    kind: z.enum(['INVOICE', 'CREDIT_NOTE']),
  }),
  /**
   * A view's video showed its first frame (announced once per view session, never per frame): its times from the page
   * opening, for the metrics of time to first frame. `detectedMs` is null for the plain player.
   */
  z.strictObject({
    type: z.literal('view.first-frame'),
    ...arContent,
    sessionId: z.uuid(),
    platform: z.enum(['ios', 'android', 'web', 'other']),
    firstFrameMs: z.int().min(0).max(86_400_000),
    detectedMs: z.int().min(0).max(86_400_000).nullable(),
  }),
]);

export type DomainEvent = z.output<typeof domainEventSchema>;
export type DomainEventType = DomainEvent['type'];
/** One event type's shape, e.g. `DomainEventOf<'video.failed'>`. */
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export const DOMAIN_EVENT_TYPES = domainEventSchema.options.map((o) => o.shape.type.value) as DomainEventType[];

/** The quota shares that raise a quota.warning, lowest first. */
export const QUOTA_WARNING_PERCENTS = [80, 100] as const;
