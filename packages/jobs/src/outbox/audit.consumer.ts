// The audit log's view of events: what the system (not a person) changed. The API audits its own changes with the
// caller as actor in the caller's transaction, so member events are not written a second time here.
import type { DomainEvent } from '@arvlite/contract';
import { AuditLog } from '@arvlite/db';
import type { OutboxConsumer } from './consumer.ts';

interface Entry {
  targetType: string;
  targetId: string;
  changes: Record<string, { from: unknown; to: unknown }>;
}

const set = (to: unknown) => ({ from: null, to });

function entryOf(event: DomainEvent): Entry | null {
  switch (event.type) {
    case 'video.ready':
      return { targetType: 'video', targetId: event.videoId, changes: { status: { from: 'PROCESSING', to: 'READY' } } };
    case 'video.failed':
      return {
        targetType: 'video',
        targetId: event.videoId,
        changes: {
          status: set('FAILED'),
          failureCode: set(event.reason),
          ...(event.step ? { step: set(event.step) } : {}),
        },
      };
    case 'marker.published':
      return {
        targetType: 'ar-content',
        targetId: event.arContentId,
        changes: { markerRevision: set(event.revision) },
      };
    case 'marker.failed':
      return {
        targetType: 'ar-content',
        targetId: event.arContentId,
        changes: { markerRevision: set(event.revision), markerFailureCode: set(event.reason) },
      };
    case 'marker.awaiting-confirmation':
      return {
        targetType: 'ar-content',
        targetId: event.arContentId,
        changes: { markerAwaitingRevision: set(event.revision), headOn30cmRate: set(event.headOn30cmRate) },
      };
    case 'marker.measured':
      return {
        targetType: 'ar-content',
        targetId: event.arContentId,
        changes: { markerReportRevision: set(event.revision), detectionScore: set(event.detectionScore) },
      };
    case 'ar-content.expiring':
    case 'ar-content.expired':
      return { targetType: 'ar-content', targetId: event.arContentId, changes: { expiresAt: set(event.expiresAt) } };
    case 'quota.warning':
      return {
        targetType: 'company',
        targetId: event.companyId,
        changes: {
          quotaWarningPercent: set(event.thresholdPercent),
          storageUsedBytes: set(event.usedBytes),
          storageQuotaBytes: set(event.quotaBytes),
        },
      };
    case 'webhook.endpoint-disabled':
      return {
        targetType: 'webhook-endpoint',
        targetId: event.endpointId,
        changes: { enabled: { from: true, to: false }, disabledReason: set(event.reason) },
      };
    // Orders are audited by the API in the transaction that changes them, with the caller (or the payment provider)
    // as actor: recordOrderPayment and the order procedures write those rows. A stored invoice PDF (invoice.rendered)
    // changes nothing anyone did; the invoice was audited when it was issued. The API audits a customer upload's
    // completion in the transaction that uses the upload link up.
    case 'order.placed':
    case 'order.paid':
    case 'order.cancelled':
    case 'order.in-production':
    case 'order.shipped':
    case 'order.delivered':
    case 'order.refunded':
    case 'invoice.issued':
    case 'invoice.rendered':
    case 'member.invited':
    case 'member.joined':
    case 'user.verification-requested':
    case 'customer-upload.completed':
    case 'view.first-frame': // a view's first frame is analytics, not a change anyone made
      return null;
  }
}

export const auditConsumer: OutboxConsumer = {
  name: 'audit',
  accepts: (event) => entryOf(event) !== null,
  async deliver(tem, { id, event }) {
    const entry = entryOf(event);
    if (!entry || !('companyId' in event)) return;
    tem.create(AuditLog, {
      companyId: event.companyId,
      // No actor: the worker made this change.
      actorId: null,
      action: event.type,
      targetType: entry.targetType,
      targetId: entry.targetId,
      changes: entry.changes,
      // Ties the row to the event that caused it.
      requestId: `outbox:${id}`,
      ip: null,
      userAgent: null,
    });
    await tem.flush();
  },
};
