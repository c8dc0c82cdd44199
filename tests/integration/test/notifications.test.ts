// Notifications end to end on real components: events from the outbox fanned out by the notifications consumer to
// in-app rows (live over SSE, also on a second server process), mail through the embedded SMTP server (unsubscribe
// link honoured), push through a local HTTP server shaped like Expo's push API (no Expo server is reachable here).
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { processEnv } from '@arvlite/config';
import { emit, queueMail } from '@arvlite/jobs';
import { readStoredMails } from '@arvlite/dev-services';
import { spawnListening, WaitTimeoutError, waitUntil } from '@arvlite/test-utils';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

// ---- a local Expo-shaped push server: POST /--/api/v2/push/send and /--/api/v2/push/getReceipts ----
const pushed: { to: string; title: string; body: string }[] = [];
const sendBatches: number[] = [];
const deadTokens = new Set<string>();
const receiptDead = new Set<string>();
const tickets = new Map<string, string>();
let ticketSeq = 0;
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
const expo: Server = createServer((req, res) => {
  void (async () => {
    const body = await readJson(req);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/--/api/v2/push/send') {
      const messages = body as { to: string; title: string; body: string }[];
      sendBatches.push(messages.length);
      if (messages.length > 100) return res.writeHead(400).end(JSON.stringify({ errors: [{ code: 'TOO_MANY' }] }));
      const data = messages.map((m) => {
        if (deadTokens.has(m.to))
          return { status: 'error', message: 'not registered', details: { error: 'DeviceNotRegistered' } };
        pushed.push(m);
        const id = `ticket-${++ticketSeq}`;
        tickets.set(id, m.to);
        return { status: 'ok', id };
      });
      return res.end(JSON.stringify({ data }));
    }
    if (req.url === '/--/api/v2/push/getReceipts') {
      const { ids } = body as { ids: string[] };
      const data = Object.fromEntries(
        ids.map((id) => [
          id,
          receiptDead.has(tickets.get(id) ?? '')
            ? { status: 'error', message: 'gone', details: { error: 'DeviceNotRegistered' } }
            : { status: 'ok' },
        ]),
      );
      return res.end(JSON.stringify({ data }));
    }
    res.writeHead(404).end('{}');
  })();
});
// Port 0: the kernel picks a free one, read back once bound.
await new Promise<void>((r) => expo.listen(0, '127.0.0.1', r));
const expoPort = (expo.address() as AddressInfo).port;
afterAll(() => new Promise<void>((r) => expo.close(() => r())));

const { smtpPort, mailDir } = inject('testServices');
const platform = await startTestPlatform({
  worker: true,
  env: {
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    EXPO_PUSH_URL: `http://127.0.0.1:${expoPort}`,
    EXPO_PUSH_RECEIPT_DELAY_S: '0',
    MAIL_RATE_LIMIT_PER_HOUR: '1000',
  },
});
const { deps, client } = platform;
/** The running worker: the expiry test replaces the platform's with a new one (a restart), which the later tests use. */
let worker = platform.worker!;
afterAll(() => worker.stop());

/** Notification mails (those with List-Unsubscribe) or, with `all`, every mail to `to`. */
async function mailsTo(to: string, all = false): Promise<ParsedMail[]> {
  const parsed = await Promise.all((await readStoredMails(mailDir)).map((m) => simpleParser(m.raw)));
  return parsed.filter(
    (m) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(to)) &&
      (all || m.headerLines.some((h) => h.key === 'list-unsubscribe')),
  );
}

async function settle() {
  // Every event delivered and no notification job waiting; after 8 s the test goes on and its own checks judge.
  await waitUntil(
    'every event delivered and no notification job waiting',
    () =>
      deps.orm.fork().execute<{ n: number }[]>(
        `select (select count(*) from outbox_event where delivered_at is null)
                + (select count(*) from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
                    where t.identifier in ('outbox:dispatch','mail:send','push:send','push:receipts') and j.attempts < j.max_attempts
                      and j.run_at < now() + interval '1 minute')::int as n`,
      ),
    (r) => r[0]!.n === 0,
    { timeout: 8_000 },
  ).catch((err: unknown) => {
    if (!(err instanceof WaitTimeoutError)) throw err;
  });
  await new Promise((r) => setTimeout(r, 300));
}

async function company(owner: TestUser, language: 'en' | 'ru' = 'en') {
  const c = await owner.client.company.create.mutate({ name: `Notify ${Date.now()}`, language } as never);
  const project = await owner.client.project.create.mutate({ companyId: c.id, name: 'Prints' });
  return { companyId: c.id as string, projectId: project.id as string };
}

async function addMember(companyId: string, user: TestUser, role: string) {
  await deps.orm
    .fork()
    .execute(
      `insert into membership (id, company_id, user_id, role, created_at, updated_at) values (gen_random_uuid(), ?, ?, ?, now(), now())`,
      [companyId, user.userId, role],
    );
}

async function video(owner: TestUser, projectId: string, title: string) {
  const up = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: 'a.mp4',
    contentType: 'video/mp4',
    size: 1000,
    title,
  });
  return up.videoId;
}

async function emitNow(event: Parameters<typeof emit>[1]) {
  await deps.orm.fork().transactional((tem) => emit(tem, event));
}

async function notificationsOf(userId: string) {
  return deps.orm
    .fork()
    .execute<{ kind: string; params: Record<string, unknown> }[]>(
      'select kind, params from notification where user_id = ? order by created_at',
      [userId],
    );
}

describe('notifications', () => {
  it('fans a failure out to in-app, email (with a working unsubscribe link) and push; a preference turned off stops that channel only', async () => {
    const owner = await registerUser(client, 'Nora Owner');
    const { companyId, projectId } = await company(owner);
    await owner.client.notification.registerPushToken.mutate({ token: 'ExponentPushToken[owner-device-1]' });
    const videoId = (await video(owner, projectId, 'Wedding <clip>'))!;
    await emitNow({ type: 'video.failed', companyId, projectId, videoId, reason: 'ENCODE_FAILED', step: null });
    await settle();

    const list = await owner.client.notification.list.query({});
    expect(list.items[0]).toMatchObject({
      kind: 'video.failed',
      params: { reason: 'ENCODE_FAILED', title: 'Wedding <clip>' },
    });
    expect((await owner.client.notification.unreadCount.query()).unread).toBe(1);
    const [mail, extra] = await waitUntil(
      'the notification mail',
      () => mailsTo(owner.email),
      (m) => m.length > 0,
      { timeout: 20_000 },
    );
    expect(extra).toBeUndefined();
    expect(mail!.subject).toBe('Video failed: Wedding <clip>');
    expect(mail!.html).toContain('Wedding &lt;clip&gt;');
    const line = (key: string) => mail!.headerLines.find((h) => h.key === key)!.line.replace(/^[^:]+:\s*/, '');
    const header = line('list-unsubscribe');
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(pushed.filter((p) => p.to === 'ExponentPushToken[owner-device-1]')).toHaveLength(1);

    // The stored mail row has no token, only the scope.
    const [row] = await deps.orm
      .fork()
      .execute<{ params: string }[]>(`select params::text as params from email_message where recipient = ?`, [
        owner.email,
      ]);
    const unsubscribeUrl = String(header).replace(/^<|>$/g, '');
    const token = new URL(unsubscribeUrl).searchParams.get('token')!;
    expect(row!.params).not.toContain(token);

    // GET asks (changes nothing); the one-click POST turns the email preference off.
    const page = await fetch(unsubscribeUrl, { headers: { 'accept-language': 'ru' } });
    expect(await page.text()).toContain('Отписаться');
    expect(
      (await owner.client.notification.preferences.query()).kinds.find((k) => k.kind === 'video.failed')!.channels.email
        .enabled,
    ).toBe(true);
    const post = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    expect(
      (await fetch(`${platform.baseUrl}/unsubscribe?token=forged.token`, { method: 'POST', body: '' })).status,
    ).toBe(400);
    const prefs = await owner.client.notification.preferences.query();
    const failed = prefs.kinds.find((k) => k.kind === 'video.failed')!;
    expect(failed.channels).toMatchObject({
      email: { enabled: false },
      'in-app': { enabled: true },
      push: { enabled: true },
    });

    // Another failure: in-app and push still come, email does not.
    const second = (await video(owner, projectId, 'Second'))!;
    await emitNow({ type: 'video.failed', companyId, projectId, videoId: second, reason: 'PROBE_FAILED', step: null });
    await settle();
    expect(await mailsTo(owner.email)).toHaveLength(1);
    expect((await owner.client.notification.unreadCount.query()).unread).toBe(2);
    expect(pushed.filter((p) => p.to === 'ExponentPushToken[owner-device-1]')).toHaveLength(2);

    await owner.client.notification.markRead.mutate({ ids: [list.items[0]!.id] });
    expect((await owner.client.notification.unreadCount.query()).unread).toBe(1);
    await owner.client.notification.markAllRead.mutate();
    expect((await owner.client.notification.unreadCount.query()).unread).toBe(0);
  });

  it('sends nothing to a removed member, and nothing twice when the event is delivered again', async () => {
    const owner = await registerUser(client);
    const admin = await registerUser(client, 'Removed Admin');
    const { companyId } = await company(owner);
    await addMember(companyId, admin, 'admin');
    await admin.client.notification.registerPushToken.mutate({ token: 'ExponentPushToken[removed-admin-1]' });
    await emitNow({ type: 'quota.warning', companyId, thresholdPercent: 80, usedBytes: 80, quotaBytes: 100 });
    await settle();
    expect(await notificationsOf(admin.userId)).toHaveLength(1);
    expect(await mailsTo(admin.email)).toHaveLength(1);
    expect(pushed.filter((p) => p.to === 'ExponentPushToken[removed-admin-1]')).toHaveLength(1);

    // Redelivery: forget the consumer's deliveries; the dispatcher hands the events over again.
    const em = deps.orm.fork();
    await em.execute(
      `delete from outbox_delivery where consumer = 'notifications' and event_id in (select id from outbox_event where company_id = ?)`,
      [companyId],
    );
    await em.execute(`update outbox_event set delivered_at = null where company_id = ?`, [companyId]);
    await em.execute(`select graphile_worker.add_job('outbox:dispatch', '{}'::json, queue_name => 'outbox')`);
    await settle();
    expect(await mailsTo(admin.email)).toHaveLength(1);
    expect(pushed.filter((p) => p.to === 'ExponentPushToken[removed-admin-1]')).toHaveLength(1);

    // Removed: the next event reaches the owner only.
    await em.execute('delete from membership where company_id = ? and user_id = ?', [companyId, admin.userId]);
    await emitNow({ type: 'quota.warning', companyId, thresholdPercent: 100, usedBytes: 100, quotaBytes: 100 });
    await settle();
    expect(await notificationsOf(admin.userId)).toHaveLength(1);
    expect(await mailsTo(admin.email)).toHaveLength(1);
    expect(pushed.filter((p) => p.to === 'ExponentPushToken[removed-admin-1]')).toHaveLength(1);
    expect((await notificationsOf(owner.userId)).map((n) => n.kind)).toEqual(['quota.warning', 'quota.full']);
    // Nor does the removed member see the company's old notifications.
    expect((await admin.client.notification.list.query({})).items).toHaveLength(0);
  });

  it('pushes in batches of at most 100 and removes tokens Expo answers DeviceNotRegistered (tickets and receipts)', async () => {
    const owner = await registerUser(client);
    const { companyId, projectId } = await company(owner);
    const em = deps.orm.fork();
    const tokens = Array.from({ length: 150 }, (_, i) => `ExponentPushToken[batch-${companyId.slice(0, 8)}-${i}]`);
    for (const t of tokens) await owner.client.notification.registerPushToken.mutate({ token: t, platform: 'android' });
    deadTokens.add(tokens[3]!);
    receiptDead.add(tokens[140]!);
    const before = sendBatches.length;
    const videoId = (await video(owner, projectId, 'Batch'))!;
    await emitNow({ type: 'video.failed', companyId, projectId, videoId, reason: 'ENCODE_FAILED', step: null });
    await settle();
    expect(sendBatches.slice(before)).toEqual([100, 50]);
    const left = await em.execute<{ token: string }[]>('select token from push_token where user_id = ?', [
      owner.userId,
    ]);
    expect(left).toHaveLength(148);
    expect(left.map((r) => r.token)).not.toContain(tokens[3]);
    expect(left.map((r) => r.token)).not.toContain(tokens[140]);
    // Sign-out removes the device's token.
    await owner.client.notification.unregisterPushToken.mutate({ token: tokens[0]! });
    expect(await em.execute('select 1 from push_token where token = ?', [tokens[0]])).toHaveLength(0);
  });

  it(
    'reminds of expiry once per threshold across worker restarts, never for archived or deleted items',
    { timeout: 90_000 },
    async () => {
      const owner = await registerUser(client);
      const { companyId, projectId } = await company(owner);
      const day = 86_400_000;
      const make = async (title: string, inMs: number) => {
        const item = await owner.client.arContent.create.mutate({ projectId, title });
        await deps.orm
          .fork()
          .execute('update ar_content set expires_at = ? where id = ?', [new Date(Date.now() + inMs), item.id]);
        return item.id as string;
      };
      const in20 = await make('In twenty days', 20 * day);
      const in3 = await make('In three days', 3 * day);
      const in12h = await make('In half a day', 12 * 3600_000);
      const archived = await make('Archived', 3 * day);
      const deleted = await make('Deleted', 3 * day);
      const em = deps.orm.fork();
      await em.execute(`update ar_content set status = 'ARCHIVED', archived_at = now() where id = ?`, [archived]);
      await em.execute(`update ar_content set deleted_at = now() where id = ?`, [deleted]);

      const runCron = () => em.execute(`select graphile_worker.add_job('ar-content:expiring', '{}'::json)`);
      await runCron();
      await settle();
      await runCron();
      await settle();
      // A worker restart: a new worker process runs the cron again (and stays, for the tests after this one).
      await worker.stop();
      const { startWorker } = await import('@arvlite/worker');
      worker = await startWorker(deps, { concurrency: 2 });
      await runCron();
      await settle();
      const events = await em.execute<{ payload: { arContentId: string; thresholdDays: number } }[]>(
        `select payload from outbox_event where type = 'ar-content.expiring' and company_id = ?`,
        [companyId],
      );
      const byItem = Object.fromEntries(events.map((e) => [e.payload.arContentId, e.payload.thresholdDays]));
      expect(events).toHaveLength(3);
      expect(byItem).toEqual({ [in20]: 30, [in3]: 7, [in12h]: 1 });
      const notes = await notificationsOf(owner.userId);
      expect(
        notes
          .filter((n) => n.kind === 'ar-content.expiring')
          .map((n) => n.params.days)
          .sort(),
      ).toEqual([1, 30, 7]);

      // The company's own thresholds.
      await owner.client.notification.setExpiryReminderDays.mutate({ companyId, days: [14, 2] });
      expect((await owner.client.notification.expiryReminderDays.query({ companyId })).days).toEqual([14, 2]);
    },
  );
});

describe('send to the customer', () => {
  it('emails the viewer link and an inline QR code in the customer language and records it on the item', async () => {
    const owner = await registerUser(client);
    const { projectId } = await company(owner, 'en');
    const customer = `customer-${Date.now()}@example.com`;
    const item = await owner.client.arContent.create.mutate({
      projectId,
      title: 'Свадьба',
      customer: { name: 'Анна', email: customer },
    });
    const sent = await owner.client.arContent.sendToCustomer.mutate({ id: item.id, language: 'ru' });
    await settle();
    expect(sent.sentTo).toBe(customer);
    const [mail] = await waitUntil(
      "the customer's mail",
      () => mailsTo(customer, true),
      (m) => m.length > 0,
      { timeout: 20_000 },
    );
    expect(mail!.subject).toBe('Ваше AR-фото «Свадьба»');
    expect(mail!.text).toContain('Здравствуйте, Анна!');
    const [row] = await deps.orm
      .fork()
      .execute<{ public_id: string; customer_link_sent_to: string }[]>(
        'select public_id, customer_link_sent_to from ar_content where id = ?',
        [item.id],
      );
    expect(mail!.text).toContain(`${deps.config.http.publicUrl}/v/${row!.public_id}`);
    expect(row!.customer_link_sent_to).toBe(customer);
    const qr = mail!.attachments.find((a) => a.contentType === 'image/png');
    expect(qr?.cid).toBeTruthy();
    // mailparser inlines cid: images as data: URLs; the raw mail references the attachment by its Content-ID.
    expect(mail!.html).toContain('data:image/png;base64,');
    expect((await readStoredMails(mailDir)).some((f) => f.raw.toString('utf8').includes(`cid:${qr!.cid}`))).toBe(true);
    expect(mail!.html).not.toMatch(/<img[^>]+src="https?:/i);
    // The development mailbox shows it, escaped, in a sandboxed frame.
    const files = await readStoredMails(mailDir);
    const file = files.find((f) => f.raw.toString('utf8').includes(customer))!.file;
    // The platform here relays through SMTP_URL (no mailbox); a server configured as `pnpm start` runs it has one.
    const { buildServer } = await import('@arvlite/server');
    const devConfig = { ...deps.config, mail: { ...deps.config.mail, embedded: true, dir: mailDir } };
    // Without the dashboard's files (a built apps/web/dist would answer unknown pages with the dashboard).
    const noDashboard = { webDist: '/nonexistent/arvlite-web-dist' };
    const dev = await buildServer({ ...deps, config: devConfig }, noDashboard);
    const listing = await dev.inject({ method: 'GET', url: '/dev/mailbox' });
    expect(listing.body).toContain('Ваше AR-фото «Свадьба»');
    const shown = (await dev.inject({ method: 'GET', url: `/dev/mailbox/${file}` })).body;
    expect((await dev.inject({ method: 'GET', url: '/dev/mailbox/..%2Fsecrets.json' })).statusCode).toBe(404);
    const prod = await buildServer({ ...deps, config: { ...devConfig, env: 'production' } }, noDashboard);
    expect((await prod.inject({ method: 'GET', url: '/dev/mailbox' })).statusCode).toBe(404);
    await dev.close();
    await prod.close();
    expect(shown).toContain('<iframe title="HTML part" sandbox=""');
    expect(shown).not.toMatch(/<script/i);
  });

  it('refuses viewers (editor+ only)', async () => {
    const owner = await registerUser(client);
    const viewer = await registerUser(client);
    const { companyId, projectId } = await company(owner);
    await addMember(companyId, viewer, 'viewer');
    const item = await owner.client.arContent.create.mutate({
      projectId,
      title: 'X',
      customer: { email: 'c@example.com' },
    });
    await expect(viewer.client.arContent.sendToCustomer.mutate({ id: item.id })).rejects.toThrow(/editor/);
  });
});

describe('live notifications across server processes', () => {
  it('an SSE subscriber on a second server process receives a notification the worker delivered', async () => {
    const owner = await registerUser(client);
    const { companyId, projectId } = await company(owner);
    const serverMain = path.resolve(import.meta.dirname, '../../../apps/server/src/main.ts');
    // A child must be given its port: a fresh one per try until the server itself says it listens (spawnListening).
    const { child, port } = await spawnListening(
      (p) =>
        spawn(process.execPath, [serverMain], {
          env: {
            ...processEnv(),
            NODE_ENV: 'test',
            LOG_LEVEL: 'info',
            HOST: '127.0.0.1',
            PORT: String(p),
            PUBLIC_URL: deps.config.http.publicUrl,
            DATABASE_URL: deps.config.database.url,
            S3_ENDPOINT: deps.config.s3.endpoint,
            S3_BUCKET: deps.config.s3.bucket,
            AUTH_JWT_SECRET: inject('testServices').authSecret,
            SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      { listening: /"msg":"server listening"/ },
    );
    try {
      const second = createArvliteNodeClient({
        url: `http://127.0.0.1:${port}/trpc`,
        getAccessToken: () => owner.accessToken,
      });
      const seen: { unread: number; latest: { kind: string } | null }[] = [];
      const sub = second.notification.onChange.subscribe(undefined, {
        onData: (d) => seen.push(d as (typeof seen)[number]),
        onError: (e) => console.error('notification stream failed', e),
      });
      try {
        await waitUntil(
          'the first state on the stream',
          async () => seen.length,
          (n) => n > 0,
          { timeout: 10_000 },
        );
        expect(seen[0]!.unread).toBe(0);
        const videoId = (await video(owner, projectId, 'Live one'))!;
        await emitNow({ type: 'video.ready', companyId, projectId, videoId });
        await waitUntil(
          'one unread on the stream',
          async () => seen.at(-1)?.unread ?? 0,
          (n) => n === 1,
          { timeout: 15_000 },
        );
        expect(seen.at(-1)).toMatchObject({ unread: 1, latest: { kind: 'video.ready' } });
        // Marking read on the first server reaches the stream on the second.
        await owner.client.notification.markAllRead.mutate();
        await waitUntil(
          'none unread on the stream',
          async () => seen.at(-1)?.unread ?? -1,
          (n) => n === 0,
          { timeout: 10_000 },
        );
        expect(seen.at(-1)!.unread).toBe(0);
      } finally {
        sub.unsubscribe();
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    // A second server process to start and a worker's delivery to wait for: over 30 s on a loaded 2-core machine.
  }, 120_000);
});

void queueMail;
