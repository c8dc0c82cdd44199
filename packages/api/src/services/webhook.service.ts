// Webhook endpoints of a company (admins): create, edit, enable/disable, rotate the secret, the delivery log,
// "send a test event" and replays. Secrets are shown once, on creation and rotation, and kept encrypted.
import {
  WEBHOOK_MAX_ENDPOINTS_PER_COMPANY,
  type WebhookDeliveryStatus,
  type WebhookEventType,
} from '@arvlite/contract';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, type EntityManager } from '@arvlite/db';
import { queueWebhookDelivery } from '@arvlite/jobs';
import {
  checkUrl,
  encryptSecret,
  generateSecret,
  OutboundBlockedError,
  resolveChecked,
  SECRET_ROTATION_GRACE_MS,
  testBody,
  type OutboundPolicy,
} from '@arvlite/webhooks';
import type { Access } from '../access.ts';
import { actorOf as actor, audit, diff } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { findPage } from '../paginate.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'requestId' | 'ip' | 'userAgent'> & {
  access: Access;
} & Parameters<typeof actor>[0];

/** Attempts shown per delivery in the log (the latest). */
const ATTEMPTS_SHOWN = 5;
/** How long the check at save time waits for DNS (delivery checks again, every time). */
const SAVE_DNS_TIMEOUT_MS = 3000;

export function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    companyId: e.company.id,
    url: e.url,
    description: e.description ?? null,
    events: [...e.events] as WebhookEventType[],
    enabled: e.enabled,
    disabledReason: e.disabledReason ?? null,
    disabledAt: e.disabledAt ?? null,
    /** Until then the previous secret signs too (after a rotation). */
    previousSecretExpiresAt:
      e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date() ? e.previousSecretExpiresAt : null,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

function policyOf(ctx: Pick<Ctx, 'config'>): OutboundPolicy {
  return { allowLoopback: ctx.config.webhooks.allowLoopback };
}

/**
 * The URL rules at save time, as typed errors: a URL, https (plain http only on loopback where allowed), no
 * credentials, and a host that does not resolve to a forbidden address. A host that does not resolve yet is accepted;
 * every delivery resolves and checks again.
 */
async function checkEndpointUrl(ctx: Pick<Ctx, 'config'>, raw: string): Promise<string> {
  const policy = policyOf(ctx);
  try {
    const url = checkUrl(raw, policy);
    if (url.protocol === 'http:') {
      // Plain http is for loopback receivers only (development and tests).
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!['127.0.0.1', '::1', 'localhost'].includes(host) && !host.startsWith('127.')) {
        throw new OutboundBlockedError('NOT_HTTPS', 'Only https URLs are allowed (plain http only on loopback)');
      }
    }
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), SAVE_DNS_TIMEOUT_MS).unref());
    await Promise.race([resolveChecked(url, policy), timeout]);
    return url.toString();
  } catch (err) {
    if (!(err instanceof OutboundBlockedError)) throw err;
    if (err.reason === 'DNS_FAILED') return new URL(raw).toString();
    const reason =
      err.reason === 'NOT_HTTPS'
        ? 'WEBHOOK_URL_NOT_HTTPS'
        : err.reason === 'FORBIDDEN_ADDRESS'
          ? 'WEBHOOK_URL_FORBIDDEN_ADDRESS'
          : 'WEBHOOK_URL_INVALID';
    throw new ValidationError(err.message, { reason, field: 'url' });
  }
}

/** An endpoint of a company the caller administers; another company's id answers NOT_FOUND. */
async function endpointFor(ctx: Ctx, em: EntityManager, id: string): Promise<WebhookEndpoint> {
  const endpoint = await em.findOne(WebhookEndpoint, { id });
  if (!endpoint) throw new NotFoundError('Webhook endpoint');
  try {
    await ctx.access.company(endpoint.company.id);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('Webhook endpoint');
    throw err;
  }
  return endpoint;
}

function auditEndpoint(ctx: Ctx, em: EntityManager, e: WebhookEndpoint, action: string, changes?: object) {
  audit(em, actor(ctx), {
    companyId: e.company.id,
    action,
    targetType: 'webhook-endpoint',
    targetId: e.id,
    ...(changes ? { changes: changes as Record<string, unknown> } : {}),
  });
}

export async function listEndpoints(ctx: Ctx, input: { companyId: string }) {
  const { company } = await ctx.access.company(input.companyId);
  const endpoints = await ctx.em.find(WebhookEndpoint, { company }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return { items: endpoints.map(endpointView) };
}

export async function getEndpoint(ctx: Ctx, input: { id: string }) {
  return endpointView(await endpointFor(ctx, ctx.em, input.id));
}

export async function createEndpoint(
  ctx: Ctx,
  input: { companyId: string; url: string; events: WebhookEventType[]; description?: string; enabled?: boolean },
) {
  const { company } = await ctx.access.company(input.companyId);
  const url = await checkEndpointUrl(ctx, input.url);
  return ctx.em.transactional(async (tem) => {
    // The company row lock makes the count and the insert one step.
    await tem.execute('select id from company where id = ? for update', [company.id]);
    const count = await tem.count(WebhookEndpoint, { company: company.id });
    if (count >= WEBHOOK_MAX_ENDPOINTS_PER_COMPANY) {
      throw new ConflictError(`A company can have at most ${WEBHOOK_MAX_ENDPOINTS_PER_COMPANY} webhook endpoints`, {
        reason: 'WEBHOOK_ENDPOINT_LIMIT',
        limit: WEBHOOK_MAX_ENDPOINTS_PER_COMPANY,
      });
    }
    const id = crypto.randomUUID();
    const secret = generateSecret();
    const enabled = input.enabled ?? true;
    const endpoint = tem.create(WebhookEndpoint, {
      id,
      company: company.id,
      url,
      description: input.description ?? null,
      events: [...new Set(input.events)],
      enabled,
      disabledReason: enabled ? null : 'MANUAL',
      disabledAt: enabled ? null : new Date(),
      secretEncrypted: encryptSecret(ctx.config.webhooks.secretKey, id, secret),
      lastSequence: 0,
    });
    auditEndpoint(ctx, tem, endpoint, 'webhook.create', {
      url: { from: null, to: url },
      events: { from: null, to: endpoint.events },
      enabled: { from: null, to: enabled },
    });
    await tem.flush();
    return { endpoint: endpointView(endpoint), secret };
  });
}

export async function updateEndpoint(
  ctx: Ctx,
  input: { id: string; url?: string; events?: WebhookEventType[]; description?: string | null; enabled?: boolean },
) {
  // Access first: another company's id answers NOT_FOUND whatever the URL.
  await endpointFor(ctx, ctx.em, input.id);
  const url = input.url === undefined ? undefined : await checkEndpointUrl(ctx, input.url);
  return ctx.em.transactional(async (tem) => {
    const endpoint = await endpointFor(ctx, tem, input.id);
    const patch: Partial<WebhookEndpoint> = {};
    if (url !== undefined) patch.url = url;
    if (input.description !== undefined) patch.description = input.description;
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    const changes: Record<string, unknown> = diff(endpoint, patch);
    if (input.events !== undefined) {
      const events = [...new Set(input.events)];
      if (events.join() !== endpoint.events.join()) changes.events = { from: endpoint.events, to: events };
      endpoint.events = events;
    }
    tem.assign(endpoint, patch);
    if (input.enabled === true) {
      endpoint.disabledReason = null;
      endpoint.disabledAt = null;
    } else if (input.enabled === false && changes.enabled) {
      endpoint.disabledReason = 'MANUAL';
      endpoint.disabledAt = new Date();
      // What waits for its next attempt is dropped; a replay can send it later.
      await tem.execute(
        `update webhook_delivery set status = 'CANCELLED', next_attempt_at = null, completed_at = now()
          where endpoint_id = ? and status = 'PENDING' and source = 'EVENT'`,
        [endpoint.id],
      );
    }
    if (Object.keys(changes).length > 0) auditEndpoint(ctx, tem, endpoint, 'webhook.update', changes);
    await tem.flush();
    return endpointView(endpoint);
  });
}

export async function deleteEndpoint(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const endpoint = await endpointFor(ctx, tem, input.id);
    auditEndpoint(ctx, tem, endpoint, 'webhook.delete', { url: { from: endpoint.url, to: null } });
    // Deliveries and attempts go with it (foreign keys cascade); their jobs find nothing and end.
    await tem.execute('delete from webhook_endpoint where id = ?', [endpoint.id]);
    return { ok: true as const };
  });
}

/**
 * A new secret, shown once. The replaced one keeps signing next to it for 24 hours, so receivers can switch without
 * losing a delivery; rotating again within that time drops the older one.
 */
export async function rotateSecret(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const endpoint = await endpointFor(ctx, tem, input.id);
    const secret = generateSecret();
    const expiresAt = new Date(Date.now() + SECRET_ROTATION_GRACE_MS);
    endpoint.previousSecretEncrypted = endpoint.secretEncrypted;
    endpoint.previousSecretExpiresAt = expiresAt;
    endpoint.secretEncrypted = encryptSecret(ctx.config.webhooks.secretKey, endpoint.id, secret);
    auditEndpoint(ctx, tem, endpoint, 'webhook.rotate-secret', {
      previousSecretExpiresAt: { from: null, to: expiresAt.toISOString() },
    });
    await tem.flush();
    return { secret, previousSecretExpiresAt: expiresAt, endpoint: endpointView(endpoint) };
  });
}

function deliveryView(d: WebhookDelivery, attempts: WebhookAttempt[]) {
  return {
    id: d.id,
    endpointId: d.endpoint.id,
    source: d.source,
    eventType: d.eventType,
    messageId: d.messageId,
    sequence: d.sequence,
    status: d.status as WebhookDeliveryStatus,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt ?? null,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    replayOf: d.replayOf ?? null,
    createdAt: d.createdAt,
    completedAt: d.completedAt ?? null,
    /** The body as sent (the exact bytes signed). */
    body: d.body,
    recentAttempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      statusCode: a.statusCode ?? null,
      error: a.error ?? null,
      responseExcerpt: a.responseExcerpt ?? null,
    })),
  };
}

/** The endpoint's deliveries, newest first, each with its latest attempts. */
export async function listDeliveries(
  ctx: Ctx,
  input: { id: string; cursor?: string; limit: number; status?: WebhookDeliveryStatus },
) {
  const endpoint = await endpointFor(ctx, ctx.em, input.id);
  const page = await findPage(
    ctx.em,
    WebhookDelivery,
    { endpoint: endpoint.id, ...(input.status ? { status: input.status } : {}) },
    input,
  );
  const ids = page.items.map((d) => d.id);
  const attempts = ids.length
    ? await ctx.em.find(WebhookAttempt, { delivery: { $in: ids } }, { orderBy: { attempt: 'desc' } })
    : [];
  const byDelivery = new Map<string, WebhookAttempt[]>();
  for (const a of attempts) {
    const list = byDelivery.get(a.delivery.id) ?? [];
    if (list.length < ATTEMPTS_SHOWN) list.push(a);
    byDelivery.set(a.delivery.id, list);
  }
  return { items: page.items.map((d) => deliveryView(d, byDelivery.get(d.id) ?? [])), nextCursor: page.nextCursor };
}

/** Queues a `webhook.test` message to the endpoint (one attempt, whatever its filter, enabled or not). */
export async function sendTest(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const endpoint = await endpointFor(ctx, tem, input.id);
    const queued = await queueWebhookDelivery(tem, {
      endpointId: endpoint.id,
      source: 'TEST',
      eventId: null,
      eventType: 'webhook.test',
      body: testBody(endpoint.id, crypto.randomUUID().replaceAll('-', ''), new Date()),
    });
    auditEndpoint(ctx, tem, endpoint, 'webhook.test');
    return { deliveryId: queued!.id };
  });
}

/** Sends a past delivery again: the same body, `webhook-id` and sequence, newly signed; one attempt. */
export async function replayDelivery(ctx: Ctx, input: { deliveryId: string }) {
  return ctx.em.transactional(async (tem) => {
    const original = await tem.findOne(WebhookDelivery, { id: input.deliveryId });
    if (!original) throw new NotFoundError('Webhook delivery');
    let endpoint: WebhookEndpoint;
    try {
      endpoint = await endpointFor(ctx, tem, original.endpoint.id);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError('Webhook delivery');
      throw err;
    }
    const queued = await queueWebhookDelivery(tem, {
      endpointId: endpoint.id,
      source: 'REPLAY',
      eventId: original.eventId ?? null,
      eventType: original.eventType,
      body: original.body,
      replay: { of: original.replayOf ?? original.id, messageId: original.messageId, sequence: original.sequence },
    });
    audit(tem, actor(ctx), {
      companyId: endpoint.company.id,
      action: 'webhook.replay',
      targetType: 'webhook-delivery',
      targetId: original.id,
    });
    return { deliveryId: queued!.id };
  });
}
