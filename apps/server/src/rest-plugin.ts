// REST at /api/v1 (the procedures that declare rest meta), the OpenAPI document at /api/openapi.json and its
// interactive docs (Scalar, from the package's own bundled script) at /docs. Bodies follow /trpc's rules: JSON only
// (anything else is 415 before a byte of it is read), at most Fastify's bodyLimit (1 MiB).
import { createHash } from 'node:crypto';
import {
  callRest,
  createContextInner,
  openApiDocument,
  restError,
  restInput,
  restRoutes,
  REST_BASE,
  type ApiDeps,
} from '@arvlite/api';
import scalar from '@scalar/fastify-api-reference';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { createFastify } from './app.ts';

export async function registerRestApi(app: ReturnType<typeof createFastify>, deps: ApiDeps) {
  let document: ReturnType<typeof openApiDocument> | undefined;
  // Built on first use: extensions (webhooks) register when their modules load, before anyone asks.
  const getDocument = () => (document ??= openApiDocument({ publicUrl: deps.config.http.publicUrl }));
  app.get('/api/openapi.json', async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*');
    return getDocument();
  });

  await app.register(
    async (api) => {
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
        if (body === '') return done(null, undefined);
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(Object.assign(new Error('The body is not valid JSON'), { statusCode: 400, trpcCode: 'PARSE_ERROR' }));
        }
      });
      const maxBodySize = app.initialConfig.bodyLimit ?? 1024 * 1024;
      api.addHook('onRequest', (req, reply, done) => {
        const refusal = refuseBody(req, maxBodySize);
        if (!refusal) return done();
        void reply.code(refusal.status).send({ code: refusal.code, message: refusal.message, requestId: req.id });
        // As /trpc does: the body is never read; the connection is cut if the client keeps sending.
        const socket = req.raw.socket;
        const cut = setTimeout(() => socket.destroy(), 1_000);
        req.raw.once('end', () => clearTimeout(cut));
        socket.once('close', () => clearTimeout(cut));
      });
      // Fastify's own refusals (a streamed body past the limit, bad JSON) in the same error object.
      api.setErrorHandler((err: Error & { statusCode?: number; trpcCode?: string }, req, reply) => {
        const status = err.statusCode ?? 500;
        if (status >= 500) req.log.error({ err }, 'REST request failed');
        const code =
          err.trpcCode ??
          ({ 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 400: 'BAD_REQUEST' } as Record<number, string>)[
            status
          ] ??
          'INTERNAL_SERVER_ERROR';
        const message = status >= 500 ? `Internal server error (request id ${req.id})` : err.message;
        return reply.code(status).send({ code, message, requestId: req.id });
      });
      api.setNotFoundHandler((req, reply) =>
        reply.code(404).send({
          code: 'NOT_FOUND',
          message: `No such endpoint: ${req.method} ${req.url.split('?')[0]}`,
          requestId: req.id,
        }),
      );

      for (const route of restRoutes()) {
        api.route({
          method: route.method,
          url: route.path.replace(/\{(\w+)\}/g, ':$1'),
          handler: async (req: FastifyRequest, reply: FastifyReply) => {
            const auth = req.headers.authorization;
            const ctx = createContextInner(deps, {
              requestId: req.id,
              ip: req.ip,
              userAgent: req.headers['user-agent']?.slice(0, 512),
              accessToken: auth?.startsWith('Bearer ') ? auth.slice(7) : undefined,
            });
            try {
              const input = restInput(route, req.params as Record<string, string>, req.body, req.query);
              const data = await callRest(ctx, route, input);
              reply.header('cache-control', 'no-store');
              return data;
            } catch (cause) {
              const { status, body, error } = restError(cause, { requestId: req.id, procedure: route.procedure, ctx });
              if (status >= 500)
                deps.log.error(
                  { err: error.cause ?? error, path: route.procedure, requestId: req.id },
                  'procedure failed',
                );
              const retryAfter = (error.cause as { details?: { retryAfterS?: number } } | undefined)?.details
                ?.retryAfterS;
              if (retryAfter) reply.header('retry-after', String(retryAfter));
              return reply.code(status).send(body);
            }
          },
        });
      }
    },
    { prefix: REST_BASE },
  );

  // Interactive docs from the package's bundled standalone script (/docs/js/scalar.js), never a CDN; the page's one
  // inline script is allowed by its hash, so the server's strict CSP stays on.
  await app.register(async (docs) => {
    docs.addHook('onSend', (req, reply, payload, done) => {
      if (typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html')) {
        const hashes = [...payload.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
          (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
        );
        reply.header(
          'content-security-policy',
          `default-src 'self'; script-src 'self' ${hashes.join(' ')}; style-src 'self' 'unsafe-inline'; ` +
            `img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; ` +
            `frame-ancestors 'none'; base-uri 'self'`,
        );
      }
      done(null, payload);
    });
    await docs.register(scalar, {
      routePrefix: '/docs',
      configuration: {
        url: '/api/openapi.json',
        pageTitle: 'ARVlite API',
        // No fonts from Scalar's CDN: the system's fonts are fine.
        withDefaultFonts: false,
        hideClientButton: true,
      },
    });
  });
}

function refuseBody(req: FastifyRequest, maxBodySize: number) {
  const raw = req.raw;
  const length = raw.headers['content-length'];
  const hasBody = raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return undefined;
  const given = raw.headers['content-type'];
  if (given?.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    const message = given === undefined ? 'Missing content-type header' : `Unsupported content-type "${given}"`;
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message };
  }
  if (length !== undefined && Number(length) > maxBodySize) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `Bodies are limited to ${maxBodySize} bytes` };
  }
  return undefined;
}
