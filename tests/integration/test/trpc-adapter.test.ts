// apps/server's tRPC plugin (trpc-plugin.ts) and security headers against the stock plugins (@trpc/server's
// fastifyTRPCPlugin, @fastify/helmet): the same requests to two servers on one database, the same answers (status,
// every header but the framing ones, bytes of every body) and the same request log lines.
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createCaller, createContextInner, serializeOutput, type ApiDeps } from '@arvlite/api';
import { createArvliteNodeClient } from '@arvlite/client/node';
import {
  buildServer,
  createFastify,
  helmetOptions,
  registerRoutes,
  registerWebApp,
  trpcOptions,
} from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { insertReadyArContent, insertReadyVideo, type SeedTenant } from '@arvlite/test-utils/seed';
import fastifyHelmet from '@fastify/helmet';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import pg from 'pg';
import { pino } from 'pino';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Side {
  base: string;
  logs: Record<string, unknown>[];
}
let ours: Side;
let stock: Side;
let deps: ApiDeps;
let token: string;
let videoId: string;
let publicId: string;

async function start(adapter: 'ours' | 'stock', shared: ApiDeps): Promise<Side> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  const deps = { ...shared, log: pino({ level: 'info' }, sink) };
  const app = adapter === 'stock' ? await buildStockServer(deps) : await buildServer(deps);
  await reserved.listen(app);
  afterAll(() => app.close());
  return { base: `http://127.0.0.1:${port}`, logs };
}

/**
 * buildServer with the stock pieces in place of ours: @fastify/helmet for the security headers, @trpc/server's own
 * fastifyTRPCPlugin for tRPC. Everything else (routes, hooks, tRPC options, the web app) is the product's own.
 */
async function buildStockServer(deps: ApiDeps) {
  const app = createFastify(deps);
  await app.register(fastifyHelmet, helmetOptions(deps.config));
  await registerRoutes(app, deps);
  // 304 for a response whose ETag the client already holds (only viewer.manifest sets one). tRPC cannot answer 304
  // itself: its fetch Response refuses a body with that status, so the body is dropped here instead. (Ours does this
  // in trpc-plugin.ts.)
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' || !(payload instanceof Response) || payload.status !== 200) return payload;
    const etag = payload.headers.get('etag');
    const given = req.headers['if-none-match'];
    if (!etag || !given || !given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return payload;
    await payload.body?.cancel();
    reply
      .code(304)
      .header('etag', etag)
      .header('cache-control', payload.headers.get('cache-control') ?? 'no-cache');
    return null;
  });
  await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: trpcOptions(deps) });
  await registerWebApp(app);
  return app;
}

beforeAll(async () => {
  const base = await createTestDeps({ TRUST_PROXY: '1', VIEWER_RATE_LIMIT_PER_MINUTE: '4' });
  deps = base as ApiDeps;
  ours = await start('ours', deps);
  stock = await start('stock', deps);
  const client = createArvliteNodeClient({ url: `${ours.base}/trpc` });
  const account = {
    email: `adapter-${randomBytes(4).toString('hex')}@example.com`,
    password: `Sturdy-${randomBytes(8).toString('hex')}`,
  };
  await client.auth.register.mutate({ ...account, name: 'Adapter Test' });
  const registered = await client.auth.login.mutate(account);
  token = registered.accessToken;
  const signedIn = createArvliteNodeClient({
    url: `${ours.base}/trpc`,
    getAccessToken: () => token,
  });
  const company = await signedIn.company.create.mutate({ name: 'Adapter Co' });
  const project = await signedIn.project.create.mutate({
    companyId: company.id,
    name: 'Adapter project',
  });
  ({ videoId, publicId } = await seed(deps.config.database.url, {
    userId: registered.user.id,
    companyId: company.id,
    projectId: project.id,
  }));
});

/** A READY video with steps, media and analysis, and a READY AR content item playing it (the bench's rows). */
async function seed(url: string, t: SeedTenant) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const videoId = await insertReadyVideo(db, t);
    const { publicId } = await insertReadyArContent(db, t, {
      videoIds: [videoId],
      title: 'Postcard',
    });
    return { videoId, publicId };
  } finally {
    await db.end();
  }
}

interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** How the body was framed: `length` (content-length) or `chunked`. Ours and stock differ here by design. */
  framing?: string;
}

/** Headers that differ by design: the stock plugin streams its JSON (chunked), ours sends it with a length. */
const FRAMING = new Set(['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

async function send(side: Side, call: Call, requestId: string): Promise<Answer> {
  const res = await fetch(`${side.base}${call.path}`, {
    method: call.method ?? 'GET',
    headers: { 'x-request-id': requestId, origin: 'http://localhost:5173', ...call.headers },
    body: call.body,
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!FRAMING.has(name)) headers[name] = value;
  });
  const framing = res.headers.has('content-length') ? 'length' : (res.headers.get('transfer-encoding') ?? undefined);
  return { status: res.status, headers, body: await res.text(), framing };
}

/** Masks what honestly differs between two calls a moment apart: URL signatures (their second) and retry-after. */
function mask(body: string): string {
  return (
    body
      .replace(/(X-Amz-Credential=[^&"]*?%2F)\d{8}(%2F)/g, '$1<date>$2')
      .replace(/(X-Amz-Date=)\d{8}T\d{6}Z/g, '$1<time>')
      .replace(/(X-Amz-Signature=)[0-9a-f]{64}/g, '$1<signature>')
      .replace(/([?&]exp=)\d+/g, '$1<exp>')
      .replace(/([?&]sig=)[A-Za-z0-9_-]+/g, '$1<sig>')
      .replace(/("retryAfterS":)\d+/g, '$1<s>')
      // When the signed URLs expire: the signing time plus their lifetime, so a second apart when the two calls are.
      .replace(/("expiresAt":)"[^"]+"/g, '$1"<expires>"')
  );
}

/** Sends the call to both servers (ours first) and expects the same answer and the same request log line. */
async function compare(call: Call): Promise<Answer> {
  const requestId = `req-${randomBytes(8).toString('hex')}`;
  const a = await send(ours, call, requestId);
  const b = await send(stock, call, requestId);
  // (A CORS preflight is answered by @fastify/cors before our onRequest hook sets the id, on both sides.)
  if (call.method !== 'OPTIONS') expect(a.headers['x-request-id']).toBe(requestId);
  const retryA = Number(a.headers['retry-after'] ?? 0);
  const retryB = Number(b.headers['retry-after'] ?? 0);
  expect(Math.abs(retryA - retryB)).toBeLessThanOrEqual(1);
  delete a.headers['retry-after'];
  delete b.headers['retry-after'];
  expect({ ...a, body: mask(a.body), framing: undefined }).toEqual({
    ...b,
    body: mask(b.body),
    framing: undefined,
  });
  // Every answer's transformed data and errors are superjson's own bytes (superjson, not our serializer, on a round
  // trip): the results, and the error shapes with their undefined fields.
  const jsonl = call.headers?.['trpc-accept'] === 'application/jsonl';
  if (!jsonl && a.headers['content-type'] === 'application/json' && a.body) {
    const parsed = JSON.parse(a.body) as unknown;
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const { result, error } = item as { result?: { data: unknown }; error?: unknown };
      const transformed = error ?? result?.data;
      if (transformed === undefined) continue;
      const again = superjson.serialize(superjson.deserialize(transformed as never));
      expect(JSON.stringify(again)).toBe(JSON.stringify(transformed));
    }
  }
  // Proof that the two went different ways: the stock plugin streams every JSON answer, ours sends it in one piece
  // (jsonl batches stream on both).
  if (!jsonl && a.status !== 304 && b.headers['content-type'] === 'application/json') {
    expect([a.framing, b.framing]).toEqual(['length', 'chunked']);
  }
  const line = (side: Side) => {
    const found = side.logs.find((l) => l.reqId === requestId && l.msg === 'request');
    expect(found).toBeDefined();
    const { time: _t, durationMs, pid: _p, hostname: _h, ...rest } = found!;
    expect(typeof durationMs).toBe('number');
    return rest;
  };
  await expect.poll(() => ours.logs.some((l) => l.reqId === requestId && l.msg === 'request')).toBe(true);
  await expect.poll(() => stock.logs.some((l) => l.reqId === requestId && l.msg === 'request')).toBe(true);
  expect(line(ours)).toEqual(line(stock));
  return { ...a, headers: { ...a.headers, 'retry-after': String(retryA || '') } };
}

const q = (input: unknown) => encodeURIComponent(JSON.stringify({ json: input }));
const auth = () => ({ authorization: `Bearer ${token}` });
/** A signed-in POST of `body` (JSON unless another content type is given). */
const post = (path: string, body: string, contentType = 'application/json'): Call => ({
  method: 'POST',
  path,
  headers: { ...auth(), 'content-type': contentType },
  body,
});
const ip = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

describe('tRPC over Fastify: our plugin answers as the stock one', () => {
  it('a single query (video.byId), byte for byte', async () => {
    const a = await compare({
      path: `/trpc/video.byId?input=${q({ id: videoId })}`,
      headers: auth(),
    });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/json');
    expect(a.body).toContain('"meta":{"values":');
  });

  it('a batched query, with one call failing (207)', async () => {
    const input = encodeURIComponent(
      JSON.stringify({ 0: { json: { id: videoId } }, 1: { json: { id: randomUUID() } } }),
    );
    const a = await compare({
      path: `/trpc/video.byId,video.byId?batch=1&input=${input}`,
      headers: auth(),
    });
    expect(a.status).toBe(207);
  });

  it('a batch streamed as jsonl', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: { json: { id: videoId } } }));
    const a = await compare({
      path: `/trpc/video.byId?batch=1&input=${input}`,
      headers: { ...auth(), 'trpc-accept': 'application/jsonl' },
    });
    expect(a.status).toBe(200);
  });

  it('a mutation (POST), and a mutation refused', async () => {
    const body = JSON.stringify({ json: { id: videoId, title: 'Renamed' } });
    // Once first, so that both sides then answer the same no-op update.
    await send(ours, post('/trpc/video.update', body), 'warm-up-1');
    const a = await compare(post('/trpc/video.update', body));
    expect(a.status).toBe(200);
    const missing = JSON.stringify({ json: { id: randomUUID(), title: 'x' } });
    expect((await compare(post('/trpc/video.update', missing))).status).toBe(404);
  });

  it('input validation errors with fieldErrors (BAD_REQUEST), GET and POST', async () => {
    const a = await compare({
      path: `/trpc/video.byId?input=${q({ id: 'nope', extra: 1 })}`,
      headers: auth(),
    });
    expect(a.status).toBe(400);
    expect(a.body).toContain('fieldErrors');
    const body = JSON.stringify({ json: { id: videoId, title: 5 } });
    expect((await compare(post('/trpc/video.update', body))).status).toBe(400);
  });

  it('NOT_FOUND, UNAUTHORIZED, an unknown procedure, a wrong method, unparsable input, HEAD', async () => {
    expect(
      (
        await compare({
          path: `/trpc/video.byId?input=${q({ id: randomUUID() })}`,
          headers: auth(),
        })
      ).status,
    ).toBe(404);
    expect((await compare({ path: `/trpc/video.byId?input=${q({ id: videoId })}` })).status).toBe(401);
    expect(
      (
        await compare({
          path: `/trpc/video.byId?input=${q({ id: videoId })}`,
          headers: { authorization: 'Bearer forged' },
        })
      ).status,
    ).toBe(401);
    expect((await compare({ path: '/trpc/nothing.here' })).status).toBe(404);
    expect((await compare({ path: `/trpc/video.update?input=${q({ id: videoId })}`, headers: auth() })).status).toBe(
      405,
    );
    expect((await compare({ path: '/trpc/video.byId?input=%7Bnot-json', headers: auth() })).status).toBe(400);
    expect((await compare(post('/trpc/video.update', '{bad'))).status).toBe(400);
    expect((await compare(post('/trpc/video.update', 'x', 'text/plain'))).status).toBe(415);
    expect(
      (
        await compare({
          method: 'HEAD',
          path: `/trpc/video.byId?input=${q({ id: videoId })}`,
          headers: auth(),
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await compare({
          method: 'OPTIONS',
          path: '/trpc/video.byId',
          headers: { 'access-control-request-method': 'GET' },
        })
      ).status,
    ).toBe(204);
  });

  it('viewer.manifest: 200 with an ETag, then 304 for If-None-Match, 200 for a stale one', async () => {
    const from = ip();
    const path = `/trpc/viewer.manifest?input=${q({ publicId })}`;
    const first = await compare({ path, headers: { 'x-forwarded-for': from } });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    const again = await compare({
      path,
      headers: { 'x-forwarded-for': ip(), 'if-none-match': `W/${first.headers.etag}, "other"` },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect((await compare({ path, headers: { 'x-forwarded-for': ip(), 'if-none-match': '"stale"' } })).status).toBe(
      200,
    );
    const unknown = await compare({
      path: `/trpc/viewer.manifest?input=${q({ publicId: 'unknown-id-000' })}`,
      headers: { 'x-forwarded-for': ip() },
    });
    expect(unknown.status).toBe(200);
  });

  it('TOO_MANY_REQUESTS with retry-after', async () => {
    const from = ip();
    const path = `/trpc/viewer.manifest?input=${q({ publicId })}`;
    for (let i = 0; i < 4; i++)
      await send(ours, { path, headers: { 'x-forwarded-for': from } }, `fill-${i}-${randomBytes(4).toString('hex')}`);
    const a = await compare({ path, headers: { 'x-forwarded-for': from } });
    expect(a.status).toBe(429);
    expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the video.onStatus SSE subscription still streams', async () => {
    const path = `/trpc/video.onStatus?input=${q({ id: videoId })}`;
    const open = async (side: Side) => {
      const res = await fetch(`${side.base}${path}`, {
        headers: { ...auth(), accept: 'text/event-stream' },
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('READY')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
      await reader.cancel();
      return { status: res.status, type: res.headers.get('content-type'), text };
    };
    const [a, b] = [await open(ours), await open(stock)];
    expect(a.status).toBe(200);
    expect(a.type).toBe('text/event-stream');
    expect(a.text).toContain('READY');
    expect(a).toEqual(b);
  });

  it('answers a client as before (superjson round trip of Dates)', async () => {
    const client = createArvliteNodeClient({
      url: `${ours.base}/trpc`,
      getAccessToken: () => token,
    });
    const video = await client.video.byId.query({ id: videoId });
    expect(video.createdAt).toBeInstanceOf(Date);
  });
});

describe('our output serializer on real answers', () => {
  it('gives superjson.serialize bytes for video.byId and viewer.manifest', async () => {
    const ctx = await createContextInner(deps, {
      requestId: 'r',
      ip: ip(),
      userAgent: 'test',
      accessToken: token,
    });
    const caller = createCaller(ctx);
    const video = await caller.video.byId({ id: videoId });
    const manifest = await caller.viewer.manifest({ publicId });
    for (const value of [video, manifest]) {
      expect(JSON.stringify(serializeOutput(value))).toBe(JSON.stringify(superjson.serialize(value)));
    }
    expect(JSON.stringify(serializeOutput(video))).toContain('"steps.0.startedAt":["Date"]');
  });
});
