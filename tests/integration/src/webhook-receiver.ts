// A local webhook receiver for the tests: records every request and answers as told (status, hang, huge body, redirect).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Behaviour =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'hang' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'redirect'; location: string };

export interface Receiver {
  url(path?: string): string;
  port: number;
  received: Received[];
  /** How each path answers (default 200 "ok"). */
  on(path: string, behaviour: Behaviour): void;
  /** Bytes written by 'huge' answers before the client hung up. */
  hugeBytesWritten: number;
  /** 'huge' answers whose connection has closed (the writes stop with it). */
  hugeClosed: number;
  /** Connections closed by the client while the receiver hung. */
  hungClosed: number;
  server: Server;
}

export async function startReceiver(): Promise<Receiver> {
  const behaviours = new Map<string, Behaviour>();
  const received: Received[] = [];
  const state = { hugeBytesWritten: 0, hugeClosed: 0, hungClosed: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const b = behaviours.get(path) ?? { kind: 'status', status: 200, body: 'ok' };
      switch (b.kind) {
        case 'status':
          res.writeHead(b.status, { 'content-type': 'text/plain' }).end(b.body ?? '');
          return;
        case 'hang':
          res.on('close', () => state.hungClosed++);
          return;
        case 'redirect':
          res.writeHead(302, { location: b.location }).end();
          return;
        case 'huge': {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(b.bytes) });
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          const write = () => {
            while (state.hugeBytesWritten < b.bytes && !res.destroyed) {
              state.hugeBytesWritten += chunk.length;
              if (!res.write(chunk)) {
                res.once('drain', write);
                return;
              }
            }
            if (!res.destroyed) res.end();
          };
          res.on('error', () => {}); // the client hangs up mid-answer on purpose
          res.on('close', () => void state.hugeClosed++);
          write();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    port,
    received,
    on: (path, behaviour) => void behaviours.set(path, behaviour),
    get hugeBytesWritten() {
      return state.hugeBytesWritten;
    },
    get hugeClosed() {
      return state.hugeClosed;
    },
    get hungClosed() {
      return state.hungClosed;
    },
    server,
  };
}
