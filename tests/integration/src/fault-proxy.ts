// A TCP proxy in front of one of the shared services (Postgres, S3) for fault tests: `down()` cuts every open
// connection and refuses new ones (as a stopped server does), `up()` lets them through again. The shared services
// themselves are never stopped, so other test files running at the same time are not touched.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { reservePort } from '@arvlite/test-utils';
import { afterAll } from 'vitest';

export interface FaultProxy {
  /** The proxy's loopback port; point the process under test at it. */
  readonly port: number;
  /** Cuts every connection through the proxy and refuses new ones until `up()`. */
  down(): void;
  up(): void;
  /** Connections opened through the proxy so far. */
  readonly opened: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let isDown = false;
  let opened = 0;
  const server: Server = createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    opened++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const reserved = await reservePort();
  await reserved.listen({
    listen: (opts) => new Promise((resolve) => server.listen(opts, () => resolve(undefined))),
  });
  const proxy: FaultProxy = {
    port: reserved.port,
    down() {
      isDown = true;
      // A reset, as a server that went away: the peers see ECONNRESET / "Connection terminated".
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    up() {
      isDown = false;
    },
    get opened() {
      return opened;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
  afterAll(() => proxy.close());
  return proxy;
}

/** `url` with its host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: FaultProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
