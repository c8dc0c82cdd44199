// Who may read /metrics: the bearer of METRICS_TOKEN (compared in constant time), or anyone reaching the separate
// metrics port. No token configured: /metrics does not exist.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { registry } from './metrics.ts';

export type MetricsAccess = 'ok' | 'unauthorized' | 'not-found';

/** Checks an Authorization header against the SHA-256 (hex) of METRICS_TOKEN; undefined token: 'not-found'. */
export function metricsAccess(authorization: string | undefined, tokenSha256: string | undefined): MetricsAccess {
  if (!tokenSha256) return 'not-found';
  const given = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
  const a = createHash('sha256').update(given).digest();
  const b = Buffer.from(tokenSha256, 'hex');
  return given.length > 0 && a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'unauthorized';
}

/** The exposition text of this process's registry and its content type. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}

/**
 * A listener serving only GET /metrics. `tokenSha256`: the bearer rule above (the worker's port); `open`: no token
 * (the server's METRICS_PORT, meant to be reachable only by the scraper).
 */
export async function startMetricsServer(opts: {
  host: string;
  port: number;
  auth: { open: true } | { open: false; tokenSha256: string | undefined };
}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const access = opts.auth.open ? 'ok' : metricsAccess(req.headers.authorization, opts.auth.tokenSha256);
    if (path !== '/metrics' || req.method !== 'GET' || access === 'not-found') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (access === 'unauthorized') {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    metricsText().then(
      ({ body, contentType }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
