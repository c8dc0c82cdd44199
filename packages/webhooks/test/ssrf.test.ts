// The SSRF guard against real local servers: refusals happen before any connection, the connection goes to the
// address that was checked (not to a second DNS answer), redirects are not followed, and time and bytes are bounded.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundBlockedError, OutboundRequestError, safeRequest, type Resolver } from '../src/index.ts';

const strict = { allowLoopback: false };
const dev = { allowLoopback: true };
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let port = 0;

beforeAll(async () => {
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
    else if (req.url === '/hang') return;
    else res.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
});

const base = { timeoutMs: 2000, maxResponseBytes: 4096 };

async function refused(url: string, policy = strict, resolver?: Resolver) {
  const before = seen.length;
  const err = await safeRequest({ ...base, url, policy, resolver }).catch((e: unknown) => e);
  expect(seen.length, `${url} reached the server`).toBe(before);
  return err as OutboundBlockedError;
}

describe('refused before connecting', () => {
  it.each([
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/',
    'https://10.0.0.8/',
    'https://192.168.0.10/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://0.0.0.0/',
  ])('%s', async (url) => {
    const err = await refused(url);
    expect(err).toBeInstanceOf(OutboundBlockedError);
    expect(err.reason).toBe('FORBIDDEN_ADDRESS');
  });

  it('a host name that resolves to loopback (localhost, and any name through DNS)', async () => {
    expect((await refused(`https://localhost:${port}/`)).reason).toBe('FORBIDDEN_ADDRESS');
    const toLoopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    expect((await refused(`https://hooks.example.com:${port}/`, strict, toLoopback)).reason).toBe('FORBIDDEN_ADDRESS');
    const toMetadata: Resolver = async () => [{ address: '::ffff:169.254.169.254', family: 6 }];
    expect((await refused('https://rebind.example.com/', strict, toMetadata)).reason).toBe('FORBIDDEN_ADDRESS');
  });

  it('plain http unless loopback is allowed', async () => {
    expect((await refused(`http://127.0.0.1:${port}/`)).reason).toBe('NOT_HTTPS');
  });

  it('private addresses even when loopback is allowed', async () => {
    expect((await refused('http://10.1.2.3/', dev)).reason).toBe('FORBIDDEN_ADDRESS');
    expect((await refused('http://169.254.169.254/', dev)).reason).toBe('FORBIDDEN_ADDRESS');
  });
});

describe('requests that pass', () => {
  it('connect to the checked address, keeping the host name in Host (no second DNS lookup)', async () => {
    // rebind.test has no DNS record at all: the request can only reach the server through the pinned address.
    let lookups = 0;
    const resolver: Resolver = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const res = await safeRequest({ ...base, url: `http://rebind.test:${port}/pinned`, policy: dev, resolver });
    expect(res).toMatchObject({ status: 200, address: '127.0.0.1' });
    expect(res.body.toString()).toBe('hello');
    expect(lookups).toBe(1);
    expect(seen.at(-1)).toMatchObject({ url: '/pinned', headers: { host: `rebind.test:${port}` } });
  });

  it('do not follow redirects', async () => {
    const before = seen.length;
    const res = await safeRequest({ ...base, url: `http://127.0.0.1:${port}/redirect`, policy: dev });
    expect(res.status).toBe(302);
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/redirect']);
  });

  it('end at the time limit', async () => {
    // /hang never answers: the TIMEOUT error is the limit at work (no assertion on the clock).
    const err = await safeRequest({ ...base, timeoutMs: 300, url: `http://127.0.0.1:${port}/hang`, policy: dev }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundRequestError);
    expect((err as OutboundRequestError).kind).toBe('TIMEOUT');
  });
});
