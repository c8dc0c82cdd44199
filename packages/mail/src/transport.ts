// The SMTP side of mail: one nodemailer transport per relay URL, and how to read its failures. Worker only.
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Without angle brackets' surroundings decided by us: `<id@host>`. */
  messageId: string;
  headers: Record<string, string>;
  /** Inline images (referenced from the HTML as cid:<cid>). */
  attachments?: { filename: string; content: Buffer; contentType: string; cid: string }[];
}

export class SmtpMailer {
  readonly #transport: Transporter;

  constructor(smtpUrl: string) {
    this.#transport = nodemailer.createTransport(smtpUrl, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // Refuse a From/To/Subject nodemailer would have to fold across lines: we validate them first anyway.
      disableFileAccess: true,
      disableUrlAccess: true,
    } as never);
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string; response: string }> {
    const info = await this.#transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
      ...(mail.attachments ? { attachments: mail.attachments } : {}),
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return { messageId: String(info.messageId ?? mail.messageId), response: String(info.response ?? '') };
  }

  close(): void {
    this.#transport.close();
  }
}

/** The relay refused the mail for good (an SMTP 5xx reply): retrying cannot help. */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** A short, credential-free account of a failure for the email log (URLs lose their user info). */
export function describeSmtpFailure(err: unknown): string {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string } | null;
  const text = e?.response ?? e?.message ?? String(err);
  const parts = [e?.code, e?.responseCode ? String(e.responseCode) : undefined, text].filter(Boolean);
  return parts
    .join(' ')
    .replace(/([a-z]+:\/\/)[^@/\s]*@/gi, '$1')
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}
