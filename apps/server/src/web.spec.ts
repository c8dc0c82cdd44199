import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { contentSecurityDirectives, registerWebApp } from './web.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dist(pages: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'arvlite-web-dist-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'assets'));
  for (const [name, body] of Object.entries(pages)) writeFileSync(path.join(dir, name), body);
  return dir;
}

async function served(root: string) {
  const app = Fastify({ loggerInstance: pino({ level: 'silent' }) });
  expect(await registerWebApp(app, root)).toBe(true);
  return app;
}

describe('registerWebApp', () => {
  it('answers /v/… with the viewer’s own page and every other page path with the dashboard', async () => {
    const app = await served(dist({ 'index.html': 'dashboard', 'viewer.html': 'viewer' }));
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url });
      return [res.statusCode, res.body, res.headers['cache-control']];
    };
    expect(await get('/v/AbCdEfGhIjKlMnOp')).toEqual([200, 'viewer', 'no-cache']);
    expect(await get('/v/AbCdEfGhIjKlMnOp?utm_source=print')).toEqual([200, 'viewer', 'no-cache']);
    expect(await get('/v')).toEqual([200, 'viewer', 'no-cache']);
    expect(await get('/videos/x')).toEqual([200, 'dashboard', 'no-cache']);
    expect(await get('/c/1/projects')).toEqual([200, 'dashboard', 'no-cache']);
    expect((await app.inject({ method: 'GET', url: '/trpc/viewer.nothing' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
    // An unknown REST path is the REST API's 404, not the dashboard's page (it was index.html with 200).
    const api = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect([api.statusCode, api.json().code]).toEqual([404, 'NOT_FOUND']);
    await app.close();
  });

  it('falls back to the dashboard for /v/ when a build has no viewer page', async () => {
    const app = await served(dist({ 'index.html': 'dashboard' }));
    expect((await app.inject({ method: 'GET', url: '/v/AbCdEfGhIjKlMnOp' })).body).toBe('dashboard');
    await app.close();
  });
});

describe('contentSecurityDirectives', () => {
  it('lets the viewer run MindAR and hls.js (blob: workers, storage media) and nothing that evaluates code', () => {
    const d = contentSecurityDirectives({
      http: { publicUrl: 'https://arvlite.example.com' },
      s3: { endpoint: 'https://s3.example.com', bucket: 'media', forcePathStyle: false },
    });
    expect(d.workerSrc).toEqual(["'self'", 'blob:']);
    expect(d.scriptSrc).toEqual(["'self'"]);
    expect(d.connectSrc).toEqual(["'self'", 'https://media.s3.example.com', 'https://s3.example.com']);
    expect(d.mediaSrc).toEqual(["'self'", 'blob:', 'https://media.s3.example.com', 'https://s3.example.com']);
  });

  it('names the store the platform uses: Azure Blob Storage, or only this origin for the local disk', () => {
    const base = {
      http: { publicUrl: 'https://arvlite.example.com' },
      s3: { endpoint: 'https://s3.example.com', bucket: 'media', forcePathStyle: false },
      azure: {
        endpoint: 'https://internal.blob.core.windows.net',
        publicEndpoint: 'https://acct.blob.core.windows.net',
      },
    };
    const azure = contentSecurityDirectives({ ...base, storage: { provider: 'azure' } });
    expect(azure.connectSrc).toEqual(["'self'", 'https://acct.blob.core.windows.net']);
    expect(azure.mediaSrc).toEqual(["'self'", 'blob:', 'https://acct.blob.core.windows.net']);
    expect(contentSecurityDirectives({ ...base, storage: { provider: 'local' } }).connectSrc).toEqual(["'self'"]);
  });
});
