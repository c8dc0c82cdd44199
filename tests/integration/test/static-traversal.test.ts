// The dashboard's files (apps/web/dist, served by the server with @fastify/static): no request path reaches a file outside
// the served root. Canary files are planted beside the root (and in a sibling directory whose name starts like the
// root's), and raw request lines (sent as written, no client normalising them) try every traversal spelling: `..%2f`,
// `%2e%2e/`, double encoding `%252e%252e`, backslashes raw and encoded, overlong UTF-8, then random mixes (fast-check).
// Whatever the status, the body is never a canary's, nor /etc/passwd.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '@arvlite/server';
import { createTestDeps } from '@arvlite/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CANARY = `canary-${Math.random().toString(36).slice(2)}`;
const INDEX = '<!doctype html><title>dashboard index</title>';
const VIEWER = '<!doctype html><title>viewer page</title>';
const ASSET = 'console.log("asset");';
let base: { host: string; port: number };

beforeAll(async () => {
  const top = mkdtempSync(join(tmpdir(), 'arvlite-static-'));
  afterAll(() => rmSync(top, { recursive: true, force: true }));
  const dist = join(top, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'viewer.html'), VIEWER);
  writeFileSync(join(dist, 'assets', 'app-1234.js'), ASSET);
  // Outside the root: beside it, and in a sibling whose name has the root's as a prefix (`dist` → `dist-secret`).
  writeFileSync(join(top, 'canary.txt'), CANARY);
  mkdirSync(join(top, 'dist-secret'));
  writeFileSync(join(top, 'dist-secret', 'canary.txt'), CANARY);

  const deps = await createTestDeps();
  const app = await buildServer(deps, { webDist: dist });
  await app.listen({ host: '127.0.0.1', port: 0 });
  afterAll(() => app.close());
  const addr = app.server.address() as AddressInfo;
  base = { host: '127.0.0.1', port: addr.port };
});

/** One GET with the request target exactly as given (node:http sends the path unparsed). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...base, method: 'GET', path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Nothing from outside the root: refused, or answered with a page of the app (the SPA fallback), never a canary. */
async function expectContained(path: string) {
  const res = await rawGet(path);
  expect(res.body, path).not.toContain(CANARY);
  expect(res.body, path).not.toMatch(/root:.*:0:0:/);
  expect([200, 400, 403, 404], `${path} → ${res.status}`).toContain(res.status);
  if (res.status === 200) expect([INDEX, VIEWER], path).toContain(res.body);
  return res;
}

describe('static files', () => {
  it('serve what is inside the root (the control)', async () => {
    expect(await rawGet('/assets/app-1234.js')).toEqual({ status: 200, body: ASSET });
    expect(await rawGet('/')).toEqual({ status: 200, body: INDEX });
    expect(await rawGet('/v/abc')).toEqual({ status: 200, body: VIEWER });
    // An encoded name of a file inside the root still resolves inside it.
    expect(await rawGet('/assets/app%2d1234.js')).toEqual({ status: 200, body: ASSET });
  });

  it('never serve a file outside the root, whatever the spelling of ..', async () => {
    const attempts = [
      '/../canary.txt',
      '/./../canary.txt',
      '/..%2fcanary.txt',
      '/..%2Fcanary.txt',
      '/%2e%2e/canary.txt',
      '/%2E%2E/canary.txt',
      '/%2e%2e%2fcanary.txt',
      '/.%2e/canary.txt',
      '/%2e./canary.txt',
      '/%252e%252e/canary.txt',
      '/%252e%252e%252fcanary.txt',
      '/..%252fcanary.txt',
      '/..\\canary.txt',
      '/..%5ccanary.txt',
      '/..%5Ccanary.txt',
      '/%2e%2e%5ccanary.txt',
      '/..%255ccanary.txt',
      '/..%c0%afcanary.txt',
      '/%c0%ae%c0%ae/canary.txt',
      '//..%2fcanary.txt',
      '/assets/../../canary.txt',
      '/assets/..%2f..%2fcanary.txt',
      '/assets/%2e%2e/%2e%2e/canary.txt',
      '/assets/..%5c..%5ccanary.txt',
      '/assets/..%252f..%252fcanary.txt',
      '/v/..%2f..%2fcanary.txt',
      '/..%2fdist-secret%2fcanary.txt',
      '/../dist-secret/canary.txt',
      '/%2e%2e/dist-secret/canary.txt',
      '/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..\\..\\..\\..\\..\\..\\..\\etc\\passwd',
      `/${'..%2f'.repeat(12)}etc/passwd`,
      '/..%00/canary.txt',
      '/canary.txt%00.html',
    ];
    const statuses = new Set<number>();
    for (const path of attempts) statuses.add((await expectContained(path)).status);
    // The refusals are real answers, not all one fallback: at least one path is refused outright.
    expect([...statuses].some((s) => s >= 400)).toBe(true);
  });

  it('fuzz: random mixes of dot segments, separators and encodings stay inside the root', async () => {
    const dots = fc.constantFrom('..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e.', '%252e%252e', '%c0%ae%c0%ae', '...');
    const sep = fc.constantFrom('/', '%2f', '%2F', '%5c', '\\', '%252f', '%255c', '//', '/./');
    const name = fc.constantFrom('canary.txt', 'dist-secret', 'assets', 'dist', 'v', 'etc', 'passwd', 'index.html');
    const path = fc.array(fc.tuple(fc.oneof(dots, dots, name), sep), { minLength: 1, maxLength: 10 }).chain((parts) =>
      fc.constantFrom('canary.txt', 'dist-secret/canary.txt', 'etc/passwd').map((end) => {
        return `/${parts.map(([p, s]) => p + s).join('')}${end}`;
      }),
    );
    await fc.assert(
      fc.asyncProperty(path, async (p) => {
        await expectContained(p);
      }),
      { numRuns: 300, seed: 25 },
    );
  });
});
