// The customer upload link: a capability for one item, one size, one time window, once; the token is never stored.
import { createHash } from 'node:crypto';
import {
  customerUploadApi,
  resumeUploadWith,
  TRPCClientError,
  uploadWith,
  type AppRouter,
  type ArvliteClient,
  WEBHOOK_EVENT_TYPES,
  webhookDataSchemas,
} from '@arvlite/client';
import { CustomerUploadLink, Video } from '@arvlite/db';
import { waitUntil } from '@arvlite/test-utils';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { mailLink, mailsTo, paddedMp4, registerUser, startTestPlatform, tinyMp4, type TestUser } from '../src/index.ts';

const MiB = 1024 * 1024;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let other: TestUser;
let companyId: string;
let projectId: string;
let itemId: string;
let otherItemId: string;
let customer: ArvliteClient;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: {
      UPLOAD_MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
      UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
      LOG_LEVEL: 'error',
      // Mail and the outbox only: processing is the pipeline tests' business (the browser test runs it).
      WORKER_TASKS: 'mail:send,outbox:dispatch,outbox:sweep,upload:expire,system:reap-workers',
    },
  });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Prints & Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Weddings' })).id;
  itemId = (await owner.client.arContent.create.mutate({ projectId, title: 'Anna & Ivan' })).id;
  otherItemId = (await owner.client.arContent.create.mutate({ projectId, title: 'Another card' })).id;
  other = await registerUser(platform.client);
  const otherCompany = (await other.client.company.create.mutate({ name: 'Elsewhere' })).id;
  await other.client.project.create.mutate({ companyId: otherCompany, name: 'Theirs' });
  customer = platform.client(undefined, '203.0.113.77');
});

const bytesSource = (bytes: Uint8Array) => ({
  size: bytes.length,
  slice: (s: number, e: number) => bytes.subarray(s, e),
});

async function fail(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected failure');
}
const reason = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details?.reason;
const em = () => platform.deps.orm.fork();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function newLink(opts: { maxBytes?: number; id?: string } = {}) {
  return owner.client.arContent.createUploadLink.mutate({ id: opts.id ?? itemId, maxBytes: opts.maxBytes });
}

describe('customer upload link', () => {
  it('is shown once and stored only as its SHA-256; the public page learns title, company, limits, expiry', async () => {
    const created = await newLink({ maxBytes: 8 * MiB });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.url).toBe(`${platform.baseUrl}/u#${created.token}`);
    expect(created.qrSvg).toContain('<svg');
    expect(created.link).toMatchObject({ state: 'OPEN', maxBytes: 8 * MiB, video: null });

    // No column, audit entry or outbox row holds the token in clear.
    const row = await em().findOneOrFail(CustomerUploadLink, { id: created.link.id });
    expect(row.tokenHash).toBe(sha256(created.token));
    const dump = await em().execute<{ t: string }[]>(
      `select (select coalesce(string_agg(to_jsonb(l)::text, ''), '') from customer_upload_link l) ||
              (select coalesce(string_agg(to_jsonb(a)::text, ''), '') from audit_log a) ||
              (select coalesce(string_agg(to_jsonb(o)::text, ''), '') from outbox_event o) as t`,
    );
    expect(dump[0]!.t).not.toContain(created.token);

    const described = await customer.customerUpload.describe.mutate({ token: created.token });
    expect(described).toEqual({
      ok: true,
      title: 'Anna & Ivan',
      companyName: 'Prints & Co',
      maxBytes: 8 * MiB,
      expiresAt: created.link.expiresAt,
      upload: null,
    });
    // Default expiry: 7 days.
    const days = (new Date(created.link.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
  });

  it('unknown and malformed tokens, unknown keys and ids: NOT_FOUND or BAD_REQUEST, nothing created', async () => {
    const unknown = 'A'.repeat(43);
    expect(await customer.customerUpload.describe.mutate({ token: unknown })).toEqual({
      ok: false,
      reason: 'NOT_FOUND',
    });
    const e = await fail(
      customer.customerUpload.start.mutate({ token: unknown, fileName: 'a.mp4', contentType: 'video/mp4', size: 10 }),
    );
    expect(e.data?.code).toBe('NOT_FOUND');
    expect((await fail(customer.customerUpload.describe.mutate({ token: 'short' }))).data?.code).toBe('BAD_REQUEST');
    const { token } = await newLink();
    // A video id cannot be named at all: the link decides which video its calls touch.
    const withId = await fail(
      customer.customerUpload.listParts.mutate({ token, videoId: crypto.randomUUID() } as never),
    );
    expect(withId.data?.code).toBe('BAD_REQUEST');
  });

  it('refuses a video larger than the link allows, and creates no video', async () => {
    const { token, link } = await newLink({ maxBytes: 2 * MiB });
    const before = await em().count(Video, { project: projectId });
    const e = await fail(
      customer.customerUpload.start.mutate({ token, fileName: 'big.mp4', contentType: 'video/mp4', size: 2 * MiB + 1 }),
    );
    expect(e.data?.code).toBe('BAD_REQUEST');
    expect(reason(e)).toBe('TOO_LARGE');
    expect(await em().count(Video, { project: projectId })).toBe(before);
    expect((await em().findOneOrFail(CustomerUploadLink, { id: link.id })).video).toBeNull();
    // The operator cannot give a link more than UPLOAD_MAX_BYTES either.
    const tooBig = await fail(newLink({ maxBytes: platform.deps.config.uploads.maxBytes + 1 }));
    expect(reason(tooBig)).toBe('TOO_LARGE');
  });

  it('uploads once through the shared client, announces it, and is used up; approval puts it live', async () => {
    const { token, link } = await newLink();
    const bytes = tinyMp4();
    const done = await uploadWith(
      customerUploadApi(customer, token, { fileName: 'from-phone.mp4', contentType: 'video/mp4' }),
      bytesSource(bytes),
    );
    expect(done).toEqual({ ok: true, title: 'Anna & Ivan' });

    const { items } = await owner.client.arContent.uploadLinks.query({ id: itemId });
    const mine = items.find((l) => l.id === link.id)!;
    expect(mine.state).toBe('UPLOADED');
    expect(mine.video).toMatchObject({ status: 'UPLOADED', sizeBytes: bytes.length });
    const videoId = mine.video!.id;

    const events = await em().execute<{ type: string; payload: Record<string, string> }[]>(
      `select type, payload from outbox_event where type = 'customer-upload.completed' and payload->>'linkId' = ?`,
      [link.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ companyId, projectId, arContentId: itemId, videoId });
    // Webhook endpoints can subscribe to it, and its body is the documented one.
    expect(WEBHOOK_EVENT_TYPES).toContain('customer-upload.completed');
    expect(webhookDataSchemas['customer-upload.completed'].parse(events[0]!.payload)).toMatchObject({
      videoId,
      linkId: link.id,
    });

    // The operator hears of it (notifications consumer): in the app, leading to the item.
    const notified = await waitUntil(
      'the operator notified',
      () =>
        em().execute<{ kind: string; params: Record<string, string> }[]>(
          `select kind, params from notification where company_id = ? and kind = 'customer-upload.completed'`,
          [companyId],
        ),
      (rows) => rows.length > 0,
    );
    expect(notified).toHaveLength(1);
    expect(notified[0]!.params).toMatchObject({ arContentId: itemId, videoId, title: 'Anna & Ivan' });

    // Used up: the same token opens nothing.
    expect(await customer.customerUpload.describe.mutate({ token })).toEqual({ ok: false, reason: 'USED' });
    const reused = await fail(
      customer.customerUpload.start.mutate({ token, fileName: 'again.mp4', contentType: 'video/mp4', size: 100 }),
    );
    expect(reused.data?.code).toBe('FORBIDDEN');
    expect(reason(reused)).toBe('USED');
    expect((await fail(customer.customerUpload.complete.mutate({ token }))).data?.code).toBe('FORBIDDEN');

    // Not live until approved.
    expect((await owner.client.playlist.get.query({ id: itemId })).items.map((i) => i.videoId)).not.toContain(videoId);
    // Another item's id with this video: NOT_FOUND; another company: NOT_FOUND.
    const wrongItem = await fail(owner.client.arContent.approveCustomerVideo.mutate({ id: otherItemId, videoId }));
    expect(wrongItem.data?.code).toBe('NOT_FOUND');
    const stranger = await fail(other.client.arContent.approveCustomerVideo.mutate({ id: itemId, videoId }));
    expect(stranger.data?.code).toBe('NOT_FOUND');
    expect((await fail(other.client.arContent.uploadLinks.query({ id: itemId }))).data?.code).toBe('NOT_FOUND');
    expect((await fail(other.client.arContent.revokeUploadLink.mutate({ id: link.id }))).data?.code).toBe('NOT_FOUND');

    const approved = await owner.client.arContent.approveCustomerVideo.mutate({ id: itemId, videoId });
    expect(approved.state).toBe('APPROVED');
    const playlist = await owner.client.playlist.get.query({ id: itemId });
    expect(playlist.items.map((i) => i.videoId)).toContain(videoId);
    expect(playlist.defaultVideoId).toBe(videoId);
    const twice = await fail(owner.client.arContent.rejectCustomerVideo.mutate({ id: itemId, videoId }));
    expect(twice.data?.code).toBe('CONFLICT');
  });

  it('resumes a multipart upload from the parts storage holds (the page after a reload)', async () => {
    const { token } = await newLink();
    const bytes = paddedMp4(12 * MiB);
    const created = await customer.customerUpload.start.mutate({
      token,
      fileName: 'long.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'multipart') throw new Error('expected multipart');
    const { parts } = await customer.customerUpload.signParts.mutate({ token, partNumbers: [1] });
    expect((await fetch(parts[0]!.url, { method: 'PUT', body: bytes.subarray(0, created.partSize) })).ok).toBe(true);
    // A part URL signs its exact length: a longer body is refused by storage.
    const { parts: again } = await customer.customerUpload.signParts.mutate({ token, partNumbers: [2] });
    const longer = await fetch(again[0]!.url, {
      method: 'PUT',
      body: bytes.subarray(created.partSize, 2 * created.partSize + 1),
    });
    expect(longer.ok).toBe(false);

    const described = await customer.customerUpload.describe.mutate({ token });
    expect(described.ok && described.upload).toMatchObject({ fileName: 'long.mp4', sizeBytes: bytes.length });
    const progress: number[] = [];
    const done = await resumeUploadWith(customerUploadApi(customer, token), created.videoId, bytesSource(bytes), {
      onProgress: (p) => progress.push(p.uploadedBytes),
    });
    expect(done.ok).toBe(true);
    expect(progress[0]).toBe(created.partSize); // part 1 was not sent again
    expect((await em().findOneOrFail(Video, { id: created.videoId })).status).toBe('UPLOADED');
  });

  it('an expired link refuses every step, including an upload it had started', async () => {
    const { token, link } = await newLink();
    const bytes = paddedMp4(6 * MiB);
    await customer.customerUpload.start.mutate({
      token,
      fileName: 'late.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    await em().nativeUpdate(CustomerUploadLink, { id: link.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await customer.customerUpload.describe.mutate({ token })).toEqual({ ok: false, reason: 'EXPIRED' });
    for (const call of [
      customer.customerUpload.signParts.mutate({ token, partNumbers: [1] }),
      customer.customerUpload.listParts.mutate({ token }),
      customer.customerUpload.complete.mutate({ token }),
      customer.customerUpload.start.mutate({ token, fileName: 'x.mp4', contentType: 'video/mp4', size: 10 }),
    ]) {
      const e = await fail(call);
      expect(e.data?.code).toBe('FORBIDDEN');
      expect(reason(e)).toBe('EXPIRED');
    }
    expect(
      (await owner.client.arContent.uploadLinks.query({ id: itemId })).items.find((l) => l.id === link.id)?.state,
    ).toBe('EXPIRED');
  });

  it('a revoked link refuses every step, and the upload in progress is aborted', async () => {
    const { token, link } = await newLink();
    const bytes = paddedMp4(6 * MiB);
    const created = await customer.customerUpload.start.mutate({
      token,
      fileName: 'revoked.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    const revoked = await owner.client.arContent.revokeUploadLink.mutate({ id: link.id });
    expect(revoked.state).toBe('REVOKED');
    expect((await em().findOneOrFail(Video, { id: created.videoId })).status).not.toBe('AWAITING_UPLOAD');
    expect(await customer.customerUpload.describe.mutate({ token })).toEqual({ ok: false, reason: 'REVOKED' });
    const e = await fail(customer.customerUpload.signParts.mutate({ token, partNumbers: [1] }));
    expect(reason(e)).toBe('REVOKED');
  });

  it('a suspended company takes no customer upload, and resuming it lets the same link work', async () => {
    const { token } = await newLink();
    const before = await em().count(Video, { project: projectId });
    await em().execute(`update company set suspended_at = now(), suspended_reason = 'unpaid' where id = ?`, [
      companyId,
    ]);
    try {
      const e = await fail(
        customer.customerUpload.start.mutate({ token, fileName: 'held.mp4', contentType: 'video/mp4', size: 1024 }),
      );
      expect(e.data?.code).toBe('FORBIDDEN');
      expect(reason(e)).toBe('COMPANY_SUSPENDED');
      expect(await em().count(Video, { project: projectId })).toBe(before);
    } finally {
      await em().execute(`update company set suspended_at = null, suspended_reason = null where id = ?`, [companyId]);
    }
    const started = await customer.customerUpload.start.mutate({
      token,
      fileName: 'resumed.mp4',
      contentType: 'video/mp4',
      size: 1024,
    });
    expect(started.videoId).toBeTruthy();
  });

  it('mails the link in the customer language; the email log keeps the link id, never the token', async () => {
    const to = `customer-${Date.now()}@example.com`;
    const created = await owner.client.arContent.createUploadLink.mutate({ id: itemId, sendTo: to, language: 'ru' });
    expect(created.emailMessageId).toBeTruthy();
    const [row] = await em().execute<{ kind: string; params: Record<string, unknown> }[]>(
      'select kind, params from email_message where id = ?',
      [created.emailMessageId],
    );
    expect(row!.kind).toBe('customer-upload');
    expect(row!.params.linkId).toBe(created.link.id);
    expect(JSON.stringify(row!.params)).not.toContain(created.token);
    const [mail] = await mailsTo(inject('testServices').mailDir, to);
    expect(mail!.subject).toBe('Загрузите видео для «Anna & Ivan»');
    expect(mailLink(mail!, platform.baseUrl, '/u#')).toBe(created.url);
    expect(mail!.html).toContain('Anna &amp; Ivan');
  });

  it('an item has a bounded number of open links', async () => {
    for (let i = (await owner.client.arContent.uploadLinks.query({ id: otherItemId })).items.length; i < 5; i++) {
      await newLink({ id: otherItemId });
    }
    const e = await fail(newLink({ id: otherItemId }));
    expect(e.data?.code).toBe('CONFLICT');
    expect(reason(e)).toBe('TOO_MANY_LINKS');
  });
});
