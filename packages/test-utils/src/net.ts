// Small helpers the global setup and test files share: loopback ports, a URL for another database, a child process
// that listens. Waiting on a condition is in wait.ts.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A loopback port that is free now, with its probe socket already closed: another process (or an outgoing
 * connection's ephemeral port) can take it before it is used. Only for a port a child process must be given; the
 * caller retries when the child reports EADDRINUSE. An in-process server uses `reservePort()` instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface PortReservation {
  readonly port: number;
  /** Options for `listen()`: the reserved port, bound beside the holder (both with SO_REUSEPORT). */
  readonly listenOptions: { host: '127.0.0.1'; port: number; reusePort: true };
  /** Closes the holder; call it once the server is listening (`listen` does). */
  release(): Promise<void>;
  /** Starts `server` on the reserved port, then releases the holder. */
  listen(server: { listen(opts: { host: string; port: number; reusePort: boolean }): Promise<unknown> }): Promise<void>;
}

/**
 * Binds port 0 on loopback and keeps the socket open (SO_REUSEPORT) until the server that needs the port has bound
 * it too: config that must know the port (PUBLIC_URL, CORS) can be built first, and there is no moment in which the
 * port is free for someone else. The kernel never hands out a bound port to another bind(0) or to an outgoing
 * connection, and SO_REUSEPORT only lets a socket of the same user that asks for it by number join it.
 */
export function reservePort(): Promise<PortReservation> {
  return new Promise((resolve, reject) => {
    const holder = createServer();
    holder.once('error', reject);
    holder.unref(); // a reservation never keeps the process alive
    holder.listen({ host: '127.0.0.1', port: 0, reusePort: true }, () => {
      const { port } = holder.address() as { port: number };
      let released: Promise<void> | undefined;
      const release = () =>
        (released ??= new Promise<void>((res, rej) => holder.close((err) => (err ? rej(err) : res()))));
      const listenOptions = { host: '127.0.0.1', port, reusePort: true } as const;
      resolve({
        port,
        listenOptions,
        release,
        async listen(server) {
          try {
            await server.listen(listenOptions);
          } finally {
            await release();
          }
        },
      });
    });
  });
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface ListeningChild<C> {
  child: C;
  port: number;
  /** Everything the child has written to stdout and stderr so far. */
  output(): string;
}

/**
 * Starts a child process that must be told its port (PORT=…): `freePort()` gives one, and when the child exits with
 * EADDRINUSE before printing `listening` (another process took the port in between), it is started again on another
 * port. Ready means the child itself said it listens, so a stranger answering on the port cannot pass for it. The
 * child's stdout and stderr must be pipes; they are read (and stderr is copied to ours) for as long as it runs.
 */
export async function spawnListening<C extends ChildProcess>(
  start: (port: number) => C,
  { listening, attempts = 5, timeout = 60_000 }: { listening: RegExp; attempts?: number; timeout?: number },
): Promise<ListeningChild<C>> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = start(port);
    if (!child.stdout || !child.stderr) throw new Error('spawnListening needs stdout and stderr piped');
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
      process.stderr.write(d);
    });
    const outcome = await new Promise<'up' | 'in-use' | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`no '${listening.source}' within ${timeout} ms`)), timeout);
      const check = () => {
        if (!listening.test(out)) return;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        resolve('up');
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      // 'close', not 'exit': by then all of its output has been read.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve(/EADDRINUSE/.test(out) ? 'in-use' : new Error(`exited (${code ?? signal}) before listening`));
      });
    });
    if (outcome === 'up') return { child, port, output: () => out };
    if (child.exitCode === null) child.kill('SIGKILL');
    if (outcome === 'in-use' && attempt < attempts) continue;
    const reason = outcome === 'in-use' ? `port in use ${attempts} times` : outcome.message;
    throw new Error(`child did not start: ${reason}\n${out.slice(-2000)}`);
  }
}
