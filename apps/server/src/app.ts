// Builds the Fastify app: tRPC at /trpc (batching + SSE subscriptions), health routes, request logging.
import { randomUUID } from 'node:crypto';
import {
  appRouter,
  closeChangeEvents,
  createContextInner,
  manifestCacheHeaders,
  PlaybackDenied,
  PlaybackUnavailable,
  sharedHealth,
  signedMediaText,
  type ApiDeps,
  type AppRouter,
} from '@arvlite/api';
import { jobMap } from '@arvlite/jobs';
import { httpDuration, metricsAccess, metricsText, registerDatabaseMetrics } from '@arvlite/telemetry';
import cors from '@fastify/cors';
import type { CreateFastifyContextOptions, FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController } from 'fastify';
import helmet from 'helmet';
import { registerRestApi } from './rest-plugin.ts';
import { registerDocumentLinks } from './document-routes.ts';
import { registerDevMailbox, registerUnsubscribe } from './notification-routes.ts';
import { registerPaymentRoutes } from './payment-routes.ts';
import { registerStorageRoutes } from './storage-routes.ts';
import { EventStreams } from './event-streams.ts';
import { trpcPlugin } from './trpc-plugin.ts';
import { contentSecurityDirectives, registerWebApp } from './web.ts';

export { registerWebApp };

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** The server: security headers, the shared routes and hooks, tRPC through our plugin, and the dashboard when built. */
export async function buildServer(deps: ApiDeps, opts: { webDist?: string; eventStreams?: EventStreams } = {}) {
  const app = createFastify(deps);
  // Helmet's headers from one middleware built here: @fastify/helmet builds a new one on every request, parsing the
  // CSP directives again each time (about 20 µs a request). Same headers, same order.
  const securityHeaders = helmet(helmetOptions(deps.config));
  app.addHook('onRequest', (req, reply, done) =>
    securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)),
  );
  await registerRoutes(app, deps);
  // The open SSE answers, for the process's shutdown to end (main.ts).
  const eventStreams = opts.eventStreams ?? new EventStreams();
  await app.register(trpcPlugin, { prefix: '/trpc', trpcOptions: trpcOptions(deps), eventStreams });
  // REST at /api/v1, the OpenAPI document at /api/openapi.json, docs at /docs.
  await registerRestApi(app, deps);
  // The dashboard, when apps/web has been built (`webDist`: default apps/web/dist; tests build their own).
  await registerWebApp(app, opts.webDist);
  return app;
}

export function createFastify(deps: ApiDeps) {
  return Fastify({
    loggerInstance: deps.log,
    // Requests are logged once, by our own hook, with the fields we choose.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(deps.config.http.trustProxy),
    bodyLimit: 1024 * 1024,
    // Honour a well-formed incoming request id so traces join up across proxies.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 5000 },
  });
}

type App = ReturnType<typeof createFastify>;

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes proxy-addr's hop rule (the socket peer and the next n-1
 * forwarded addresses are proxies), since this Fastify reads a bare number as "trust nothing". Addresses/CIDRs are
 * checked against each hop, so only requests that really came through those proxies get a forwarded address.
 */
export function trustProxyOption(trust: ApiDeps['config']['http']['trustProxy']) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

export const helmetOptions = (config: ApiDeps['config']) => ({
  contentSecurityPolicy: { directives: contentSecurityDirectives(config) },
});

/** CORS, request ids and request logs, /healthz, /readyz and the signed media texts: all but headers, tRPC and the app. */
export async function registerRoutes(app: App, deps: ApiDeps) {
  await app.register(cors, {
    origin: deps.config.http.corsOrigins,
    credentials: false,
    exposedHeaders: ['x-request-id', 'retry-after'],
  });

  // Callback hooks, not async ones: every request runs them, and an async hook costs a promise and a turn.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    // The route's pattern, never the path (ids), and one value for every path no route matched.
    httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? '(unmatched)', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const url = req.url.split('?')[0] ?? '';
    req.log.info(
      {
        reqId: req.id,
        method: req.method,
        procedure: url.startsWith('/trpc/') ? url.slice(6) : undefined,
        url: url.startsWith('/trpc/') ? undefined : url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Prometheus metrics: only with `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN the route does not
  // exist (404 like any unknown path). The database gauges are read at scrape time (see @arvlite/telemetry).
  registerDatabaseMetrics({
    knownTasks: Object.keys(jobMap),
    workerDeadAfterMs: deps.config.worker.deadAfterMs,
    query: (statements) =>
      deps.orm.fork().transactional(async (tem) => {
        await tem.execute('set transaction read only');
        await tem.execute('set local statement_timeout = 2000');
        const out: Record<string, unknown>[][] = [];
        for (const sql of statements) out.push(await tem.execute<Record<string, unknown>[]>(sql));
        return out;
      }),
  });
  app.get('/metrics', async (req, reply) => {
    const access = metricsAccess(req.headers.authorization, deps.config.telemetry.metricsTokenSha256);
    // Fastify's own 404 answer, sent here: the dashboard's not-found handler would answer index.html.
    if (access === 'not-found')
      return reply.code(404).send({ message: 'Route GET:/metrics not found', error: 'Not Found', statusCode: 404 });
    if (access === 'unauthorized')
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    const { body, contentType } = await metricsText();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });

  // HLS playlists and the storyboard WebVTT, rewritten so every URI inside is signed (see README, Playback). Every
  // error is answered here, generically: Fastify's own handler would send storage's message and log the URL, whose
  // query is the signature.
  app.get<{ Params: { videoId: string; file: string }; Querystring: { exp?: string; sig?: string } }>(
    '/media/:videoId/:file',
    async (req, reply) => {
      try {
        const { body, contentType } = await signedMediaText(deps, {
          videoId: req.params.videoId,
          file: req.params.file,
          exp: req.query.exp ?? '',
          sig: req.query.sig ?? '',
        });
        // A playlist still growing (the playable remux publishes segments as they land) is reloaded by players: it
        // must not be served from their cache.
        const growing = body.includes('#EXT-X-PLAYLIST-TYPE:EVENT') && !body.includes('#EXT-X-ENDLIST');
        reply.header('content-type', contentType).header('cache-control', growing ? 'no-cache' : 'private, max-age=60');
        reply.header('access-control-allow-origin', '*');
        return body;
      } catch (e) {
        if (e instanceof PlaybackDenied) return reply.code(404).send({ error: 'not found' });
        const err = e instanceof PlaybackUnavailable ? (e.cause ?? e) : e;
        req.log.error({ err, videoId: req.params.videoId, file: req.params.file }, 'media playlist failed');
        return reply.code(503).send({ error: 'unavailable', requestId: req.id });
      }
    },
  );
  app.addHook('onClose', async () => {
    await closeChangeEvents(deps.config.database.url);
  });
  await registerUnsubscribe(app, deps);
  await registerDevMailbox(app, deps);
  await registerDocumentLinks(app, deps);
  await registerPaymentRoutes(app, deps);
  await registerStorageRoutes(app, deps);
  app.get('/readyz', async (_req, reply) => {
    // Shared for a second across callers: anonymous load balancers and floods cost one check per second.
    const health = await sharedHealth({ em: deps.orm.fork(), storage: deps.storage, config: deps.config });
    reply.code(health.status === 'ok' ? 200 : 503);
    return {
      status: health.status,
      database: health.database.ok,
      storage: health.storage.ok,
      queue: health.queue.ok,
      workers: health.workers.length,
    };
  });
}

/** What tRPC is served with: the router, batching, the request's context, error logs and response headers. */
export function trpcOptions(deps: ApiDeps) {
  return {
    router: appRouter,
    allowBatching: true,
    maxBatchSize: 20,
    createContext: ({ req }: CreateFastifyContextOptions) => {
      const auth = req.headers.authorization;
      return createContextInner(deps, {
        requestId: req.id,
        ip: req.ip,
        userAgent: req.headers['user-agent']?.slice(0, 512),
        accessToken: auth?.startsWith('Bearer ') ? auth.slice(7) : undefined,
      });
    },
    onError({ error, path, ctx }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        deps.log.error({ err: error.cause ?? error, path, requestId: ctx?.requestId }, 'procedure failed');
      }
    },
    // Rate-limited calls, and calls refused while the database is unreachable, tell the client when to come back.
    responseMeta({ errors, paths, type, data, ctx }) {
      const limited = errors.find((e) => e.code === 'TOO_MANY_REQUESTS' || e.code === 'SERVICE_UNAVAILABLE');
      const details = (limited?.cause as { details?: { retryAfterS?: number } } | undefined)?.details;
      if (details?.retryAfterS) return { headers: { 'retry-after': String(details.retryAfterS) } };
      // viewer.manifest alone (every AR scan): ETag + short max-age, so repeated scans revalidate cheaply (the 304 is trpc-plugin.ts's).
      const result = (data[0] as { result?: { data?: unknown } } | undefined)?.result;
      if (
        type === 'query' &&
        paths?.length === 1 &&
        paths[0] === 'viewer.manifest' &&
        errors.length === 0 &&
        result &&
        ctx
      ) {
        return { headers: manifestCacheHeaders(ctx.config, result.data as Parameters<typeof manifestCacheHeaders>[1]) };
      }
      return {};
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];
}
