// `/storage/*`: what clients reach instead of a storage server when objects are on this machine's disk
// (STORAGE_PROVIDER=local). Not registered for S3 or Azure.
// - `/storage/tus`, `/storage/tus/:id`: tus 1.0 uploads, each request with its `Upload-Token` (one key, one size,
//   expiring; see @arvlite/storage local-disk-http.ts).
// - `PUT /storage/o/<key>?token=`: a single-request upload (presignPut), exactly the token's size, type and key.
// - `GET|HEAD /storage/o/<key>?exp=&sig=`: a signed download of one object, with single byte ranges (206).
// Errors are answered generically: the query holds a signature, so URLs are not logged with it.
import { byteRange, LocalDiskStorage, LocalUploadHandler, TUS_PATH, UploadRefusedError } from '@arvlite/storage';
import type { ApiDeps } from '@arvlite/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { createFastify } from './app.ts';

type App = ReturnType<typeof createFastify>;

/** What browsers may read of /storage/o answers (beside the API's own exposed headers). */
const EXPOSED = 'x-request-id, retry-after, etag, content-range, accept-ranges';

/** Unfinished uploads are dropped after the upload session's lifetime. */
const HOUR_MS = 3_600_000;

export async function registerStorageRoutes(app: App, deps: ApiDeps) {
  const storage = deps.storage;
  if (!(storage instanceof LocalDiskStorage)) return;
  const uploads = new LocalUploadHandler(storage, {
    allowedOrigins: deps.config.http.corsOrigins,
    expireAfterMs: deps.config.uploads.sessionTtlHours * HOUR_MS,
  });

  await app.register(async (scope) => {
    // tus bodies are read by @tus/server from the raw request; Fastify must leave them alone.
    scope.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
    const tus = (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      uploads.handle(req.raw, reply.raw).catch((err: unknown) => {
        req.log.error({ err }, 'tus request failed');
        if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
        else reply.raw.destroy();
      });
    };
    const methods = ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'] as const;
    // @tus/server answers CORS itself (its preflight allows PATCH, HEAD, DELETE and the tus and token headers).
    for (const url of [TUS_PATH, `${TUS_PATH}/:id`])
      scope.route({ method: [...methods], url, config: { cors: false }, handler: tus });
  });

  // Single-request uploads (presignPut): the token allows one key, one size, one type, until it expires.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.put<{ Params: { '*': string }; Querystring: { token?: string } }>('/storage/o/*', async (req, reply) => {
      reply.header('cache-control', 'no-store').header('access-control-expose-headers', EXPOSED);
      const grant = storage.verifyUpload(typeof req.query.token === 'string' ? req.query.token : '');
      if (!grant || grant.key !== req.params['*'] || req.headers['content-type'] !== grant.contentType)
        return reply.code(403).send({ error: 'forbidden' });
      // As S3 signs the length: a body of another size is not what the URL allows.
      if (req.headers['content-length'] !== String(grant.size))
        return reply.code(403).send({ error: `Content-Length must be ${grant.size}` });
      try {
        const etag = await storage.receive(grant, req.raw);
        return reply.code(200).header('etag', etag).send();
      } catch (err) {
        if (err instanceof UploadRefusedError)
          return reply.code(err.reason === 'exists' ? 412 : 400).send({ error: err.message });
        req.log.error({ err }, 'storage write failed');
        return reply.code(503).send({ error: 'unavailable', requestId: req.id });
      }
    });
  });

  // Browsers on the API's origins may PUT uploads and GET (with Range) objects: the preflight is answered here, since the
  // API's own CORS allows only GET, HEAD and POST.
  const origins = new Set(deps.config.http.corsOrigins);
  app.options('/storage/o/*', { config: { cors: false } }, async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origins.has(origin))
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', 'GET, HEAD, PUT')
        .header('access-control-allow-headers', 'content-type, range')
        .header('access-control-expose-headers', EXPOSED)
        .header('access-control-max-age', '600')
        .header('vary', 'origin');
    return reply.code(204).send();
  });

  app.get<{ Params: { '*': string }; Querystring: { exp?: string; sig?: string } }>(
    '/storage/o/*',
    async (req, reply) => {
      const key = req.params['*'];
      const exp = typeof req.query.exp === 'string' ? req.query.exp : '';
      const sig = typeof req.query.sig === 'string' ? req.query.sig.slice(0, 128) : '';
      reply
        .header('cache-control', 'private, max-age=60')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-expose-headers', EXPOSED);
      if (!storage.verifyGet(key, exp, sig)) return reply.code(403).send({ error: 'forbidden' });
      try {
        const meta = await storage.meta(key);
        if (!meta) return reply.code(404).send({ error: 'not found' });
        reply.header('accept-ranges', 'bytes').header('etag', meta.etag);
        const range = byteRange(req.headers.range, meta.size);
        if (range.status === 416)
          return reply
            .code(416)
            .header('content-range', `bytes */${meta.size}`)
            .send({ error: 'range not satisfiable' });
        reply.header('content-type', meta.contentType ?? 'application/octet-stream');
        if (meta.cacheControl) reply.header('cache-control', meta.cacheControl);
        reply.header('content-length', String(range.end - range.start + 1));
        if (range.status === 206)
          reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${meta.size}`);
        if (meta.size === 0) return reply.send('');
        return reply.send(storage.createReadStream(key, range));
      } catch (err) {
        req.log.error({ err }, 'storage read failed');
        return reply.code(503).send({ error: 'unavailable', requestId: req.id });
      }
    },
  );
}
