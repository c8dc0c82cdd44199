// webhook:deliver: one attempt of one delivery. It signs the stored body (Standard Webhooks), sends it through the
// SSRF guard with a time limit, keeps a few KB of the answer, and decides: 2xx done; 410 disables the endpoint; any
// other failure of an event delivery is tried again on the backoff schedule, and the last failure disables the endpoint.
// Test and replay deliveries get one attempt: the person who asked sees the outcome in the log.
import { WEBHOOK_PAYLOAD_VERSION } from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import {
  decryptSecret,
  nextAttemptDelayS,
  OutboundBlockedError,
  RESPONSE_EXCERPT_BYTES,
  safeRequest,
  signHeaders,
  type SafeResponse,
} from '@arvlite/webhooks';
import { webhookDeliveries } from '@arvlite/telemetry';
import { defineTask } from '../define-task.ts';
import { enqueue } from '../enqueue.ts';
import { emit } from '../outbox/emit.ts';
import { WEBHOOK_JOB_MAX_ATTEMPTS, webhookQueue } from '../webhooks/webhook-deliveries.ts';

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  company_id: string;
  source: 'EVENT' | 'TEST' | 'REPLAY';
  message_id: string;
  sequence: string;
  body: string;
  status: string;
  attempts: number;
  url: string;
  enabled: boolean;
  secret_encrypted: string;
  /** Only while it is still accepted (its expiry judged by the database's clock). */
  previous_secret_encrypted: string | null;
  db_now: Date | string;
}

type Outcome = { response: SafeResponse; error?: undefined } | { response?: undefined; error: string };

export const webhookDeliver = defineTask('webhook:deliver', async ({ em, payload, deps, log, signal }) => {
  const { config } = deps;
  const claim = await em.fork().transactional(async (tem) => {
    const [row] = await tem.execute<DeliveryRow[]>(
      `select d.id::text as id, d.endpoint_id::text as endpoint_id, d.company_id::text as company_id, d.source,
              d.message_id, d.sequence::text as sequence, d.body, d.status, d.attempts, e.url, e.enabled,
              e.secret_encrypted, clock_timestamp() as db_now,
              case when e.previous_secret_expires_at > now() then e.previous_secret_encrypted end
                as previous_secret_encrypted
         from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id
        where d.id = ? for update of d`,
      [payload.deliveryId],
    );
    if (!row || row.status !== 'PENDING') return null; // gone with its endpoint, or already final
    if (!row.enabled && row.source === 'EVENT') {
      await tem.execute(
        `update webhook_delivery set status = 'CANCELLED', next_attempt_at = null, completed_at = now() where id = ?`,
        [row.id],
      );
      webhookDeliveries.inc({ outcome: 'cancelled' });
      return null;
    }
    await tem.execute('update webhook_delivery set attempts = attempts + 1, next_attempt_at = null where id = ?', [
      row.id,
    ]);
    return { ...row, attempts: row.attempts + 1 };
  });
  if (!claim) return;

  // A secret that no longer decrypts (AUTH_JWT_SECRET changed) cannot sign: the attempt fails, and an admin's rotation
  // gives a readable one. A previous secret that does not decrypt is skipped.
  const key = config.webhooks.secretKey;
  const readable = (stored: string) => {
    try {
      return decryptSecret(key, claim.endpoint_id, stored);
    } catch {
      return null;
    }
  };
  const current = readable(claim.secret_encrypted);
  const previous = claim.previous_secret_encrypted ? readable(claim.previous_secret_encrypted) : null;
  const secrets = [current, previous].filter((x): x is string => x !== null);
  // The signed webhook-timestamp is the database's time, not this worker's clock: receivers refuse a timestamp more
  // than minutes off, and one worker's clock being hours off must not make its deliveries fail.
  const startedAt = new Date(claim.db_now);
  const t0 = performance.now();
  const outcome: Outcome = !current
    ? { error: 'SECRET_UNREADABLE: the signing secret cannot be decrypted (AUTH_JWT_SECRET changed?); rotate it' }
    : await safeRequest({
        url: claim.url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `ARVlite-Webhooks/${WEBHOOK_PAYLOAD_VERSION}`,
          ...signHeaders(secrets, claim.message_id, startedAt, claim.body),
          'webhook-sequence': claim.sequence,
        },
        body: claim.body,
        timeoutMs: config.webhooks.timeoutMs,
        maxResponseBytes: RESPONSE_EXCERPT_BYTES,
        policy: { allowLoopback: config.webhooks.allowLoopback },
        signal,
      }).then(
        (response) => ({ response }),
        (err: unknown) => ({
          error:
            err instanceof OutboundBlockedError
              ? `${err.reason}: ${err.message}`
              : err instanceof Error
                ? `${err.name === 'OutboundRequestError' ? (err as { kind?: string }).kind : 'ERROR'}: ${err.message}`
                : String(err),
        }),
      );
  const status = outcome.response?.status ?? null;
  const ok = status !== null && status >= 200 && status < 300;
  const error =
    outcome.error ??
    (ok
      ? null
      : status !== null && status >= 300 && status < 400
        ? `HTTP ${status} (redirects are not followed)`
        : `HTTP ${status}`);
  const durationMs = outcome.response?.durationMs ?? Math.round(performance.now() - t0);

  const counted = await em.fork().transactional(async (tem): Promise<'delivered' | 'retry' | 'failed'> => {
    await tem.execute(
      `insert into webhook_attempt (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
       values (?, ?, ?, ?, ?, ?, ?)`,
      [
        claim.id,
        claim.attempts,
        startedAt,
        durationMs,
        status,
        error?.slice(0, 500) ?? null,
        outcome.response ? excerpt(outcome.response) : null,
      ],
    );
    const finish = (final: 'SUCCEEDED' | 'FAILED', nextAt: Date | null = null) =>
      tem.execute(
        `update webhook_delivery set status = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?,
                completed_at = case when ? = 'PENDING' then null else now() end
          where id = ?`,
        [final, status, error?.slice(0, 500) ?? null, nextAt, final, claim.id],
      );
    if (ok) {
      await finish('SUCCEEDED');
      return 'delivered';
    }
    if (status === 410) {
      await finish('FAILED');
      await disableEndpoint(tem, claim, 'GONE');
      log.warn({ endpointId: claim.endpoint_id }, 'webhook receiver answered 410 Gone; endpoint disabled');
      return 'failed';
    }
    const delay = claim.source === 'EVENT' ? nextAttemptDelayS(claim.attempts) : null;
    if (delay !== null) {
      // Both from the database's clock, as the job's run_at (enqueue's delayS) is.
      await tem.execute(
        `update webhook_delivery set last_status_code = ?, last_error = ?,
                next_attempt_at = now() + make_interval(secs => ?::float8) where id = ?`,
        [status, error?.slice(0, 500) ?? null, delay, claim.id],
      );
      await enqueue(
        tem,
        'webhook:deliver',
        { deliveryId: claim.id },
        { queueName: webhookQueue(claim.endpoint_id), delayS: delay, maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS },
      );
      log.info({ deliveryId: claim.id, attempt: claim.attempts, error, retryInS: delay }, 'webhook attempt failed');
      return 'retry';
    }
    await finish('FAILED');
    if (claim.source === 'EVENT') {
      await disableEndpoint(tem, claim, 'FAILING');
      log.warn(
        { endpointId: claim.endpoint_id, deliveryId: claim.id },
        'webhook delivery failed for good; endpoint disabled',
      );
    }
    return 'failed';
  });
  webhookDeliveries.inc({ outcome: counted });
});

/** Text of the kept bytes (invalid UTF-8 replaced), for the delivery log. */
function excerpt(response: SafeResponse): string {
  const text = response.body.toString('utf8').replaceAll('\u0000', '');
  return response.truncated ? `${text}…` : text;
}

/**
 * Switches the endpoint off (once: the row lock and the `enabled` test make a second call a no-op), cancels its other
 * pending event deliveries, and announces it with webhook.endpoint-disabled (the audit log records it; the admins'
 * notification mail will consume it).
 */
async function disableEndpoint(tem: EntityManager, d: DeliveryRow, reason: 'GONE' | 'FAILING') {
  const rows = await tem.execute<{ id: string }[]>(
    `update webhook_endpoint set enabled = false, disabled_reason = ?, disabled_at = now(), updated_at = now()
      where id = ? and enabled returning id::text as id`,
    [reason, d.endpoint_id],
  );
  if (rows.length === 0) return;
  await tem.execute(
    `update webhook_delivery set status = 'CANCELLED', next_attempt_at = null, completed_at = now()
      where endpoint_id = ? and status = 'PENDING' and source = 'EVENT' and id <> ?`,
    [d.endpoint_id, d.id],
  );
  await emit(tem, { type: 'webhook.endpoint-disabled', companyId: d.company_id, endpointId: d.endpoint_id, reason });
}
