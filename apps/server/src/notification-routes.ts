// Routes of the notifications outside tRPC: the unsubscribe link of notification mail (a confirm page on GET, the
// one-click POST of RFC 8058) and, in development with the embedded SMTP server, the mailbox that shows what was sent.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkUnsubscribeToken, unsubscribe, type ApiDeps } from '@arvlite/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { createFastify } from './app.ts';

type App = ReturnType<typeof createFastify>;
import { simpleParser } from 'mailparser';

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const texts = {
  en: {
    title: 'Unsubscribe',
    confirm: 'Stop receiving “{kind}” notifications by email?',
    button: 'Unsubscribe',
    done: 'Done: you will no longer receive “{kind}” notifications by email. You can turn them back on in your notification settings.',
    invalid: 'This unsubscribe link is not valid.',
  },
  ru: {
    title: 'Отписка',
    confirm: 'Больше не получать уведомления «{kind}» по электронной почте?',
    button: 'Отписаться',
    done: 'Готово: уведомления «{kind}» по электронной почте больше не придут. Включить их снова можно в настройках уведомлений.',
    invalid: 'Эта ссылка для отписки недействительна.',
  },
} as const;

const kindNames: Record<'en' | 'ru', Record<string, string>> = {
  en: {
    'video.ready': 'Video ready',
    'video.failed': 'Video failed',
    'marker.published': 'Marker published',
    'marker.poor-score': 'Marker detected poorly',
    'ar-content.expiring': 'AR content expiring',
    'ar-content.expired': 'AR content expired',
    'quota.warning': 'Storage nearly full',
    'quota.full': 'Storage full',
    'member.invited': 'Member invited',
    'member.joined': 'Member joined',
    'customer-upload.completed': 'Customer video to review',
    'marker.awaiting-confirmation': 'Marker awaiting confirmation',
  },
  ru: {
    'video.ready': 'Видео готово',
    'video.failed': 'Ошибка обработки видео',
    'marker.published': 'Маркер опубликован',
    'marker.poor-score': 'Маркер плохо распознаётся',
    'ar-content.expiring': 'Скоро истекает AR-контент',
    'ar-content.expired': 'AR-контент истёк',
    'quota.warning': 'Хранилище почти заполнено',
    'quota.full': 'Хранилище заполнено',
    'member.invited': 'Участник приглашён',
    'member.joined': 'Новый участник',
    'customer-upload.completed': 'Видео клиента на проверку',
    'marker.awaiting-confirmation': 'Маркер ждёт подтверждения',
  },
};

function languageOf(req: FastifyRequest): 'en' | 'ru' {
  const given = (req.query as { lang?: string }).lang ?? req.headers['accept-language'] ?? '';
  return /^\s*ru\b/i.test(String(given)) ? 'ru' : 'en';
}

function page(lang: 'en' | 'ru', title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#212529">${body}</body></html>`;
}

function tokenOf(req: FastifyRequest): string {
  const token = (req.query as { token?: unknown }).token;
  return typeof token === 'string' ? token.slice(0, 400) : '';
}

export async function registerUnsubscribe(app: App, deps: ApiDeps) {
  const send = (reply: FastifyReply, status: number, html: string) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);

  // GET never changes anything (mail scanners follow links): it asks, and its button POSTs.
  app.get('/unsubscribe', async (req, reply) => {
    const lang = languageOf(req);
    const t = texts[lang];
    const token = tokenOf(req);
    const scope = checkUnsubscribeToken(deps.config, token);
    if (!scope) return send(reply, 400, page(lang, t.title, `<p>${escapeHtml(t.invalid)}</p>`));
    const kind = kindNames[lang][scope.kind] ?? scope.kind;
    return send(
      reply,
      200,
      page(
        lang,
        t.title,
        `<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.confirm.replace('{kind}', kind))}</p>` +
          `<form method="post" action="/unsubscribe?token=${encodeURIComponent(token)}&amp;lang=${lang}">` +
          `<input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(t.button)}</button></form>`,
      ),
    );
  });

  // RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` (urlencoded or multipart) with no cookies.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_req, _body, done) => done(null, null));
    scope.post('/unsubscribe', async (req, reply) => {
      const lang = languageOf(req);
      const t = texts[lang];
      const done = await unsubscribe(deps, tokenOf(req));
      if (!done) return send(reply, 400, page(lang, t.title, `<p>${escapeHtml(t.invalid)}</p>`));
      const kind = kindNames[lang][done.kind] ?? done.kind;
      return send(reply, 200, page(lang, t.title, `<p>${escapeHtml(t.done.replace('{kind}', kind))}</p>`));
    });
  });
}

const MAIL_FILE = /^[A-Za-z0-9_.-]{1,200}\.eml$/;

/**
 * `/dev/mailbox`: the mails the embedded SMTP server kept (DATA_DIR/mail), newest first, each rendered with its
 * headers, text part and HTML part (in a sandboxed srcdoc iframe: no scripts, no same origin). Only registered when the
 * embedded server is in use outside production.
 */
export async function registerDevMailbox(app: App, deps: ApiDeps) {
  if (!deps.config.mail.embedded || deps.config.env === 'production') return;
  const dir = path.resolve(deps.config.mail.dir);
  const html = (reply: FastifyReply, body: string) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page('en', 'Development mailbox', body));

  app.get('/dev/mailbox', async (_req, reply) => {
    let files: string[] = [];
    try {
      files = (await readdir(dir))
        .filter((f) => MAIL_FILE.test(f))
        .sort()
        .reverse()
        .slice(0, 200);
    } catch {
      files = [];
    }
    const rows = await Promise.all(
      files.map(async (file) => {
        const mail = await simpleParser(await readFile(path.join(dir, file)));
        return `<tr><td>${escapeHtml(mail.date?.toISOString() ?? '')}</td><td>${escapeHtml(mail.to ? (Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to.text) : '')}</td><td><a href="/dev/mailbox/${encodeURIComponent(file)}">${escapeHtml(mail.subject ?? '(no subject)')}</a></td></tr>`;
      }),
    );
    return html(
      reply,
      `<h1>Development mailbox</h1><p>Mails the embedded SMTP server received (${escapeHtml(dir)}); nothing was delivered onward.</p>` +
        (rows.length === 0
          ? '<p>No mail yet.</p>'
          : `<table cellpadding="6"><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.join('')}</tbody></table>`),
    );
  });

  app.get<{ Params: { file: string } }>('/dev/mailbox/:file', async (req, reply) => {
    const file = req.params.file;
    if (!MAIL_FILE.test(file)) return reply.code(404).send({ error: 'not found' });
    let raw: Buffer;
    try {
      raw = await readFile(path.join(dir, file));
    } catch {
      return reply.code(404).send({ error: 'not found' });
    }
    const mail = await simpleParser(raw);
    // Inline images (cid:) become data: URLs so the sandboxed copy can show them without fetching anything.
    let body = typeof mail.html === 'string' ? mail.html : '';
    for (const a of mail.attachments) {
      if (a.cid && /^image\/(png|jpeg|gif|webp)$/.test(a.contentType)) {
        body = body.replaceAll(`cid:${a.cid}`, `data:${a.contentType};base64,${a.content.toString('base64')}`);
      }
    }
    const headers = mail.headerLines.map((h) => `<div>${escapeHtml(h.line.slice(0, 2000))}</div>`).join('');
    return html(
      reply,
      `<p><a href="/dev/mailbox">← Mailbox</a></p><h1>${escapeHtml(mail.subject ?? '(no subject)')}</h1>` +
        (body
          ? `<iframe title="HTML part" sandbox="" srcdoc="${escapeHtml(body)}" style="width:100%;height:640px;border:1px solid #dee2e6"></iframe>`
          : '') +
        `<h2>Text</h2><pre style="white-space:pre-wrap">${escapeHtml(mail.text ?? '')}</pre>` +
        `<details><summary>Headers</summary><div style="font-family:monospace;font-size:12px">${headers}</div></details>`,
    );
  });
}
