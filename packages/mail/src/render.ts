// Templates: every mail kind as a subject, a plain-text part and an HTML part in the recipient's language.
// Pure: no transport, no I/O. Every interpolated value is HTML-escaped here; the mail carries no remote image.
import { mailParamsSchemas, type Language, type MailKind, type ParsedMailParams } from '@arvlite/contract';
import { createI18n, formatBytes, formatDateTime, type I18n } from '@arvlite/i18n';
import { mail as mailEn } from './locales/en.ts';
import { mail as mailRu } from './locales/ru.ts';

/** Where a mail's links lead, resolved at send time (a link with a token never sits in the database). */
export interface MailLinks {
  /** The main button (accept, confirm, reset, or a notification's action). */
  action?: string;
  /** List-Unsubscribe target; notification mails only. */
  unsubscribe?: string;
  /** Content-ID of an attached image (the customer link's QR code) shown inline: part of the mail, nothing remote. */
  inlineImageCid?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const i18nByLanguage = new Map<Language, I18n>();
function i18nFor(language: Language): I18n {
  let i18n = i18nByLanguage.get(language);
  if (!i18n) {
    i18n = createI18n({ language, resources: { en: { mail: mailEn }, ru: { mail: mailRu } }, defaultNS: 'mail' });
    i18nByLanguage.set(language, i18n);
  }
  return i18n;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The subject alone (queueMail stores it in the email log when the mail is queued). */
export function renderSubject<K extends MailKind>(kind: K, params: ParsedMailParams<K>, language: Language): string {
  const t = i18nFor(language).t;
  switch (kind) {
    case 'invitation':
      return t('invitation.subject', { company: (params as ParsedMailParams<'invitation'>).companyName });
    case 'verify-email':
      return t('verifyEmail.subject');
    case 'password-reset':
      return t('passwordReset.subject');
    case 'notification':
      return (params as ParsedMailParams<'notification'>).subject;
    case 'customer-link': {
      const p = params as ParsedMailParams<'customer-link'>;
      return t('customerLink.subject', { title: p.title });
    }
    case 'customer-upload':
      return t('customerUpload.subject', { title: (params as ParsedMailParams<'customer-upload'>).title });
    case 'invoice': {
      const p = params as ParsedMailParams<'invoice'>;
      return t(p.kind === 'CREDIT_NOTE' ? 'invoice.subjectCredit' : 'invoice.subject', { number: p.number });
    }
  }
  throw new Error(`unknown mail kind ${String(kind)}`);
}

interface Body {
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  after: string[];
}

function bodyOf<K extends MailKind>(kind: K, params: ParsedMailParams<K>, language: Language, links: MailLinks): Body {
  const t = i18nFor(language).t;
  const action = (label: string) => (links.action ? { label, url: links.action } : undefined);
  switch (kind) {
    case 'invitation': {
      const p = params as ParsedMailParams<'invitation'>;
      const vars = { company: p.companyName, inviter: p.inviterName ?? '', role: t(`roles.${p.role}`) };
      return {
        heading: t('invitation.heading', vars),
        paragraphs: [t(p.inviterName ? 'invitation.bodyBy' : 'invitation.body', vars)],
        action: action(t('invitation.action')),
        after: [
          t('invitation.expires', { date: formatDateTime(p.expiresAt, language, 'UTC') + ' UTC' }),
          t('footer.ignore'),
        ],
      };
    }
    case 'verify-email': {
      const p = params as ParsedMailParams<'verify-email'>;
      return {
        heading: t('verifyEmail.heading'),
        paragraphs: [
          p.userName ? t('verifyEmail.greeting', { name: p.userName }) : t('verifyEmail.greetingAnon'),
          t('verifyEmail.body'),
        ],
        action: action(t('verifyEmail.action')),
        after: [t('verifyEmail.expires'), t('footer.ignore')],
      };
    }
    case 'password-reset': {
      const p = params as ParsedMailParams<'password-reset'>;
      return {
        heading: t('passwordReset.heading'),
        paragraphs: [
          p.userName ? t('passwordReset.greeting', { name: p.userName }) : t('passwordReset.greetingAnon'),
          t('passwordReset.body'),
        ],
        action: action(t('passwordReset.action')),
        after: [t('passwordReset.expires', { count: p.validMinutes }), t('footer.ignore')],
      };
    }
    case 'customer-link': {
      const p = params as ParsedMailParams<'customer-link'>;
      return {
        heading: t('customerLink.heading'),
        paragraphs: [
          p.customerName ? t('customerLink.greeting', { name: p.customerName }) : t('customerLink.greetingAnon'),
          t('customerLink.body', { title: p.title }),
        ],
        action: action(t('customerLink.action')),
        after: [],
      };
    }
    case 'customer-upload': {
      const p = params as ParsedMailParams<'customer-upload'>;
      return {
        heading: t('customerUpload.heading'),
        paragraphs: [
          p.customerName ? t('customerUpload.greeting', { name: p.customerName }) : t('customerUpload.greetingAnon'),
          t('customerUpload.body', { title: p.title }),
        ],
        action: action(t('customerUpload.action')),
        after: [
          t('customerUpload.limits', {
            size: formatBytes(p.maxBytes, language),
            date: formatDateTime(p.expiresAt, language, 'UTC') + ' UTC',
          }),
          t('footer.ignore'),
        ],
      };
    }
    case 'invoice': {
      const p = params as ParsedMailParams<'invoice'>;
      const credit = p.kind === 'CREDIT_NOTE';
      return {
        heading: t(credit ? 'invoice.headingCredit' : 'invoice.heading', { order: p.orderNumber }),
        paragraphs: [
          p.customerName ? t('invoice.greeting', { name: p.customerName }) : t('invoice.greetingAnon'),
          t(credit ? 'invoice.bodyCredit' : 'invoice.body', { number: p.number, total: p.total }),
        ],
        action: action(t('invoice.action')),
        after: [t('invoice.expires', { date: formatDateTime(p.expiresAt, language, 'UTC') + ' UTC' })],
      };
    }
    case 'notification': {
      const p = params as ParsedMailParams<'notification'>;
      return {
        heading: p.heading ?? p.subject,
        paragraphs: p.paragraphs,
        action: p.action ? action(p.action.label) : undefined,
        after: [],
      };
    }
  }
  throw new Error(`unknown mail kind ${String(kind)}`);
}

/** A mail's subject, text and HTML. `companyName` brands it (a text logo: no image to fetch or attach). */
export function renderMail<K extends MailKind>(
  kind: K,
  rawParams: unknown,
  opts: { language: Language; companyName: string | null; links: MailLinks },
): RenderedMail {
  const params = mailParamsSchemas[kind].parse(rawParams) as ParsedMailParams<K>;
  const { language, companyName, links } = opts;
  const t = i18nFor(language).t;
  const subject = renderSubject(kind, params, language);
  const body = bodyOf(kind, params, language, links);
  const product = t('product');
  const footer = companyName
    ? t('footer.sentBy', { product, company: companyName })
    : t('footer.sentByProduct', { product });

  const text = [
    companyName ?? product,
    '',
    body.heading,
    '',
    ...body.paragraphs.flatMap((p) => [p, '']),
    ...(body.action ? [`${body.action.label}: ${body.action.url}`, ''] : []),
    ...body.after.flatMap((p) => [p, '']),
    '-- ',
    footer,
    ...(links.unsubscribe ? [`${t('footer.unsubscribe')}: ${links.unsubscribe}`] : []),
  ].join('\n');

  const e = escapeHtml;
  const brand = companyName ?? product;
  const initial = [...brand.trim()][0]?.toUpperCase() ?? 'A';
  const p = (s: string, style = 'margin:0 0 16px;font-size:15px;line-height:1.5;color:#212529') =>
    `<p style="${style}">${e(s)}</p>`;
  const html = `<!doctype html>
<html lang="${language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
<body style="margin:0;padding:0;background:#f1f3f5;font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f3f5;padding:24px 0">
<tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:8px;padding:32px">
<tr><td>
<table role="presentation" cellpadding="0" cellspacing="0" style="margin-bottom:24px"><tr>
<td style="width:36px;height:36px;background:#7048e8;border-radius:8px;color:#ffffff;font-weight:700;font-size:18px;text-align:center;vertical-align:middle">${e(initial)}</td>
<td style="padding-left:10px;font-weight:700;font-size:18px;color:#212529">${e(brand)}</td>
</tr></table>
<h1 style="margin:0 0 16px;font-size:22px;color:#212529">${e(body.heading)}</h1>
${body.paragraphs.map((s) => p(s)).join('\n')}
${
  body.action
    ? `<p style="margin:24px 0"><a href="${e(body.action.url)}" style="display:inline-block;background:#7048e8;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${e(body.action.label)}</a></p>
${p(t('footer.linkFallback'), 'margin:0 0 4px;font-size:13px;color:#868e96')}
<p style="margin:0 0 16px;font-size:13px;word-break:break-all"><a href="${e(body.action.url)}" style="color:#7048e8">${e(body.action.url)}</a></p>`
    : ''
}
${
  links.inlineImageCid
    ? `<p style="margin:0 0 16px"><img src="cid:${e(links.inlineImageCid)}" width="200" height="200" alt="${e(t('customerLink.qrAlt'))}" style="display:block;width:200px;height:200px"></p>`
    : ''
}
${body.after.map((s) => p(s, 'margin:0 0 12px;font-size:13px;line-height:1.5;color:#868e96')).join('\n')}
<hr style="border:none;border-top:1px solid #e9ecef;margin:24px 0 16px">
${p(footer, 'margin:0;font-size:12px;color:#adb5bd')}
${links.unsubscribe ? `<p style="margin:8px 0 0;font-size:12px"><a href="${e(links.unsubscribe)}" style="color:#868e96">${e(t('footer.unsubscribe'))}</a></p>` : ''}
</td></tr></table>
</td></tr></table>
</body>
</html>
`;
  return { subject, text, html };
}
