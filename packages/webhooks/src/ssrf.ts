// Server-side request forgery guard for every request the platform sends to a URL someone else chose: the address is
// resolved and checked first, the connection goes to that very address (no second DNS answer can switch it), and
// redirects are never followed.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';

/** Cloud metadata services, refused by name even where their range would be (both already are: link-local, unique-local). */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200']);

export type AddressVerdict = { ok: true } | { ok: false; why: string };

export interface OutboundPolicy {
  /** Loopback addresses (127.0.0.0/8, ::1) and plain http allowed: development and tests only. */
  allowLoopback: boolean;
  /**
   * Private networks too (loopback, RFC 1918, unique-local, carrier-grade NAT) and plain http: for a URL the operator
   * set to a service of their own (the external analyzer), never for a URL a tenant chose. Link-local (where cloud
   * metadata services live) and the metadata addresses stay refused.
   */
  allowPrivate?: boolean;
}

const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

/** Whether the platform may connect to this IP address. Anything but public unicast is refused. */
export function checkAddress(address: string, policy: OutboundPolicy): AddressVerdict {
  if (!ipaddr.isValid(address)) return { ok: false, why: `${address} is not an IP address` };
  let ip = ipaddr.parse(address);
  if (METADATA.has(ip.toString())) return { ok: false, why: `${address} is a cloud metadata address` };
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      ip = v6.toIPv4Address();
    } else if (v6.parts.slice(0, 6).every((p) => p === 0)) {
      // ::a.b.c.d (IPv4-compatible, deprecated), ::1 and :: : none is a public IPv6 host.
      const isLoopback = v6.range() === 'loopback';
      if (isLoopback && (policy.allowLoopback || policy.allowPrivate)) return { ok: true };
      return {
        ok: false,
        why: `${address} is ${isLoopback ? 'loopback' : 'an IPv4-compatible or unspecified'} address`,
      };
    }
  }
  if (METADATA.has(ip.toString())) return { ok: false, why: `${address} is a cloud metadata address` };
  const range = ip.range();
  if (range === 'unicast') return { ok: true };
  if (range === 'loopback' && policy.allowLoopback) return { ok: true };
  if (policy.allowPrivate && PRIVATE_RANGES.has(range)) return { ok: true };
  return { ok: false, why: `${address} is in a ${range} range` };
}

export class OutboundBlockedError extends Error {
  readonly reason: 'FORBIDDEN_ADDRESS' | 'NOT_HTTPS' | 'INVALID_URL' | 'DNS_FAILED';
  constructor(reason: OutboundBlockedError['reason'], message: string) {
    super(message);
    this.name = 'OutboundBlockedError';
    this.reason = reason;
  }
}

/** The checks a URL passes before anything is resolved: http(s), https unless loopback is allowed, no credentials. */
export function checkUrl(raw: string, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundBlockedError('INVALID_URL', 'Not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundBlockedError('INVALID_URL', 'Only https URLs are allowed');
  }
  if (url.protocol === 'http:' && !policy.allowLoopback && !policy.allowPrivate) {
    throw new OutboundBlockedError('NOT_HTTPS', 'Only https URLs are allowed');
  }
  if (url.username || url.password) throw new OutboundBlockedError('INVALID_URL', 'URLs with credentials are refused');
  if (!url.hostname) throw new OutboundBlockedError('INVALID_URL', 'The URL has no host');
  return url;
}

/** `[::1]` → `::1`: URL keeps IPv6 literals in brackets. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * Resolves the URL's host and checks every address it has: one forbidden answer refuses the host (a name that
 * resolves to a public and a private address must not get the private one by chance). Returns the address to use.
 */
export async function resolveChecked(url: URL, policy: OutboundPolicy, resolver: Resolver = systemResolver) {
  const host = bareHost(url.hostname);
  let addresses: LookupAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await resolver(host);
    } catch (err) {
      throw new OutboundBlockedError('DNS_FAILED', `${host} could not be resolved (${(err as Error).message})`);
    }
    if (addresses.length === 0) throw new OutboundBlockedError('DNS_FAILED', `${host} has no address`);
  }
  for (const a of addresses) {
    const verdict = checkAddress(a.address, policy);
    if (!verdict.ok) throw new OutboundBlockedError('FORBIDDEN_ADDRESS', `${host} is refused: ${verdict.why}`);
  }
  return addresses[0]!;
}

/** A lookup for http(s).request that answers the one address already checked, whatever the name (no second DNS query). */
export function pinnedLookup(checked: LookupAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [checked]);
    else callback(null, checked.address, checked.family);
  }) as LookupFunction;
}

export interface SafeRequestInput {
  url: string;
  method?: 'POST' | 'GET' | 'PUT';
  headers?: Record<string, string>;
  /** A stream is piped (a large upload is never held in memory). */
  body?: string | Buffer | Readable;
  timeoutMs: number;
  /** Bytes of the answer kept; the rest is not read (the connection is closed). */
  maxResponseBytes: number;
  policy: OutboundPolicy;
  resolver?: Resolver;
  signal?: AbortSignal;
}

export interface SafeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most maxResponseBytes of the body. */
  body: Buffer;
  /** True when reading stopped at maxResponseBytes (the answer may have been longer). */
  truncated: boolean;
  durationMs: number;
  /** The address connected to. */
  address: string;
}

export class OutboundRequestError extends Error {
  readonly kind: 'TIMEOUT' | 'NETWORK' | 'ABORTED';
  constructor(kind: OutboundRequestError['kind'], message: string) {
    super(message);
    this.name = 'OutboundRequestError';
    this.kind = kind;
  }
}

/**
 * One request to a URL someone else chose: checked (checkUrl, resolveChecked), connected to the checked address with
 * the URL's host name for SNI and Host, never redirected (a 3xx is answered as is), bounded in time (whole exchange)
 * and in the bytes read. Throws OutboundBlockedError before connecting, OutboundRequestError on timeout or network failure.
 */
export async function safeRequest(input: SafeRequestInput): Promise<SafeResponse> {
  const url = checkUrl(input.url, input.policy);
  const started = performance.now();
  const checked = await resolveChecked(url, input.policy, input.resolver);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SafeResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = client.request(url, {
      method: input.method ?? 'POST',
      headers: input.headers,
      lookup: pinnedLookup(checked),
      // A fresh connection per request: no pooled socket from another check is reused. SNI and Host stay the URL's
      // host name (Node derives both from the URL), so TLS still verifies the certificate for that name.
      agent: false,
    });
    const fail = (err: Error) =>
      finish(() => {
        req.destroy();
        reject(err);
      });
    const timer = setTimeout(
      () => fail(new OutboundRequestError('TIMEOUT', `no complete answer within ${input.timeoutMs} ms`)),
      input.timeoutMs,
    );
    const onAbort = () => fail(new OutboundRequestError('ABORTED', 'aborted'));
    input.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail(new OutboundRequestError('NETWORK', err.message)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      const done = () =>
        finish(() => {
          res.destroy();
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            truncated,
            durationMs: Math.round(performance.now() - started),
            address: checked.address,
          });
        });
      res.on('data', (chunk: Buffer) => {
        const room = input.maxResponseBytes - kept;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          kept += room;
          // The limit is reached: the rest of a large (or endless) answer is never read.
          truncated = true;
          done();
          return;
        }
        chunks.push(chunk);
        kept += chunk.length;
      });
      res.on('end', done);
      res.on('error', (err) => fail(new OutboundRequestError('NETWORK', err.message)));
    });
    if (input.body instanceof Readable) {
      input.body.on('error', (err) => fail(new OutboundRequestError('NETWORK', err.message)));
      input.body.pipe(req);
    } else {
      req.end(input.body);
    }
  });
}
