// Mail end to end: a member invited over HTTP gets the invitation mail through the embedded SMTP server (a real
// smtp-server instance), parsed here with mailparser; redelivery sends nothing twice; header injection is refused;
// admins read the email log and another tenant gets NOT_FOUND.
import { queueMail, MailHeaderInjectionError, InvalidMailError } from '@arvlite/jobs';
import { waitFor } from '@arvlite/test-utils';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mailsTo, markEmailVerified, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

const { smtpPort, mailDir } = inject('testServices');
const { deps, client } = await startTestPlatform({
  worker: true,
  env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` },
});

async function verified(user: TestUser): Promise<TestUser> {
  await markEmailVerified(deps, user.userId);
  return user;
}

/** How long this file waits for a mail (mailsTo returns what has come by then). */
const MAIL_WAIT = 20_000;

async function mailRow(id: string) {
  const [row] = await deps.orm
    .fork()
    .execute<{ status: string; attempts: number; last_error: string | null; params: Record<string, unknown> }[]>(
      'select status, attempts, last_error, params from email_message where id = ?',
      [id],
    );
  return row!;
}

describe('mail', () => {
  it('sends the invitation mail in the company language, with text and HTML parts and the accept link', async () => {
    const owner = await verified(await registerUser(client, 'Olga Owner'));
    const company = await owner.client.company.create.mutate({ name: 'Фотостудия <Север>', language: 'ru' } as never);
    const invitee = `invitee-${Date.now()}@Example.COM`;
    const invited = await owner.client.member.invite.mutate({ companyId: company.id, email: invitee, role: 'editor' });

    const [mail, extra] = await mailsTo(mailDir, invitee.toLowerCase(), 1, MAIL_WAIT);
    expect(extra).toBeUndefined();
    expect(mail).toBeDefined();
    expect(mail!.subject).toContain('Фотостудия <Север>');
    expect(mail!.subject).toMatch(/Приглашение/);
    expect(mail!.text).toContain('Принять приглашение');
    expect(mail!.text).toContain('Olga Owner');
    expect(mail!.html).toContain('Фотостудия &lt;Север&gt;');
    expect(mail!.html).not.toContain('<Север>');
    expect(mail!.html).not.toMatch(/<img/i);
    // The link is the one the inviter was shown: same token, on PUBLIC_URL.
    expect(mail!.text).toContain(invited.acceptUrl);
    expect(invited.acceptUrl.startsWith(deps.config.http.publicUrl + '/invite#')).toBe(true);
    expect(mail!.html).toContain(invited.acceptUrl);
    expect(mail!.messageId).toMatch(/@127\.0\.0\.1>$/);
    expect(mail!.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(false);

    // The log holds no token.
    const rows = await deps.orm
      .fork()
      .execute<{ params: unknown; recipient: string }[]>(
        'select params, recipient from email_message where recipient = ?',
        [invitee.toLowerCase()],
      );
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(invited.token);

    // The accept link works for the invitee: the token in the mailed link makes them an editor of the company.
    const mailedToken = /\/invite#([^\s"<]+)/.exec(mail!.text ?? '')?.[1];
    expect(mailedToken).toBe(invited.token);
    const ivan = client(undefined, '10.77.0.1');
    const ivanPassword = 'a long enough passphrase 42';
    await ivan.auth.register.mutate({ email: invitee, password: ivanPassword, name: 'Ivan' });
    const session = await ivan.auth.login.mutate({ email: invitee, password: ivanPassword });
    await markEmailVerified(deps, session.user.id);
    const asIvan = client(() => session.accessToken, '10.77.0.1');
    await asIvan.auth.acceptInvite.mutate({ token: mailedToken! });
    expect((await asIvan.company.list.query()).map((c) => [c.id, c.role])).toEqual([[company.id, 'editor']]);
  });

  it('writes English mails for an English company', async () => {
    const owner = await verified(await registerUser(client, 'Eve Owner'));
    const company = await owner.client.company.create.mutate({ name: 'North Prints', language: 'en' } as never);
    const invitee = `en-${Date.now()}@example.com`;
    await owner.client.member.invite.mutate({ companyId: company.id, email: invitee, role: 'viewer' });
    const [mail] = await mailsTo(mailDir, invitee, 1, MAIL_WAIT);
    expect(mail!.subject).toBe('You are invited to North Prints on ARVlite');
    expect(mail!.text).toContain('Accept the invitation');
    expect(mail!.text).toContain('as viewer');
  });

  it('sends one mail when an event is delivered again', async () => {
    const owner = await verified(await registerUser(client));
    const company = await owner.client.company.create.mutate({ name: 'Redelivery Ltd' });
    const invitee = `again-${Date.now()}@example.com`;
    await owner.client.member.invite.mutate({ companyId: company.id, email: invitee, role: 'viewer' });
    await mailsTo(mailDir, invitee, 1, MAIL_WAIT);
    // Forget every delivery of the mail consumer and the event's delivered mark: the dispatcher delivers it again.
    const em = deps.orm.fork();
    await em.execute(
      `delete from outbox_delivery where consumer = 'mail' and event_id in (select id from outbox_event where type = 'member.invited' and company_id = ?)`,
      [company.id],
    );
    await em.execute(`update outbox_event set delivered_at = null where company_id = ?`, [company.id]);
    await em.transactional(async (tem) => {
      await tem.execute(`select graphile_worker.add_job('outbox:dispatch', '{}'::json, queue_name => 'outbox')`);
    });
    // Delivered again, and no mail job left queued or running: a second mail would have been sent by now.
    const count = async (sql: string, params: unknown[] = []) => (await em.execute<{ n: number }[]>(sql, params))[0]!.n;
    await waitFor(
      'the event delivered again and no mail left to send',
      async () =>
        (await count(`select count(*)::int as n from outbox_event where company_id = ? and delivered_at is null`, [
          company.id,
        ])) === 0 &&
        (await count(`select count(*)::int as n from graphile_worker._private_jobs j
                        join graphile_worker._private_tasks t on t.id = j.task_id
                       where t.identifier in ('outbox:dispatch', 'mail:send')`)) === 0,
      { timeout: 20_000 },
    );
    expect(await mailsTo(mailDir, invitee, 2, 1000)).toHaveLength(1);
    const [{ n }] = (await em.execute<{ n: number }[]>(
      'select count(*)::int as n from email_message where recipient = ?',
      [invitee],
    )) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('refuses header injection and bad addresses before anything is queued', async () => {
    const em = deps.orm.fork();
    const base = {
      kind: 'notification' as const,
      language: 'en' as const,
      params: { subject: 'Hi', paragraphs: ['x'] },
    };
    await expect(
      em.transactional((tem) => queueMail(tem, { ...base, to: 'a@example.com\r\nBcc: victim@example.com' })),
    ).rejects.toBeInstanceOf(MailHeaderInjectionError);
    await expect(
      em.transactional((tem) =>
        queueMail(tem, {
          ...base,
          to: 'a@example.com',
          params: { subject: 'Hi\r\nBcc: v@example.com', paragraphs: ['x'] },
        }),
      ),
    ).rejects.toBeInstanceOf(MailHeaderInjectionError);
    await expect(
      em.transactional((tem) =>
        queueMail(tem, {
          kind: 'invitation',
          to: 'a@example.com',
          language: 'en',
          params: {
            invitationId: crypto.randomUUID(),
            companyName: 'Evil\nX-Injected: 1',
            inviterName: null,
            role: 'viewer',
            expiresAt: new Date().toISOString(),
          },
        }),
      ),
    ).rejects.toBeInstanceOf(MailHeaderInjectionError);
    await expect(em.transactional((tem) => queueMail(tem, { ...base, to: 'not-an-address' }))).rejects.toBeInstanceOf(
      InvalidMailError,
    );
    // The API's invite answers BAD_REQUEST for the same thing.
    const owner = await verified(await registerUser(client));
    const company = await owner.client.company.create.mutate({ name: 'Inject Co' });
    await expect(
      owner.client.member.invite.mutate({
        companyId: company.id,
        email: 'x@example.com\r\nBcc: y@example.com',
        role: 'viewer',
      }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    // A queued notification normalizes the address and carries List-Unsubscribe when given a token.
    const to = `Notify-${Date.now()}@EXAMPLE.com`;
    const { id } = await em.transactional((tem) =>
      queueMail(tem, { ...base, to: ` ${to} `, params: { ...base.params, unsubscribeToken: 'tok-123' } }),
    );
    const [mail] = await mailsTo(mailDir, to.toLowerCase(), 1, MAIL_WAIT);
    const header = (name: string) => mail!.headerLines.find((h) => h.key === name)?.line;
    expect(header('list-unsubscribe')).toBe(
      `List-Unsubscribe: <${deps.config.http.publicUrl}/unsubscribe?token=tok-123>`,
    );
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail!.text).toBeTruthy();
    expect(mail!.html).toBeTruthy();
    expect((await mailRow(id)).status).toBe('SENT');
  });

  it('shows the email log to admins only, and NOT_FOUND to another tenant', async () => {
    const owner = await verified(await registerUser(client));
    const company = await owner.client.company.create.mutate({ name: 'Log Co' });
    const invitee = `log-${Date.now()}@example.com`;
    await owner.client.member.invite.mutate({ companyId: company.id, email: invitee, role: 'viewer' });
    await mailsTo(mailDir, invitee, 1, MAIL_WAIT);
    let log = await owner.client.mail.log.query({ companyId: company.id, limit: 10 });
    for (let i = 0; i < 50 && log.items[0]?.status !== 'SENT'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      log = await owner.client.mail.log.query({ companyId: company.id, limit: 10 });
    }
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ recipient: invitee, kind: 'invitation', status: 'SENT', attempts: 1 });
    expect(log.items[0]!.subject).toContain('Log Co');
    expect(Object.keys(log.items[0]!)).not.toContain('params');

    const stranger = await verified(await registerUser(client));
    await expect(stranger.client.mail.log.query({ companyId: company.id, limit: 10 })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });
});
