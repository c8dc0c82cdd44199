// mail:send: renders one mail of the email log in its recipient's language and hands it to the SMTP relay.
// Temporary failures (relay down, 4xx) throw, so graphile-worker retries with exponential backoff; a 5xx or a mail
// that cannot be rendered is recorded as FAILED and the job ends. Links with tokens are derived here, at send time.
import { MAIL_KINDS, isLanguage, type MailKind, type ParsedMailParams } from '@arvlite/contract';
import type { ServiceConfig } from '@arvlite/config';
import {
  customerUploadToken,
  documentLinkToken,
  emailVerificationToken,
  invitationToken,
  passwordResetToken,
  unsubscribeToken,
} from '@arvlite/domain';
import { renderMail, type MailLinks } from '@arvlite/mail';
import { qrPng, viewerLinks } from '@arvlite/marker';
import { describeSmtpFailure, isPermanentSmtpFailure, SmtpMailer } from '@arvlite/mail/transport';
import { mailDeliveries } from '@arvlite/telemetry';
import { defineTask } from '../define-task.ts';

interface MailRow {
  id: string;
  company_id: string | null;
  company_name: string | null;
  recipient: string;
  kind: string;
  language: string;
  params: unknown;
  status: string;
  attempts: number;
}

const mailers = new Map<string, SmtpMailer>();
function mailerFor(url: string): SmtpMailer {
  let mailer = mailers.get(url);
  if (!mailer) {
    mailer = new SmtpMailer(url);
    mailers.set(url, mailer);
  }
  return mailer;
}

/** Content-ID of the customer link mail's QR code (an inline PNG attachment). */
const CUSTOMER_QR_CID = 'viewer-qr@arvlite';

/** Where the mail's links lead; tokens come from ids with the servers' keys, as the API derived them. */
export function linksOf(kind: MailKind, params: unknown, config: ServiceConfig): MailLinks {
  const base = config.http.publicUrl;
  switch (kind) {
    case 'invitation': {
      const p = params as ParsedMailParams<'invitation'>;
      return { action: `${base}/invite#${invitationToken(config.auth.invitationKey, p.invitationId)}` };
    }
    case 'verify-email': {
      const p = params as ParsedMailParams<'verify-email'>;
      return { action: `${base}/verify-email#${emailVerificationToken(config.auth.emailVerificationKey, p.tokenId)}` };
    }
    case 'password-reset': {
      const p = params as ParsedMailParams<'password-reset'>;
      return { action: `${base}/reset-password#${passwordResetToken(config.auth.passwordResetKey, p.requestId)}` };
    }
    case 'customer-link': {
      const p = params as ParsedMailParams<'customer-link'>;
      return { action: viewerLinks(base, p.publicId).url, inlineImageCid: CUSTOMER_QR_CID };
    }
    case 'customer-upload': {
      const p = params as ParsedMailParams<'customer-upload'>;
      return { action: `${base}/u#${customerUploadToken(config.auth.customerUploadKey, p.linkId)}` };
    }
    case 'invoice': {
      const p = params as ParsedMailParams<'invoice'>;
      return { action: `${base}/d?token=${documentLinkToken(config.auth.documentLinkKey, p.linkId)}` };
    }
    case 'notification': {
      const p = params as ParsedMailParams<'notification'>;
      return {
        ...(p.action ? { action: `${base}${p.action.path}` } : {}),
        ...(p.unsubscribeToken || p.unsubscribe
          ? {
              unsubscribe: `${base}/unsubscribe?token=${encodeURIComponent(
                p.unsubscribe
                  ? unsubscribeToken(config.notifications.unsubscribeKey, p.unsubscribe)
                  : p.unsubscribeToken!,
              )}`,
            }
          : {}),
      };
    }
  }
}

export const mailSend = defineTask('mail:send', async ({ em, payload, deps, helpers, log }) => {
  const { config } = deps;
  // Claim the attempt: the row lock orders this against a concurrent copy, the advisory lock against other mails to
  // the same address (so the rate limit cannot be overrun by mails sent side by side).
  const claim = await em.fork().transactional(async (tem) => {
    const rows = await tem.execute<MailRow[]>(
      `select m.id::text as id, m.company_id::text as company_id, c.name as company_name, m.recipient, m.kind,
              m.language, m.params, m.status, m.attempts
         from email_message m left join company c on c.id = m.company_id
        where m.id = ? for update of m`,
      [payload.mailId],
    );
    const row = rows[0];
    if (!row || row.status !== 'QUEUED') return null; // gone (company deleted) or already final
    if (row.attempts === 0) {
      await tem.execute(`select pg_advisory_xact_lock(hashtextextended('email_message:' || ?, 0))`, [row.recipient]);
      const [{ n } = { n: 0 }] = await tem.execute<{ n: number }[]>(
        `select count(*)::int as n from email_message
          where recipient = ? and id <> ?::uuid and status in ('SENT', 'QUEUED')
            and last_attempt_at > now() - interval '1 hour'`,
        [row.recipient, row.id],
      );
      if (n >= config.mail.ratePerRecipientPerHour) {
        await tem.execute(`update email_message set status = 'SUPPRESSED', last_error = ? where id = ?::uuid`, [
          `RATE_LIMITED: more than ${config.mail.ratePerRecipientPerHour} mails to this address within an hour`,
          row.id,
        ]);
        log.warn({ mailId: row.id }, 'mail suppressed by the per-recipient rate limit');
        mailDeliveries.inc({ outcome: 'suppressed' });
        return null;
      }
    }
    await tem.execute('update email_message set attempts = attempts + 1, last_attempt_at = now() where id = ?::uuid', [
      row.id,
    ]);
    return row;
  });
  if (!claim) return;

  const fail = (error: string) =>
    em.execute(`update email_message set status = 'FAILED', last_error = ? where id = ?::uuid`, [
      error.slice(0, 500),
      claim.id,
    ]);

  let rendered;
  try {
    if (!(MAIL_KINDS as string[]).includes(claim.kind)) throw new Error(`unknown mail kind ${claim.kind}`);
    const kind = claim.kind as MailKind;
    const language = isLanguage(claim.language) ? claim.language : 'en';
    const links = linksOf(kind, claim.params, config);
    rendered = { ...renderMail(kind, claim.params, { language, companyName: claim.company_name, links }), links };
  } catch (err) {
    // Old rows outlive the code that wrote them: a mail that cannot be rendered never will be.
    await fail(`RENDER_FAILED: ${err instanceof Error ? err.message : String(err)}`);
    mailDeliveries.inc({ outcome: 'failed' });
    log.error({ err, mailId: claim.id }, 'mail could not be rendered');
    return;
  }

  // The customer link's QR code travels inside the mail (cid:), so no remote image is needed.
  const attachments =
    rendered.links.inlineImageCid && rendered.links.action
      ? [
          {
            filename: 'qr.png',
            content: await qrPng(rendered.links.action, { sizePx: 400 }),
            contentType: 'image/png',
            cid: rendered.links.inlineImageCid,
          },
        ]
      : undefined;
  const host = new URL(config.http.publicUrl).hostname || 'arvlite.localhost';
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  if (rendered.links.unsubscribe) {
    headers['List-Unsubscribe'] = `<${rendered.links.unsubscribe}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  try {
    const sent = await mailerFor(config.mail.smtpUrl).send({
      from: config.mail.from,
      to: claim.recipient,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      // One id per mail: a copy sent twice (a crash right after sending) carries the same Message-ID.
      messageId: `<${claim.id}@${host}>`,
      headers,
      ...(attachments ? { attachments } : {}),
    });
    await em.execute(
      `update email_message set status = 'SENT', sent_at = now(), message_id = ?, last_error = null where id = ?::uuid`,
      [sent.messageId.slice(0, 255), claim.id],
    );
    mailDeliveries.inc({ outcome: 'sent' });
  } catch (err) {
    const error = describeSmtpFailure(err);
    if (isPermanentSmtpFailure(err)) {
      await fail(error);
      mailDeliveries.inc({ outcome: 'failed' });
      log.warn({ mailId: claim.id, error }, 'mail refused by the relay; not retried');
      return;
    }
    const last = helpers.job.attempts >= helpers.job.max_attempts;
    if (last) await fail(`GAVE_UP after ${helpers.job.attempts} attempts: ${error}`);
    else await em.execute('update email_message set last_error = ? where id = ?::uuid', [error, claim.id]);
    mailDeliveries.inc({ outcome: last ? 'failed' : 'retry' });
    log.warn({ mailId: claim.id, error, attempt: helpers.job.attempts }, 'mail not sent; retried later');
    throw new Error(`mail ${claim.id} not sent: ${error}`);
  }
});
