// The embedded SMTP server's mails for tests: wait for the mails to an address, parsed (mailparser), and their links.
import { readStoredMails } from '@arvlite/dev-services';
import { simpleParser, type ParsedMail } from 'mailparser';

export type { ParsedMail };

/** Waits until `count` mails to `to` are stored (or the time is up) and returns them, oldest first. */
export async function mailsTo(mailDir: string, to: string, count = 1, timeoutMs = 30_000): Promise<ParsedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const parsed = await Promise.all((await readStoredMails(mailDir)).map((m) => simpleParser(m.raw)));
    const mine = parsed.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(to)));
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first link in a mail's text part to `${baseUrl}${path}`, fragment included. */
export function mailLink(mail: ParsedMail, baseUrl: string, path: string): string {
  const escaped = `${baseUrl}${path}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const link = new RegExp(`${escaped}[^\\s<>"]*`).exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`No ${path} link in the mail "${mail.subject}"`);
  return link;
}
