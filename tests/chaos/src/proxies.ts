// Two small proxies the cluster puts between processes.
//
// - `startLoadBalancer`: an HTTP load balancer (round robin) in front of the servers, as an operator's would be. It
//   streams answers (SSE included), adds X-Forwarded-For, and tries the next server when one refuses the connection
//   (nothing was sent, so any request may go elsewhere). A request cut off after it reached a server answers 502, as
//   a real balancer does: the client cannot know whether it ran.
// - `startFaultProxy`: a TCP proxy with switchable faults, between workers (or servers) and S3 or Postgres. Being
//   byte-transparent, it keeps SigV4 signatures valid (the Host header names the proxy on both sides).
import { createServer as createHttpServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface LoadBalancer {
  url: string;
  port: number;
  /** Requests forwarded per backend URL. */
  counts: Map<string, number>;
  /** Replaces the backend list (e.g. after a server restarted on another port). */
  setBackends(urls: string[]): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);
const MAX_BUFFERED_BODY = 4 * 1024 * 1024;

export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  let list = [...backends];
  let next = 0;
  const counts = new Map<string, number>();
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BUFFERED_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const tryBackend = (left: number) => {
        if (list.length === 0 || left === 0) {
          if (!res.headersSent) res.writeHead(503, { 'retry-after': '1' }).end('no backend');
          return;
        }
        const target = list[next++ % list.length]!;
        const u = new URL(target);
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
        const xff = req.headers['x-forwarded-for'];
        headers['x-forwarded-for'] = xff ? `${String(xff)}, ${req.socket.remoteAddress}` : req.socket.remoteAddress!;
        headers['content-length'] = String(body.length);
        const up = request({
          host: u.hostname,
          port: u.port,
          method: req.method,
          path: req.url,
          headers,
        });
        let answered = false;
        up.on('response', (ures: IncomingMessage) => {
          answered = true;
          counts.set(target, (counts.get(target) ?? 0) + 1);
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(ures.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
          res.writeHead(ures.statusCode ?? 502, out);
          res.flushHeaders();
          ures.on('data', (c: Buffer) => res.write(c));
          ures.on('end', () => res.end());
          ures.on('error', () => res.destroy());
          ures.on('aborted', () => res.destroy());
          res.on('close', () => ures.destroy());
        });
        up.on('error', (err: NodeJS.ErrnoException) => {
          if (answered) return res.destroy();
          // Refused: nothing reached that server, so another one may take it.
          if (err.code === 'ECONNREFUSED') return tryBackend(left - 1);
          if (!res.headersSent) res.writeHead(502).end('bad gateway');
          else res.destroy();
        });
        // The client went away before its answer: so does the request upstream (an SSE stream ends on the server).
        res.once('close', () => {
          if (!res.writableFinished) up.destroy();
        });
        up.end(body);
      };
      tryBackend(list.length * 2);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    setBackends(urls) {
      list = [...urls];
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export type FaultMode =
  /** Forward everything. */
  | { kind: 'pass' }
  /** Accept and close at once: a host that resets every connection. */
  | { kind: 'refuse' }
  /** Accept and never answer: a black hole (clients must time out). */
  | { kind: 'blackhole' }
  /**
   * Forward, but cut each connection (both ends destroyed) once `afterBytes` have passed in either direction: a
   * partition in the middle of a transfer. Connections moving fewer bytes pass untouched.
   */
  | { kind: 'drop-mid-transfer'; afterBytes: number };

export interface FaultProxy {
  /** host:port clients connect to. */
  host: string;
  port: number;
  /** http://host:port, for an HTTP upstream. */
  url: string;
  mode: FaultMode;
  setMode(mode: FaultMode): void;
  /** Connections accepted, and connections the proxy cut or refused. */
  stats: { connections: number; cut: number; refused: number };
  /** Destroys every open connection now (a partition starting). */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: { host: string; port: number }): Promise<FaultProxy> {
  const open = new Set<Socket>();
  const stats = { connections: 0, cut: 0, refused: 0 };
  let mode: FaultMode = { kind: 'pass' };
  const server = createServer((client) => {
    stats.connections++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    const m = mode;
    if (m.kind === 'refuse') {
      stats.refused++;
      client.destroy();
      return;
    }
    if (m.kind === 'blackhole') {
      client.on('data', () => {});
      return;
    }
    const up = connect(upstream.port, upstream.host);
    open.add(up);
    up.on('close', () => {
      open.delete(up);
      client.destroy();
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    let moved = 0;
    const limit = m.kind === 'drop-mid-transfer' ? m.afterBytes : Infinity;
    const relay = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        moved += chunk.length;
        if (moved > limit) {
          stats.cut++;
          // Half of the chunk goes through: the peer sees a transfer that started and stopped.
          to.write(chunk.subarray(0, Math.floor(chunk.length / 2)));
          client.destroy();
          up.destroy();
          return;
        }
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    relay(client, up);
    relay(up, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    setMode(m) {
      mode = m;
    },
    stats,
    cutAll() {
      // Each proxied connection is two sockets (client side and upstream side).
      stats.cut += Math.floor(open.size / 2);
      for (const s of open) s.destroy();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
