// The HTTP baseline: a bare Fastify app answering from raw `pg` prepared statements, no tRPC, no ORM, no auth
// framework. An API benchmark describes its routes in a module of its own (see http-calibration.routes.ts) and
// the bench runs this file as a separate process:
//
//   node baseline-server.ts <routes-module-file> <export-name>     (DATABASE_URL, PORT, DATABASE_POOL_MAX from env)
//
// It reports {ready: true} over IPC once listening and exits when the bench goes away.
import { pathToFileURL } from 'node:url';
import { loadConfig } from '@arvlite/config';
import Fastify, { type FastifyRequest } from 'fastify';
import pg from 'pg';

export interface BaselineRoute {
  method: 'GET' | 'POST';
  /** Fastify route path, e.g. `/trpc/video.byId`. */
  url: string;
  /**
   * Runs before the statements, e.g. to verify a bearer token without touching the database. Its result goes to
   * `params` and `render`; null answers 401 without running any statement.
   */
  authenticate?(req: FastifyRequest): string | null;
  /**
   * Named prepared statements run in order on one pooled connection, as the real endpoint would (e.g. a session
   * lookup, then the row). Postgres parses and plans each once per connection.
   */
  statements: {
    name: string;
    sql: string;
    params(req: FastifyRequest, previous: pg.QueryResult[], auth: string | null): unknown[];
  }[];
  /** The response: must be the same bytes ours returns, which the equal-work check verifies. */
  render(
    results: pg.QueryResult[],
    req: FastifyRequest,
    auth: string | null,
  ): { status?: number; body: string; contentType?: string; headers?: Record<string, string> };
}

/** `trustProxy` as the app's (TRUST_PROXY): `req.ip` then comes from `x-forwarded-for`, as in ours. */
export function buildBaselineServer(
  pool: pg.Pool,
  routes: BaselineRoute[],
  opts: { trustProxy?: false | number | string[] } = {},
) {
  const trust = opts.trustProxy ?? false;
  // As apps/server's trustProxyOption: a hop count is proxy-addr's hop rule (this Fastify reads a number as "none").
  const app = Fastify({
    logger: false,
    trustProxy: typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust,
  });
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (req, reply) => {
        const auth = route.authenticate ? route.authenticate(req) : null;
        if (route.authenticate && auth === null) {
          reply.code(401).header('content-type', 'application/json');
          return '{"error":"unauthorized"}';
        }
        const client = await pool.connect();
        const results: pg.QueryResult[] = [];
        try {
          for (const s of route.statements) {
            results.push(
              await client.query({
                name: s.name,
                text: s.sql,
                values: s.params(req, results, auth),
              }),
            );
          }
        } finally {
          client.release();
        }
        const out = route.render(results, req, auth);
        reply.code(out.status ?? 200).header('content-type', out.contentType ?? 'application/json');
        if (out.headers) reply.headers(out.headers);
        return out.body;
      },
    });
  }
  return app;
}

async function main() {
  const [modulePath, exportName] = process.argv.slice(2);
  if (!modulePath || !exportName) throw new Error('usage: baseline-server.ts <routes-module-file> <export-name>');
  const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const routes = mod[exportName] as BaselineRoute[] | undefined;
  if (!Array.isArray(routes)) throw new Error(`${modulePath} does not export ${exportName} as an array of routes`);
  const config = loadConfig();
  if (!config.database.url) throw new Error('DATABASE_URL is required');
  // The same pool size as the app's (DATABASE_POOL_MAX).
  const pool = new pg.Pool({ connectionString: config.database.url, max: config.database.poolMax });
  const app = buildBaselineServer(pool, routes, { trustProxy: config.http.trustProxy });
  await app.listen({ host: config.http.host, port: config.http.port });
  const stop = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true });
}

if (import.meta.main) {
  await main();
}
