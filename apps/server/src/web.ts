// Serves the built dashboard (apps/web/dist) on the API's origin, with the SPA fallback (the public viewer's own page
// for /v/), cache headers, and the Content-Security-Policy the app needs.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';

export const WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');

/** Paths that belong to the API: never answered with the app's index.html. */
const API_PATHS = /^\/(trpc|healthz|readyz|media)(\/|\?|$)/;
/** The public AR viewer (what a printed QR code opens): its own page, without the dashboard's code. */
const VIEWER_PATHS = /^\/v(\/|$)/;

/**
 * Origins the browser reaches storage at: presigned uploads (connect), posters and storyboards (img), playback
 * (media, and connect for hls.js). Virtual-hosted buckets live on a subdomain of the endpoint.
 */
export function storageOrigins(s3: {
  publicEndpoint?: string;
  endpoint?: string;
  bucket: string;
  forcePathStyle: boolean;
}): string[] {
  const endpoint = s3.publicEndpoint ?? s3.endpoint;
  if (!endpoint) return [];
  const url = new URL(endpoint);
  if (s3.forcePathStyle) return [url.origin];
  return [`${url.protocol}//${s3.bucket}.${url.host}`, url.origin];
}

/** The CSP for the API and the dashboard: same-origin scripts only; storage for media and uploads; no framing. */
export function contentSecurityDirectives(config: {
  http: { publicUrl: string };
  s3: { publicEndpoint?: string; endpoint?: string; bucket: string; forcePathStyle: boolean };
  /** Which store holds the objects (STORAGE_PROVIDER; S3 when absent) and the Azure endpoints. */
  storage?: { provider: 's3' | 'azure' | 'local' };
  azure?: { publicEndpoint?: string; endpoint?: string };
  /** A CDN in front of the processed media, when configured. */
  media?: { publicBaseUrl?: string | null };
}) {
  const cdn = config.media?.publicBaseUrl ? [new URL(config.media.publicBaseUrl).origin] : [];
  const provider = config.storage?.provider ?? 's3';
  const azure = config.azure?.publicEndpoint ?? config.azure?.endpoint;
  // Local-disk storage is served by this same origin ('self').
  const origins =
    provider === 's3' ? storageOrigins(config.s3) : provider === 'azure' && azure ? [new URL(azure).origin] : [];
  const storage = [...new Set([...origins, ...cdn])];
  return {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    // Mantine sets CSS variables through style attributes and one injected <style> element.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:', ...storage],
    mediaSrc: ["'self'", 'blob:', ...storage],
    connectSrc: ["'self'", ...storage],
    // hls.js runs its transmuxer in a blob: worker, and the viewer's MindAR its feature matcher (inlined in its build).
    // Nothing else is needed for the camera view: TensorFlow.js' WebGL backend compiles shaders, not JavaScript, so no
    // 'unsafe-eval'. Nor 'wasm-unsafe-eval': the only WebAssembly is Long.js (inside TensorFlow.js) probing for a faster
    // multiply in a try/catch, which falls back to JavaScript. apps/web/test/viewer.e2e.test.ts checks this policy.
    workerSrc: ["'self'", 'blob:'],
    fontSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    // Upgrading would break a plain-http storage endpoint in development.
    upgradeInsecureRequests: config.http.publicUrl.startsWith('https:') ? [] : null,
  };
}

/** Registers the dashboard when it has been built; the API works the same without it. */
type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

export async function registerWebApp(app: App, dist: string = WEB_DIST): Promise<boolean> {
  if (!existsSync(path.join(dist, 'index.html'))) return false;
  const viewerPage = existsSync(path.join(dist, 'viewer.html')) ? 'viewer.html' : 'index.html';
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: true,
    index: 'index.html',
    cacheControl: false,
    setHeaders: (reply, file) => {
      // Hashed file names change with their content, so they can be cached for good; anything else is revalidated.
      const hashed = file.startsWith(path.join(dist, 'assets') + path.sep);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    const wantsPage =
      (req.method === 'GET' || req.method === 'HEAD') && !API_PATHS.test(url) && !url.startsWith('/assets/');
    // Fastify hands unknown /api/v1 paths to this (root) handler, not the REST plugin's, once the dashboard is
    // served: answer them in the REST API's error object.
    if (url.startsWith('/api/')) {
      return reply
        .code(404)
        .send({ code: 'NOT_FOUND', message: `No such endpoint: ${req.method} ${url}`, requestId: req.id });
    }
    if (!wantsPage) {
      return reply
        .code(404)
        .send({ error: 'Not Found', message: `Route ${req.method}:${url} not found`, statusCode: 404 });
    }
    const page = VIEWER_PATHS.test(url) ? viewerPage : 'index.html';
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile(page);
  });
  return true;
}
