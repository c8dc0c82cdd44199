// The OpenAPI document and the router agree, the committed generated client is current, and /api/v1 keeps the wire
// rules: JSON only (415 before reading), 1 MiB, stable error objects.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appRouter, restRoutes } from '@arvlite/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_TYPES_PATH, typesFromDocument } from '../src/openapi-types.ts';
import { startTestPlatform } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }
    >
  >;
  components: { schemas: Record<string, unknown> };
};
let doc: Doc;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { LOG_LEVEL: 'error' } });
  doc = (await (await fetch(`${platform.baseUrl}/api/openapi.json`)).json()) as Doc;
});

const procedures = () =>
  (
    appRouter._def as unknown as {
      procedures: Record<string, { _def: { meta?: { openapi?: { method: string; path: string } } } }>;
    }
  ).procedures;

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the procedures that declare a REST route, with their method and path', () => {
    expect(doc.openapi).toBe('3.1.0');
    const declared = Object.entries(procedures())
      .filter(([, p]) => p._def.meta?.openapi)
      .map(([path, p]) => `${p._def.meta!.openapi!.method} ${p._def.meta!.openapi!.path} ${path.replace('.', '-')}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`))
      .sort();
    expect(documented).toEqual(declared);
  });

  it('covers the surface issue 18 names, the seed paths among them', () => {
    const has = (method: string, path: string) => expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    has('post', '/videos'); // seed: POST /api/v1/videos
    has('get', '/videos/{id}'); // seed: GET /api/v1/videos/{id}
    has('post', '/videos/{videoId}/parts'); // the upload-URL endpoint (parts)
    for (const [m, p] of [
      ['get', '/videos/{videoId}/parts'],
      ['post', '/videos/{videoId}/complete'],
      ['post', '/videos/{videoId}/abort'],
      ['get', '/videos'],
      ['post', '/videos/{id}/retry'],
      ['delete', '/videos/{id}'],
      ['post', '/ar-content'],
      ['patch', '/ar-content/{id}'],
      ['get', '/ar-content/{id}'],
      ['get', '/ar-content'],
      ['get', '/ar-content/{id}/qr'],
      ['post', '/ar-content/{id}/marker-upload'],
      ['get', '/ar-content/{id}/playlist'],
      ['put', '/ar-content/{id}/playlist'],
      ['get', '/viewer/{publicId}/manifest'],
      ['get', '/analytics/summary'],
    ] as const)
      has(m, p);
  });

  it('documents every route’s answer and the one error object, and every route is served', async () => {
    for (const route of restRoutes()) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op.responses['200'], route.procedure).toBeDefined();
      for (const [status, res] of Object.entries(op.responses)) {
        if (status !== '200') expect(JSON.stringify(res)).toContain('#/components/schemas/Error');
      }
      // Served: without a key a protected route answers 401 (never "no such endpoint").
      const url = route.path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await fetch(`${platform.baseUrl}/api/v1${url}`, {
        method: route.method,
        ...(route.method === 'GET' || route.method === 'DELETE'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      const body = (await res.json()) as { code: string; message: string; requestId: string };
      expect(res.status, route.procedure).not.toBe(404);
      if (res.status >= 400) expect(body.requestId, route.procedure).toBe(res.headers.get('x-request-id'));
      if (route.protect)
        expect([route.procedure, res.status, body.code]).toEqual([route.procedure, 401, 'UNAUTHORIZED']);
    }
    // The one error object every non-200 answer above had: its fields, as the document states them.
    expect(doc.components.schemas.Error).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['code', 'message', 'requestId']),
      properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
    });
  });

  it('matches the committed generated client (openapi-typescript)', async () => {
    const fresh = await typesFromDocument(doc);
    const committed = readFileSync(GENERATED_TYPES_PATH, 'utf8');
    if (fresh !== committed) {
      // Regenerate by copying this file over the committed one.
      const next = join(tmpdir(), 'arvlite-api.d.ts');
      writeFileSync(next, fresh);
      expect.fail(`the OpenAPI document changed: cp ${next} ${GENERATED_TYPES_PATH}`);
    }
  });

  it('is browsable at /docs from the bundled script, no CDN', async () => {
    const page = await fetch(`${platform.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('js/scalar.js');
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)\./);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
    expect((await fetch(`${platform.baseUrl}/docs/js/scalar.js`)).status).toBe(200);
  });
});

describe('/api/v1 wire rules', () => {
  it('takes JSON only: other bodies get 415 before they are read', async () => {
    const res = await fetch(`${platform.baseUrl}/api/v1/ar-content`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\n\r\n--x--',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      requestId: res.headers.get('x-request-id'),
    });
  });

  it('caps bodies at 1 MiB and refuses broken JSON with the same error object', async () => {
    const big = await fetch(`${platform.baseUrl}/api/v1/ar-content`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    const broken = await fetch(`${platform.baseUrl}/api/v1/ar-content`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title":',
    });
    expect(broken.status).toBe(400);
    expect(Object.keys((await broken.json()) as object).sort()).toEqual(['code', 'message', 'requestId']);
  });

  it('answers unknown endpoints with 404 in the same shape', async () => {
    const res = await fetch(`${platform.baseUrl}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', requestId: res.headers.get('x-request-id') });
  });
});
