// Request bodies are bounded (security review, finding 2): a body no procedure takes (multipart/form-data above all,
// which tRPC would read whole into memory) is refused with 415 before it is read, and every body is capped (413).
// The server runs in a process of its own, so its memory is measured alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { processEnv, type ServiceConfig } from '@arvlite/config';
import { createTestConfig, spawnListening } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
let server: ChildProcess;
let baseUrl: string;
let config: ServiceConfig;

beforeAll(async () => {
  config = await createTestConfig();
  // A child must be given its port: a fresh one per try until the server itself says it listens (spawnListening).
  const started = await spawnListening(
    (port) =>
      spawn(process.execPath, [join(import.meta.dirname, '../../../../apps/server/src/main.ts')], {
        env: {
          ...processEnv(),
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          DATABASE_URL: config.database.url,
          S3_ENDPOINT: config.s3.endpoint,
          S3_BUCKET: config.s3.bucket,
          AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    { listening: /"msg":"server listening"/ },
  );
  server = started.child;
  baseUrl = `http://127.0.0.1:${started.port}`;
});

afterAll(async () => {
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
});

/** The server process' resident memory, from /proc (Linux). */
function serverRssMiB(): number {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

interface Sent {
  status: number;
  ms: number;
  body: string;
  sentMiB: number;
  peakRssGrowthMiB: number;
}

/**
 * POSTs `totalBytes` generated on the fly (one reused chunk, written as the socket drains: nothing held in memory) over
 * a raw socket, and stops sending as soon as the answer arrives (or the server cuts the connection). Samples the
 * server's memory meanwhile.
 */
function post(path: string, contentType: string, totalBytes: number, opts: { chunked?: boolean } = {}): Promise<Sent> {
  const rssBefore = serverRssMiB();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, serverRssMiB())), 50);
  const chunk = Buffer.alloc(256 * 1024, 'a');
  const started = performance.now();
  const { hostname, port } = new URL(baseUrl);
  return new Promise<Sent>((resolve) => {
    let sent = 0;
    let answeredAt: number | undefined;
    let received = '';
    const socket = net.connect(Number(port), hostname);
    const finish = () => {
      clearInterval(sampler);
      peak = Math.max(peak, serverRssMiB());
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({
        status,
        ms: (answeredAt ?? performance.now()) - started,
        body: received.slice(received.indexOf('\r\n\r\n') + 4),
        sentMiB: sent / MiB,
        peakRssGrowthMiB: peak - rssBefore,
      });
    };
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      answeredAt ??= performance.now();
      received += d;
      // The whole answer is small: once its body has arrived, we are done.
      const length = /content-length: (\d+)/i.exec(received)?.[1];
      const head = received.indexOf('\r\n\r\n');
      if (length && head >= 0 && received.length - head - 4 >= Number(length)) socket.destroy();
    });
    socket.on('error', () => {}); // EPIPE / ECONNRESET once the server has answered and cut us off
    socket.on('close', finish);
    const pump = () => {
      while (answeredAt === undefined && !socket.destroyed && sent < totalBytes) {
        const n = Math.min(chunk.length, totalBytes - sent);
        sent += n;
        const piece = n === chunk.length ? chunk : chunk.subarray(0, n);
        if (opts.chunked) socket.write(`${n.toString(16)}\r\n`);
        let ok = socket.write(piece);
        if (opts.chunked) ok = socket.write('\r\n');
        if (!ok) return void socket.once('drain', pump);
      }
      if (answeredAt === undefined && !socket.destroyed && opts.chunked) socket.write('0\r\n\r\n');
    };
    const headers = [
      `POST ${path} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      `content-type: ${contentType}`,
      opts.chunked ? 'transfer-encoding: chunked' : `content-length: ${totalBytes}`,
    ];
    socket.write(`${headers.join('\r\n')}\r\n\r\n`);
    pump();
  });
}

describe('request bodies', () => {
  it('refuses a 300 MB multipart/form-data POST to auth.login at once, without reading it', async () => {
    const boundary = '----arvlite';
    const sent = await post('/trpc/auth.login', `multipart/form-data; boundary=${boundary}`, 300 * MiB);
    console.info(
      `multipart 300 MB: ${sent.status} after ${sent.ms.toFixed(0)} ms, ${sent.sentMiB.toFixed(1)} MiB sent, ` +
        `server RSS +${sent.peakRssGrowthMiB.toFixed(1)} MiB`,
    );
    expect(sent.status).toBe(415);
    // At once: answered before the client had sent a third of the body (it stops sending at the answer). Bytes, not
    // milliseconds: tests assert no timings.
    expect(sent.sentMiB).toBeLessThan(100);
    expect(sent.peakRssGrowthMiB).toBeLessThan(30);
    expect(JSON.parse(sent.body)).toMatchObject({
      error: { json: { data: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 } } },
    });
  }, 120_000);

  it('refuses the same streamed without a length', async () => {
    const sent = await post('/trpc/auth.login', 'multipart/form-data; boundary=x', 300 * MiB, { chunked: true });
    expect(sent.status).toBe(415);
    expect(sent.sentMiB).toBeLessThan(100);
    expect(sent.peakRssGrowthMiB).toBeLessThan(30);
  }, 120_000);

  it('refuses other content types no procedure takes with 415', async () => {
    for (const type of ['application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded']) {
      const sent = await post('/trpc/auth.login', type, 4 * MiB);
      expect(sent.status, type).toBe(415);
    }
  }, 60_000);

  it('caps JSON bodies: 413 for an oversize body, with or without a length, and memory stays put', async () => {
    const declared = await post('/trpc/auth.login', 'application/json', 50 * MiB);
    expect(declared.status).toBe(413);
    const streamed = await post('/trpc/auth.login', 'application/json', 50 * MiB, { chunked: true });
    expect(streamed.status).toBe(413);
    expect(streamed.peakRssGrowthMiB).toBeLessThan(30);
  }, 60_000);

  it('still serves JSON calls', async () => {
    const res = await fetch(`${baseUrl}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: 'nobody@example.com', password: 'not the password' } }),
    });
    expect(res.status).toBe(401);
    const batch = await fetch(`${baseUrl}/trpc/health.check?batch=1&input=${encodeURIComponent('{}')}`);
    expect(batch.status).toBe(200);
  }, 30_000);
});
