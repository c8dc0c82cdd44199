// `/d?token=<token>`: the link in a customer's invoice mail (in the query, which request logs leave out). It outlives any presigned URL, so it answers a redirect to a
// fresh, short presigned GET of its one PDF; an unknown, malformed or expired token gets the same 404 page.
import { openDocumentLink, type ApiDeps } from '@arvlite/api';
import type { createFastify } from './app.ts';

type App = ReturnType<typeof createFastify>;

const notFound = {
  en: 'This link is not valid or has expired. Ask the sender for a new one.',
  ru: 'Ссылка недействительна или её срок истёк. Попросите отправителя прислать новую.',
} as const;

export async function registerDocumentLinks(app: App, deps: ApiDeps) {
  app.get<{ Querystring: { token?: unknown } }>('/d', async (req, reply) => {
    const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 100) : '';
    const url = await openDocumentLink(deps, token);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (url) return reply.redirect(url, 302);
    const lang = /^\s*ru\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'ru' : 'en';
    return reply
      .code(404)
      .header('content-type', 'text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>404</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">${notFound[lang]}</body></html>`,
      );
  });
}
