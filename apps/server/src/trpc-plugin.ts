// tRPC on Fastify: @trpc/server's fastifyTRPCPlugin, answering the same bytes for less CPU.
//
// The stock plugin converts every request into a Fetch `Request`, runs `resolveResponse`, and hands Fastify the Fetch
// `Response`, whose body Fastify then copies to the socket chunk by chunk (a web stream read into a Node stream,
// `transfer-encoding: chunked`). Here:
// - a single query (the hot path: video.byId, viewer.manifest) is answered by `answerQuery`, resolveResponse's own
//   steps for that case with tRPC's own functions, and no Fetch `Request` or `Response` at all;
// - every other JSON answer still comes from `resolveResponse`, and is read once and sent in one piece;
// - streamed answers (SSE subscriptions, jsonl batches) go out exactly as the stock plugin sends them.
// tests/integration/test/trpc-adapter.test.ts sends the same requests through both plugins and compares the answers.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AppRouter } from '@arvlite/api';
import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { createURL, incomingMessageToRequest } from '@trpc/server/adapters/node-http';
import { resolveResponse } from '@trpc/server/http';
import {
  getErrorShape,
  getHTTPStatusCode,
  getRequestInfo,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  transformTRPCResponse,
  TRPCError,
  urlPathToProcedurePath,
  type TRPCRequestInfo,
} from '@trpc/server/unstable-core-do-not-import';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { EventStreams } from './event-streams.ts';

/** Register with `{ prefix: '/trpc', trpcOptions }`, as fastifyTRPCPlugin (no `useWSS`). */
export const trpcPlugin: FastifyPluginCallback<
  Pick<FastifyTRPCPluginOptions<AppRouter>, 'trpcOptions'> & { eventStreams?: EventStreams }
> = (fastify, opts, done) => {
  const { trpcOptions, eventStreams } = opts;
  const router = trpcOptions.router;
  // tRPC parses the bodies itself. Unlike the stock plugin, only JSON is let through: no procedure takes form data or
  // octets, and tRPC would read a multipart body whole into memory (Fastify's bodyLimit does not cover a stream
  // handed on). Anything else is refused before a byte of its body is read; a JSON body is read as a string, within
  // Fastify's bodyLimit (413 beyond it), and tRPC's own reader gets the same cap in case it ever reads the stream.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, next) => next(null, body));
  const maxBodySize = trpcOptions.maxBodySize ?? fastify.initialConfig.bodyLimit ?? 1024 * 1024;
  fastify.addHook('onRequest', (req, reply, done) => {
    const refusal = refuseBody(req.raw, maxBodySize);
    if (!refusal) return done();
    const config = router._def._config;
    const error = new TRPCError({ code: refusal.code, message: refusal.message });
    const shape = getErrorShape({ config, error, type: 'unknown', path: undefined, input: undefined, ctx: undefined });
    // Headers as resolveResponse answers a request it refuses (the stock plugin's bytes for a text/plain POST).
    reply
      .code(refusal.status)
      .header('content-type', 'text/plain;charset=UTF-8')
      .header('vary', 'trpc-accept, accept')
      .send(Buffer.from(JSON.stringify(transformTRPCResponse(config, { error: shape }))));
    // The body is never parsed: Node discards what arrives while the answer goes out (closing at once would reset
    // the connection, and the client could lose the answer), and the connection is cut if the client keeps sending.
    const socket = req.raw.socket;
    const cut = setTimeout(() => socket.destroy(), 1_000);
    req.raw.once('end', () => clearTimeout(cut));
    socket.once('close', () => clearTimeout(cut));
  });

  const createContext = (req: FastifyRequest, reply: FastifyReply) => async (inner: { info: TRPCRequestInfo }) =>
    await trpcOptions.createContext?.({ req, res: reply, info: inner.info });

  fastify.all<{ Params: { path: string } }>('/:path', async (req, reply) => {
    const path = req.params.path;
    let request: Request;
    let abort: (() => void) | undefined;
    if (req.method === 'GET') {
      const get = getRequest(req, reply);
      request = get.request;
      abort = get.abort;
      const answer = await answerQuery(req, reply, request, get.url, path);
      if (answer) return sendJson(req, reply, answer.status, answer.headers, Buffer.from(answer.body));
    } else {
      request = toFetchRequest(req, reply, maxBodySize);
    }
    const response = await resolveResponse({
      ...trpcOptions,
      req: request,
      path,
      error: null,
      createContext: createContext(req, reply),
      onError: (o) => trpcOptions.onError?.({ ...o, req }),
    });
    const headers = response.headers;
    // Streamed answers (SSE, jsonl batches), and answers tRPC sends without a content type, go out as the stock
    // plugin sends them: Fastify copies the status and headers and streams the body.
    if (headers.get('content-type') !== 'application/json' || headers.has('transfer-encoding')) {
      if (abort && eventStreams && headers.get('content-type')?.startsWith('text/event-stream')) {
        eventStreams.add(reply.raw, abort);
      }
      return reply.send(response);
    }
    return sendJson(req, reply, response.status, headers, Buffer.from(await response.arrayBuffer()));
  });

  /**
   * One query (GET, not batched, not streamed): what `resolveResponse` does for it, step for step, without a Fetch
   * `Response` to build and read back. tRPC's own functions parse the request (`getRequestInfo`), shape errors
   * (`getErrorShape`, `getHTTPStatusCode`) and transform the answer (`transformTRPCResponse`); `responseMeta` and
   * `onError` get what resolveResponse gives them. Anything else (a batch, a mutation, a subscription, an unknown
   * procedure, a request tRPC refuses before calling anything) returns undefined, before any procedure or
   * createContext runs, and goes through `resolveResponse` itself.
   */
  async function answerQuery(req: FastifyRequest, reply: FastifyReply, request: Request, url: URL, path: string) {
    const config = router._def._config;
    let info: TRPCRequestInfo;
    try {
      info = await getRequestInfo({
        req: request,
        path: urlPathToProcedurePath(decodeURIComponent(path), config.pathSeparator),
        router,
        searchParams: url.searchParams,
        headers: request.headers,
        url,
        maxBatchSize: trpcOptions.maxBatchSize,
      });
    } catch {
      return undefined;
    }
    const call = info.calls[0];
    const procedure = call?.procedure;
    if (info.isBatchCall || info.type !== 'query' || info.accept === 'application/jsonl' || !call || !procedure) {
      return undefined;
    }
    let ctx: Awaited<ReturnType<ReturnType<typeof createContext>>> | undefined;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await createContext(req, reply)({ info });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }
    let data: unknown;
    let error: TRPCError | undefined;
    try {
      if (ctxError) throw ctxError;
      data = await procedure({
        path: call.path,
        getRawInput: call.getRawInput,
        ctx,
        type: 'query',
        signal: request.signal,
        batchIndex: 0,
      });
    } catch (cause) {
      error = getTRPCErrorFromUnknown(cause);
      trpcOptions.onError?.({
        error,
        path: call.path,
        input: call.result(),
        ctx,
        type: 'query',
        req,
      });
    }
    const headers = new Headers([['vary', 'trpc-accept, accept']]);
    headers.set('content-type', 'application/json');
    let json;
    let errors: TRPCError[];
    if (!error && isDataStream(data)) {
      // resolveResponse throws this outside the call, so it is answered as a request-level error (no path, no input).
      error = new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
      });
      trpcOptions.onError?.({ error, path: undefined, input: undefined, ctx, type: 'query', req });
      json = {
        error: getErrorShape({
          config,
          error,
          type: 'query',
          path: undefined,
          input: undefined,
          ctx,
        }),
      };
      errors = [error];
    } else {
      json = error
        ? {
            error: getErrorShape({
              config,
              ctx,
              error,
              input: call.result(),
              path: call.path,
              type: 'query',
            }),
          }
        : { result: { data } };
      errors = error ? [error] : [];
    }
    // resolveResponse's initResponse.
    let status = getHTTPStatusCode(json, errors);
    const meta =
      trpcOptions.responseMeta?.({
        ctx,
        info,
        paths: info.calls.map((c) => c.path),
        data: [json],
        errors,
        eagerGeneration: false,
        type: 'query',
      }) ?? {};
    if (meta.headers) {
      if (meta.headers instanceof Headers) {
        for (const [name, value] of meta.headers.entries()) headers.append(name, value);
      } else {
        for (const [name, value] of Object.entries(meta.headers)) {
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else if (typeof value === 'string') headers.set(name, value);
        }
      }
    }
    if (meta.status) status = meta.status;
    return { status, headers, body: JSON.stringify(transformTRPCResponse(config, json)) };
  }
  done();
};

/**
 * A JSON answer, as Fastify sends a Fetch `Response` (status, then every header in `Headers` order), with the body in
 * one piece. A Buffer, not a string: Fastify would add `; charset=utf-8` to the content type of a string.
 */
function sendJson(req: FastifyRequest, reply: FastifyReply, status: number, headers: Headers, body: Buffer) {
  // 304 for a response whose ETag the client already holds (only viewer.manifest sets one). The 304 carries the ETag
  // and cache-control alone, as the stock plugin's onSend hook sent it.
  const etag = headers.get('etag');
  if (req.method === 'GET' && status === 200 && etag && matchesEtag(req.headers['if-none-match'], etag)) {
    return reply
      .code(304)
      .header('etag', etag)
      .header('cache-control', headers.get('cache-control') ?? 'no-cache')
      .send();
  }
  reply.code(status);
  for (const [name, value] of headers) reply.header(name, value);
  return reply.send(body);
}

/**
 * Why a request's body is refused before it is read: a body that is not JSON (415; tRPC would buffer multipart/form-data
 * whole, and no procedure takes anything but JSON), or one declared larger than the cap (413). Undefined: let it in.
 */
function refuseBody(
  raw: IncomingMessage,
  maxBodySize: number,
): { status: 413 | 415; code: 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE'; message: string } | undefined {
  const length = raw.headers['content-length'];
  const hasBody = raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return undefined;
  const given = raw.headers['content-type'];
  if (given?.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    // tRPC's own words for a content type it has no handler for (its unclosed quote included).
    const message = given === undefined ? 'Missing content-type header' : `Unsupported content-type "${given}`;
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message };
  }
  if (length !== undefined && Number(length) > maxBodySize) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `Bodies are limited to ${maxBodySize} bytes` };
  }
  return undefined;
}

/** resolveResponse's test for an answer it cannot send as plain JSON. */
function isDataStream(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (isAsyncIterable(v)) return true;
  return Object.values(v).some(isPromise) || Object.values(v).some(isAsyncIterable);
}

function matchesEtag(given: string | undefined, etag: string): boolean {
  return !!given && given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** The stock conversion (tRPC's own), for requests that may carry a body. */
function toFetchRequest(req: FastifyRequest, reply: FastifyReply, maxBodySize: number | undefined): Request {
  const incoming = req.raw as IncomingMessage & { body?: unknown };
  incoming.body = req.body;
  return incomingMessageToRequest(incoming, reply.raw, { maxBodySize: maxBodySize ?? null });
}

/**
 * A GET as `resolveResponse` reads it: its URL, method, `headers.get`/`has` and an abort signal, and no body. Building
 * a real Fetch `Request` (a `Headers` copy of every header, a second URL parse) costs more than the rest of the
 * conversion; this reads Node's headers in place. The URL and the abort wiring are tRPC's own
 * (`createURL`, and `incomingMessageToRequest`'s listeners).
 */
function getRequest(req: FastifyRequest, reply: FastifyReply): { request: Request; url: URL; abort: () => void } {
  const raw = req.raw;
  const res = reply.raw;
  const ac = new AbortController();
  const onAbort = () => {
    res.off('close', onClose);
    raw.off('aborted', onAbort);
    ac.abort();
  };
  const onClose = () => {
    if (res.writableEnded) {
      raw.off('aborted', onAbort);
      return;
    }
    onAbort();
  };
  res.once('close', onClose);
  raw.once('aborted', onAbort);
  const url = createURL(raw);
  const request = {
    url: url.href,
    method: 'GET',
    headers: new NodeHeaders(raw.headers),
    signal: ac.signal,
  };
  return { request: request as unknown as Request, url, abort: onAbort };
}

/** The read side of Fetch `Headers` over Node's parsed (already lower-cased, trimmed) headers. */
class NodeHeaders {
  readonly #headers: IncomingHttpHeaders;
  constructor(headers: IncomingHttpHeaders) {
    this.#headers = headers;
  }
  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key.startsWith(':')) return null;
    const value = this.#headers[key];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
}
