// Webhooks end to end: endpoints through the router, events through the outbox, deliveries by a real worker to local
// receivers, and signatures checked with the standardwebhooks package (not our code).
import { webhookPayloadSchema } from '@arvlite/client';
import { emit, enqueue } from '@arvlite/jobs';
import { createTestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { TRPCError } from '@trpc/server';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markEmailVerified, signUp, type CallerUser } from '../src/index.ts';
import { startReceiver, type Receiver } from '../src/webhook-receiver.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: CallerUser;
let companyId: string;
let receiver: Receiver;
let pathNo = 0;

beforeAll(async () => {
  deps = await createTestDeps({
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_TIMEOUT_S: '2',
    WORKER_POLL_INTERVAL_MS: '200',
  });
  const worker = await startWorker(deps, { concurrency: 2 });
  afterAll(() => worker.stop());
  owner = await signUp(deps);
  companyId = (await owner.caller.company.create({ name: 'Hooks Inc' })).id;
  receiver = await startReceiver();
});

const uuid = () => crypto.randomUUID();

/** A fresh endpoint on its own receiver path. */
async function newEndpoint(events: string[] = ['video.ready', 'video.failed']) {
  const path = `/hook-${++pathNo}`;
  const created = await owner.caller.webhook.create({
    companyId,
    url: receiver.url(path),
    events: events as never,
    description: `endpoint ${pathNo}`,
  });
  return { ...created, path, id: created.endpoint.id };
}

function receivedAt(path: string) {
  return receiver.received.filter((r) => r.path === path);
}

async function emitVideoReady(videoId = uuid()) {
  await deps.orm
    .fork()
    .transactional((tem) => emit(tem, { type: 'video.ready', companyId, projectId: uuid(), videoId }));
  return videoId;
}

async function delivery(id: string) {
  const [row] = await deps.orm.fork().execute<
    {
      status: string;
      attempts: number;
      next_attempt_at: Date | null;
      last_status_code: number | null;
      last_error: string | null;
    }[]
  >('select status, attempts, next_attempt_at, last_status_code, last_error from webhook_delivery where id = ?', [id]);
  return row!;
}

async function deliveriesOf(endpointId: string) {
  return deps.orm
    .fork()
    .execute<{ id: string; status: string; attempts: number; sequence: string }[]>(
      'select id::text, status, attempts, sequence::text from webhook_delivery where endpoint_id = ? order by sequence',
      [endpointId],
    );
}

/** Makes every waiting webhook:deliver job of the endpoint due now (time travel for the backoff). */
/** Waits until every outbox event of the company has been dispatched: its consumers ran, its deliveries exist. */
async function outboxDispatched() {
  await expect
    .poll(async () => {
      const [row] = await deps.orm
        .fork()
        .execute<{ n: number }[]>(
          'select count(*)::int as n from outbox_event where company_id = ? and delivered_at is null',
          [companyId],
        );
      return row!.n;
    })
    .toBe(0);
}

/** The run times of the endpoint's delivery jobs waiting to run (not the one a worker holds). */
async function queuedRuns(endpointId: string) {
  const rows = await deps.orm.fork().execute<{ run_at: Date }[]>(
    `select j.run_at from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
       join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where t.identifier = 'webhook:deliver' and q.queue_name = ? and j.locked_at is null`,
    [`webhook:${endpointId}`],
  );
  return rows.map((r) => new Date(r.run_at).getTime());
}

async function runRetriesNow(endpointId: string) {
  await deps.orm.fork().execute(
    `update graphile_worker._private_jobs j set run_at = now()
       from graphile_worker._private_tasks t, graphile_worker._private_job_queues q
      where t.id = j.task_id and t.identifier = 'webhook:deliver' and q.id = j.job_queue_id and q.queue_name = ?`,
    [`webhook:${endpointId}`],
  );
}

async function endpointRow(id: string) {
  const [row] = await deps.orm
    .fork()
    .execute<{ enabled: boolean; disabled_reason: string | null }[]>(
      'select enabled, disabled_reason from webhook_endpoint where id = ?',
      [id],
    );
  return row!;
}

async function disabledEvents(endpointId: string) {
  return deps.orm
    .fork()
    .execute<{ payload: { reason: string } }[]>(
      `select payload from outbox_event where type = 'webhook.endpoint-disabled' and payload->>'endpointId' = ?`,
      [endpointId],
    );
}

function verifies(secret: string, r: { headers: Record<string, unknown>; body: string }) {
  try {
    new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

describe('endpoints', () => {
  it('creates an endpoint with a Standard Webhooks secret shown once, lists it without secrets, audits it', async () => {
    const ep = await newEndpoint();
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{44}$/);
    const list = await owner.caller.webhook.list({ companyId });
    expect(list.items.map((e) => e.id)).toContain(ep.id);
    expect(JSON.stringify(list)).not.toContain(ep.secret.slice(6));
    const [stored] = await deps.orm
      .fork()
      .execute<{ secret_encrypted: string }[]>('select secret_encrypted from webhook_endpoint where id = ?', [ep.id]);
    expect(stored!.secret_encrypted).toMatch(/^v1\./);
    expect(stored!.secret_encrypted).not.toContain(ep.secret.slice(6, 30));
    const audits = await deps.orm
      .fork()
      .execute<{ action: string; changes: unknown }[]>(
        `select action, changes from audit_log where target_id = ? order by id`,
        [ep.id],
      );
    expect(audits.map((a) => a.action)).toEqual(['webhook.create']);
    expect(JSON.stringify(audits)).not.toContain('whsec_');
  });

  it('updates URL, events and description, audited with what changed', async () => {
    const ep = await newEndpoint(['video.ready']);
    const updated = await owner.caller.webhook.update({
      id: ep.id,
      url: receiver.url('/moved'),
      events: ['marker.published', 'marker.failed'],
      description: null,
    });
    expect(updated).toMatchObject({
      url: receiver.url('/moved'),
      events: ['marker.published', 'marker.failed'],
      description: null,
    });
    expect(await owner.caller.webhook.byId({ id: ep.id })).toMatchObject({
      events: ['marker.published', 'marker.failed'],
    });
    const [row] = await deps.orm
      .fork()
      .execute<{ changes: Record<string, unknown> }[]>(
        `select changes from audit_log where target_id = ? and action = 'webhook.update'`,
        [ep.id],
      );
    expect(Object.keys(row!.changes).sort()).toEqual(['description', 'events', 'url']);
  });

  it('refuses bad input with typed errors: invalid URL, unknown event, oversized description', async () => {
    const attempts: [Record<string, unknown>, string][] = [
      [{ url: 'not a url', events: ['video.ready'] }, 'url'],
      [{ url: receiver.url(), events: ['video.exploded'] }, 'events'],
      [{ url: receiver.url(), events: [] }, 'events'],
      [{ url: receiver.url(), events: ['video.ready'], description: 'x'.repeat(501) }, 'description'],
    ];
    for (const [input, field] of attempts) {
      const err = await owner.caller.webhook.create({ companyId, ...input } as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe('BAD_REQUEST');
      expect((err as TRPCError).cause?.constructor.name).toBe('ZodError');
      expect(JSON.stringify((err as TRPCError).cause)).toContain(field);
    }
  });

  it('is for admins: an editor is refused', async () => {
    const editor = await signUp(deps);
    await markEmailVerified(deps, editor.userId);
    const invite = await owner.caller.member.invite({ companyId, email: editor.email, role: 'editor' });
    // A member of the company (accepting succeeds), so the refusal is for the role, not for a stranger.
    await editor.caller.auth.acceptInvite({ token: invite.token });
    expect((await editor.caller.project.list({ companyId })).items).toBeInstanceOf(Array);
    const err = await editor.caller.webhook.list({ companyId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('FORBIDDEN');
  });
});

describe('deliveries', () => {
  it('sends a test event, signed so that standardwebhooks verifies it, and logs the attempt', async () => {
    const ep = await newEndpoint();
    const { deliveryId } = await owner.caller.webhook.sendTest({ id: ep.id });
    await expect.poll(() => receivedAt(ep.path).length).toBe(1);
    const [r] = receivedAt(ep.path);
    expect(verifies(ep.secret, r!)).toBe(true);
    expect(r!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(r!.headers['webhook-sequence']).toBe('1');
    expect(r!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(r!.body);
    expect(body).toMatchObject({ type: 'webhook.test', version: 1, data: { endpointId: ep.id } });
    await expect.poll(async () => (await delivery(deliveryId)).status).toBe('SUCCEEDED');
    const log = await owner.caller.webhook.deliveries({ id: ep.id });
    expect(log.items[0]).toMatchObject({ id: deliveryId, status: 'SUCCEEDED', source: 'TEST', attempts: 1 });
    expect(log.items[0]!.recentAttempts[0]).toMatchObject({ statusCode: 200, responseExcerpt: 'ok', error: null });
    expect(log.items[0]!.recentAttempts[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('delivers subscribed events only, as versioned payloads', async () => {
    const ep = await newEndpoint(['video.ready']);
    const videoId = await emitVideoReady();
    await deps.orm.fork().transactional((tem) =>
      emit(tem, {
        type: 'marker.failed',
        companyId,
        projectId: uuid(),
        arContentId: uuid(),
        revision: 1,
        reason: 'NO_FEATURES',
      }),
    );
    await expect.poll(() => receivedAt(ep.path).length).toBe(1);
    // Both events dispatched, and the one delivery done: the unsubscribed event made none.
    await outboxDispatched();
    const made = await deliveriesOf(ep.id);
    expect(made).toHaveLength(1);
    await expect.poll(async () => (await delivery(made[0]!.id)).status).toBe('SUCCEEDED');
    expect(receivedAt(ep.path)).toHaveLength(1);
    const body = JSON.parse(receivedAt(ep.path)[0]!.body);
    expect(Object.keys(body).sort()).toEqual(['data', 'id', 'timestamp', 'type', 'version']);
    expect(body).toMatchObject({ type: 'video.ready', version: 1, data: { companyId, videoId } });
    expect(body.id).toMatch(/^evt_[0-9]+$/);
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
  });

  it('offers "marker awaiting confirmation": a held-back marker reaches the endpoints that want it, signed', async () => {
    const wants = await newEndpoint(['marker.awaiting-confirmation']);
    const other = await newEndpoint(['marker.published', 'marker.failed']);
    const ids = { companyId, projectId: uuid(), arContentId: uuid() };
    // What the compile job writes when the gate holds a marker back (marker-gate.test.ts checks the job writes it).
    await deps.orm
      .fork()
      .transactional((tem) =>
        emit(tem, { type: 'marker.awaiting-confirmation', ...ids, revision: 2, headOn30cmRate: 0.2 }),
      );
    await expect.poll(() => receivedAt(wants.path).length).toBe(1);
    await outboxDispatched();
    expect(await deliveriesOf(other.id)).toHaveLength(0);
    const got = receivedAt(wants.path)[0]!;
    expect(verifies(wants.secret, got)).toBe(true);
    const body = JSON.parse(got.body);
    expect(webhookPayloadSchema.parse(body)).toEqual(body);
    expect(body).toMatchObject({
      type: 'marker.awaiting-confirmation',
      version: 1,
      data: { ...ids, revision: 2, headOn30cmRate: 0.2 },
    });
    expect(Object.keys(body.data).sort()).toEqual([
      'arContentId',
      'companyId',
      'headOn30cmRate',
      'projectId',
      'revision',
    ]);
  });

  it('delivers an endpoint’s events in order, with an increasing webhook-sequence', async () => {
    const ep = await newEndpoint();
    const videos: string[] = [];
    for (let i = 0; i < 5; i++) videos.push(await emitVideoReady());
    await expect.poll(() => receivedAt(ep.path).length).toBe(5);
    const got = receivedAt(ep.path);
    expect(got.map((r) => JSON.parse(r.body).data.videoId)).toEqual(videos);
    expect(got.map((r) => Number(r.headers['webhook-sequence']))).toEqual([1, 2, 3, 4, 5]);
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one only', async () => {
    const ep = await newEndpoint();
    const rotated = await owner.caller.webhook.rotateSecret({ id: ep.id });
    expect(rotated.secret).not.toBe(ep.secret);
    expect(rotated.previousSecretExpiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
    await emitVideoReady();
    await expect.poll(() => receivedAt(ep.path).length).toBe(1);
    const during = receivedAt(ep.path)[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(ep.secret, during)).toBe(true);
    expect(verifies(rotated.secret, during)).toBe(true);
    // 24 hours later (the rotation's end moved into the past).
    await deps.orm
      .fork()
      .execute(`update webhook_endpoint set previous_secret_expires_at = now() - interval '1 second' where id = ?`, [
        ep.id,
      ]);
    await emitVideoReady();
    await expect.poll(() => receivedAt(ep.path).length).toBe(2);
    const after = receivedAt(ep.path)[1]!;
    expect(verifies(rotated.secret, after)).toBe(true);
    expect(verifies(ep.secret, after)).toBe(false);
  });

  it('retries a 500 on the backoff schedule, then succeeds', async () => {
    const ep = await newEndpoint();
    receiver.on(ep.path, { kind: 'status', status: 500, body: 'boom' });
    await emitVideoReady();
    const [d] = await expect
      .poll(() => deliveriesOf(ep.id))
      .toHaveLength(1)
      .then(() => deliveriesOf(ep.id));
    await expect.poll(async () => (await delivery(d!.id)).attempts).toBe(1);
    await expect.poll(async () => (await delivery(d!.id)).next_attempt_at).not.toBeNull();
    const first = await delivery(d!.id);
    expect(first).toMatchObject({ status: 'PENDING', last_status_code: 500 });
    const waitS = (new Date(first.next_attempt_at!).getTime() - Date.now()) / 1000;
    expect(waitS).toBeGreaterThan(20);
    expect(waitS).toBeLessThanOrEqual(31);
    // Nothing is sent before the retry is due: its one job does not run before then.
    expect(await queuedRuns(ep.id)).toEqual([expect.any(Number)]);
    expect((await queuedRuns(ep.id))[0]).toBeGreaterThanOrEqual(new Date(first.next_attempt_at!).getTime() - 1000);
    expect(receivedAt(ep.path)).toHaveLength(1);
    receiver.on(ep.path, { kind: 'status', status: 204 });
    await runRetriesNow(ep.id);
    await expect.poll(async () => (await delivery(d!.id)).status).toBe('SUCCEEDED');
    const log = await owner.caller.webhook.deliveries({ id: ep.id });
    expect(log.items[0]!.recentAttempts.map((a) => a.statusCode)).toEqual([204, 500]);
    expect(log.items[0]!.recentAttempts[1]!.responseExcerpt).toBe('boom');
    // The same message both times.
    const [a, b] = receivedAt(ep.path);
    expect(a!.headers['webhook-id']).toBe(b!.headers['webhook-id']);
    expect(a!.body).toBe(b!.body);
  });

  it('disables the endpoint after the last failed attempt and announces it', async () => {
    const ep = await newEndpoint();
    receiver.on(ep.path, { kind: 'status', status: 503 });
    await emitVideoReady();
    await expect.poll(() => deliveriesOf(ep.id)).toHaveLength(1);
    const [d] = await deliveriesOf(ep.id);
    await expect.poll(async () => (await delivery(d!.id)).attempts).toBe(1);
    await expect.poll(async () => (await delivery(d!.id)).next_attempt_at).not.toBeNull();
    // Nine attempts made (~23 hours in): the next one is the last.
    await deps.orm.fork().execute('update webhook_delivery set attempts = 9 where id = ?', [d!.id]);
    await runRetriesNow(ep.id);
    await expect.poll(async () => (await delivery(d!.id)).status).toBe('FAILED');
    expect((await delivery(d!.id)).attempts).toBe(10);
    expect(await endpointRow(ep.id)).toEqual({ enabled: false, disabled_reason: 'FAILING' });
    expect((await disabledEvents(ep.id)).map((e) => e.payload.reason)).toEqual(['FAILING']);
    // Later events are not sent to a disabled endpoint.
    const before = receivedAt(ep.path).length;
    await emitVideoReady();
    await outboxDispatched();
    expect(await deliveriesOf(ep.id)).toHaveLength(1);
    expect(await queuedRuns(ep.id)).toEqual([]);
    expect(receivedAt(ep.path)).toHaveLength(before);
    await expect
      .poll(async () =>
        deps.orm
          .fork()
          .execute<{ action: string }[]>(
            `select action from audit_log where target_id = ? and action = 'webhook.endpoint-disabled'`,
            [ep.id],
          ),
      )
      .toHaveLength(1);
  });

  it('disables the endpoint at once when the receiver answers 410 Gone', async () => {
    const ep = await newEndpoint();
    receiver.on(ep.path, { kind: 'status', status: 410 });
    await emitVideoReady();
    await expect.poll(async () => (await endpointRow(ep.id)).enabled).toBe(false);
    expect(await endpointRow(ep.id)).toEqual({ enabled: false, disabled_reason: 'GONE' });
    expect((await disabledEvents(ep.id)).map((e) => e.payload.reason)).toEqual(['GONE']);
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: 'FAILED', attempts: 1 });
    // Enabled again by an admin, it receives again.
    receiver.on(ep.path, { kind: 'status', status: 200 });
    const again = await owner.caller.webhook.update({ id: ep.id, enabled: true });
    expect(again).toMatchObject({ enabled: true, disabledReason: null });
    await emitVideoReady();
    await expect.poll(() => receivedAt(ep.path).length).toBe(2);
  });

  it('replays a past delivery: same body and webhook-id, signed anew', async () => {
    const ep = await newEndpoint();
    await emitVideoReady();
    await expect.poll(() => receivedAt(ep.path).length).toBe(1);
    const [original] = await deliveriesOf(ep.id);
    await expect.poll(async () => (await delivery(original!.id)).status).toBe('SUCCEEDED');
    const { deliveryId } = await owner.caller.webhook.replay({ deliveryId: original!.id });
    await expect.poll(() => receivedAt(ep.path).length).toBe(2);
    const [first, replayed] = receivedAt(ep.path);
    expect(replayed!.body).toBe(first!.body);
    expect(replayed!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(replayed!.headers['webhook-sequence']).toBe(first!.headers['webhook-sequence']);
    expect(verifies(ep.secret, replayed!)).toBe(true);
    await expect.poll(async () => (await delivery(deliveryId)).status).toBe('SUCCEEDED');
    const log = await owner.caller.webhook.deliveries({ id: ep.id });
    expect(log.items.find((i) => i.id === deliveryId)).toMatchObject({ source: 'REPLAY', replayOf: original!.id });
  });

  it('does not follow redirects (a redirect to loopback reaches nothing)', async () => {
    const ep = await newEndpoint();
    const target = `/redirect-target-${pathNo}`;
    receiver.on(ep.path, { kind: 'redirect', location: receiver.url(target) });
    const { deliveryId } = await owner.caller.webhook.sendTest({ id: ep.id });
    await expect.poll(async () => (await delivery(deliveryId)).status).toBe('FAILED');
    expect((await delivery(deliveryId)).last_error).toMatch(/302.*redirects are not followed/);
    expect(receivedAt(target)).toHaveLength(0);
  });

  it('cuts off a receiver that hangs, within the attempt timeout', async () => {
    const ep = await newEndpoint();
    receiver.on(ep.path, { kind: 'hang' });
    const closedBefore = receiver.hungClosed;
    const { deliveryId } = await owner.caller.webhook.sendTest({ id: ep.id });
    await expect.poll(async () => (await delivery(deliveryId)).status).toBe('FAILED');
    const log = await owner.caller.webhook.deliveries({ id: ep.id });
    const attempt = log.items[0]!.recentAttempts[0]!;
    expect(attempt.error).toMatch(/^TIMEOUT/);
    expect(attempt.durationMs).toBeGreaterThanOrEqual(1900);
    expect(attempt.durationMs).toBeLessThan(20_000); // a wide bound: the TIMEOUT error is what shows the cut
    await expect.poll(() => receiver.hungClosed).toBeGreaterThan(closedBefore);
  });

  it('reads a few KB of a 50 MB answer and hangs up', async () => {
    const ep = await newEndpoint();
    receiver.on(ep.path, { kind: 'huge', bytes: 50 * 1024 * 1024 });
    const { deliveryId } = await owner.caller.webhook.sendTest({ id: ep.id });
    await expect.poll(async () => (await delivery(deliveryId)).status).toBe('SUCCEEDED');
    const log = await owner.caller.webhook.deliveries({ id: ep.id });
    const attempt = log.items[0]!.recentAttempts[0]!;
    expect(attempt.statusCode).toBe(200);
    expect(attempt.responseExcerpt!.length).toBeLessThanOrEqual(4097);
    expect(attempt.responseExcerpt!.startsWith('aaaa')).toBe(true);
    // The receiver could not push the 50 MB: the connection was closed after the first few KB (plus socket buffers).
    await expect.poll(() => receiver.hugeClosed).toBeGreaterThan(0); // the receiver's writes have stopped
    expect(receiver.hugeBytesWritten).toBeLessThan(20 * 1024 * 1024);
  });

  it('purges finished deliveries older than 30 days, keeping newer and pending ones', async () => {
    const ep = await newEndpoint();
    const { deliveryId: old } = await owner.caller.webhook.sendTest({ id: ep.id });
    const { deliveryId: recent } = await owner.caller.webhook.sendTest({ id: ep.id });
    await expect.poll(async () => (await delivery(recent)).status).toBe('SUCCEEDED');
    await expect.poll(async () => (await delivery(old)).status).toBe('SUCCEEDED');
    await deps.orm
      .fork()
      .execute(`update webhook_delivery set created_at = now() - interval '31 days' where id = ?`, [old]);
    await deps.orm.fork().transactional((tem) => enqueue(tem, 'webhook:purge', {}));
    await expect.poll(async () => (await deliveriesOf(ep.id)).map((d) => d.id)).toEqual([recent]);
  });

  it('deleting an endpoint removes its deliveries; another company cannot see or replay them', async () => {
    const ep = await newEndpoint();
    const { deliveryId } = await owner.caller.webhook.sendTest({ id: ep.id });
    const stranger = await signUp(deps);
    await stranger.caller.company.create({ name: 'Elsewhere' });
    for (const call of [
      () => stranger.caller.webhook.byId({ id: ep.id }),
      () => stranger.caller.webhook.deliveries({ id: ep.id }),
      () => stranger.caller.webhook.replay({ deliveryId }),
      () => stranger.caller.webhook.rotateSecret({ id: ep.id }),
    ]) {
      expect(((await call().catch((e: unknown) => e)) as TRPCError).code).toBe('NOT_FOUND');
    }
    await owner.caller.webhook.delete({ id: ep.id });
    expect(await deliveriesOf(ep.id)).toHaveLength(0);
  });
});
