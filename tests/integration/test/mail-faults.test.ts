// Mail faults against a relay this test controls (a real smtp-server instance): a 5xx is recorded and not retried,
// an unreachable relay delays the mail until it is back, and one address gets at most MAIL_RATE_LIMIT_PER_HOUR mails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoredMails, startSmtp, type SmtpHandle } from '@arvlite/dev-services';
import { queueMail } from '@arvlite/jobs';
import { freePort, waitUntil } from '@arvlite/test-utils';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../src/index.ts';

const relayPort = await freePort();
const relayDir = await mkdtemp(join(tmpdir(), 'arvlite-relay-'));
const startRelay = () =>
  startSmtp({
    dir: relayDir,
    port: relayPort,
    rejectRecipient: (to) => (to.startsWith('bounce') ? { code: 550, message: '5.1.1 No such user here' } : undefined),
  });
let relay: SmtpHandle | undefined = await startRelay();
afterAll(async () => {
  await relay?.stop();
  await rm(relayDir, { recursive: true, force: true });
});

const { deps } = await startTestPlatform({
  worker: true,
  env: { SMTP_URL: `smtp://user:s3cret@127.0.0.1:${relayPort}`, MAIL_RATE_LIMIT_PER_HOUR: '3' },
});

const note = {
  kind: 'notification' as const,
  language: 'en' as const,
  params: { subject: 'Hello', paragraphs: ['Hi'] },
};

async function queue(to: string): Promise<string> {
  return (await deps.orm.fork().transactional((tem) => queueMail(tem, { ...note, to }))).id;
}

interface Row {
  status: string;
  attempts: number;
  last_error: string | null;
}
async function row(id: string): Promise<Row> {
  const [r] = await deps.orm
    .fork()
    .execute<Row[]>('select status, attempts, last_error from email_message where id = ?', [id]);
  return r!;
}
describe('mail faults', () => {
  it('records a permanent refusal (550) as FAILED and does not retry it', async () => {
    const id = await queue(`bounce-${Date.now()}@example.com`);
    const r = await waitUntil(
      `mail ${id}`,
      () => row(id),
      (x) => x.status !== 'QUEUED',
    );
    expect(r.status).toBe('FAILED');
    expect(r.attempts).toBe(1);
    expect(r.last_error).toMatch(/550/);
    expect(r.last_error).not.toContain('s3cret');
    // The row turns FAILED inside the job's own transaction; graphile-worker deletes the job just after that commits.
    // A retried job would stay queued with its backoff (seconds to minutes), so it is still there when the poll ends.
    const jobsLeft = async () =>
      (
        await deps.orm
          .fork()
          .execute<{ n: number }[]>('select count(*)::int as n from graphile_worker.jobs where key = ?', [
            `mail:send:${id}`,
          ])
      )[0]!.n;
    await expect.poll(jobsLeft, { timeout: 10_000, interval: 100 }).toBe(0);
    expect((await row(id)).attempts).toBe(1);
  });

  it('keeps a mail while the relay is unreachable and sends it when the relay is back', async () => {
    await relay!.stop();
    relay = undefined;
    const to = `later-${Date.now()}@example.com`;
    const id = await queue(to);
    const failed = await waitUntil(
      `mail ${id}`,
      () => row(id),
      (x) => x.attempts >= 1 && x.last_error !== null,
    );
    expect(failed.status).toBe('QUEUED');
    expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(failed.last_error).not.toContain('s3cret');
    relay = await startRelay();
    const sent = await waitUntil(
      `mail ${id}`,
      () => row(id),
      (x) => x.status === 'SENT',
    );
    expect(sent.status).toBe('SENT');
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    const stored = await Promise.all((await readStoredMails(relayDir)).map((m) => simpleParser(m.raw)));
    expect(stored.filter((m) => m.subject === 'Hello' && JSON.stringify(m.to).includes(to))).toHaveLength(1);
  });

  it('suppresses mails to one address beyond the hourly limit', async () => {
    const to = `busy-${Date.now()}@example.com`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await queue(to));
    const rows = await Promise.all(
      ids.map((id) =>
        waitUntil(
          `mail ${id}`,
          () => row(id),
          (x) => x.status !== 'QUEUED',
        ),
      ),
    );
    expect(rows.filter((r) => r.status === 'SENT')).toHaveLength(3);
    const suppressed = rows.filter((r) => r.status === 'SUPPRESSED');
    expect(suppressed).toHaveLength(2);
    expect(suppressed[0]!.last_error).toMatch(/RATE_LIMITED/);
    // Another address is not affected.
    const other = await queue(`calm-${Date.now()}@example.com`);
    expect(
      (
        await waitUntil(
          `mail ${other}`,
          () => row(other),
          (x) => x.status !== 'QUEUED',
        )
      ).status,
    ).toBe('SENT');
  });
});
