// The /storage routes of local-disk storage over real HTTP (the Fastify app listening on loopback): tus uploads with
// their signed token (expired, other key, oversize and missing tokens refused; resume after a cut connection), signed
// GETs with Range, and traversal refused. Postgres is real; objects are files in a temporary directory.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '@arvlite/server';
import { LocalDiskStorage } from '@arvlite/storage';
import { createTestDeps } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let storage: LocalDiskStorage;
let base: string;
let app: Awaited<ReturnType<typeof buildServer>>;

const TUS = { 'tus-resumable': '1.0.0' };
const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

beforeAll(async () => {
  const deps = await createTestDeps();
  dir = await mkdtemp(join(tmpdir(), 'arvlite-local-routes-'));
  storage = new LocalDiskStorage({
    root: join(dir, 'objects'),
    publicUrl: 'http://public.test',
    signingKey: randomBytes(32).toString('base64url'),
  });
  app = await buildServer({ ...deps, storage });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

async function create(token: string, size: number | null, extra: Record<string, string> = {}) {
  return fetch(`${base}/storage/tus`, {
    method: 'POST',
    headers: { ...TUS, ...(size === null ? {} : { 'upload-length': String(size) }), 'upload-token': token, ...extra },
  });
}

async function patch(location: string, token: string, offset: number, body: Buffer) {
  return fetch(`${base}${location}`, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'upload-token': token,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body,
  });
}

async function offsetOf(location: string, token: string) {
  const res = await fetch(`${base}${location}`, { method: 'HEAD', headers: { ...TUS, 'upload-token': token } });
  return { status: res.status, offset: Number(res.headers.get('upload-offset')) };
}

/** A PATCH whose connection is cut after `sent` of the body's bytes, as when a phone loses its network. */
function cutPatch(location: string, token: string, offset: number, body: Buffer, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${base}${location}`, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'upload-token': token,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(body.length),
      },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(body.subarray(0, sent), () => setTimeout(() => req.destroy(), 200));
  });
}

describe('tus uploads to local disk', () => {
  it('creates, resumes from the offset HEAD gives, and lands the file at the object key', async () => {
    const key = 'c1/p1/videos/v1/uploads/a1';
    const bytes = randomBytes(300_000);
    const token = storage.signUpload(key, bytes.length, 'video/mp4', 900);
    const created = await create(token, bytes.length);
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toBe(`/storage/tus/${storage.uploadIdOf(key)}`);

    expect((await patch(location, token, 0, bytes.subarray(0, 100_000))).status).toBe(204);
    // A page reload: a fresh token for the same key resumes the same upload.
    const fresh = storage.signUpload(key, bytes.length, 'video/mp4', 900);
    expect(await offsetOf(location, fresh)).toEqual({ status: 200, offset: 100_000 });
    expect(await storage.head(key)).toBeNull();
    const last = await patch(location, fresh, 100_000, bytes.subarray(100_000));
    expect(last.status).toBe(204);
    expect(last.headers.get('upload-offset')).toBe(String(bytes.length));

    expect(await readFile(storage.pathOf(key))).toEqual(bytes);
    expect(await storage.head(key)).toEqual({ size: bytes.length, contentType: 'video/mp4', etag: md5(bytes) });
    // Nothing of the upload is left beside the objects.
    expect(await readdir(storage.tusDirectory)).toEqual([]);
  });

  it('resumes after the connection is cut in the middle of a PATCH', async () => {
    const key = 'c1/p1/videos/v2/uploads/a1';
    const bytes = randomBytes(2_000_000);
    const token = storage.signUpload(key, bytes.length, 'video/webm', 900);
    const location = (await create(token, bytes.length)).headers.get('location')!;
    await cutPatch(location, token, 0, bytes, 700_000);
    const { status, offset } = await offsetOf(location, token);
    expect(status).toBe(200);
    expect(offset).toBeLessThan(bytes.length);
    expect(offset).toBeLessThanOrEqual(700_000);
    // A PATCH at the wrong offset is refused (409) and changes nothing.
    expect((await patch(location, token, offset + 1, bytes.subarray(offset + 1))).status).toBe(409);
    expect((await patch(location, token, offset, bytes.subarray(offset))).status).toBe(204);
    expect(await readFile(storage.pathOf(key))).toEqual(bytes);
  });

  it('refuses a missing, forged or expired token, another key, another size and deferred lengths', async () => {
    const key = 'c1/p1/videos/v3/uploads/a1';
    const now = Date.now();
    expect((await create('', 10)).status).toBe(403);
    const expired = storage.signUpload(key, 10, 'video/mp4', 60, now - 120_000);
    expect((await create(expired, 10)).status).toBe(403);
    const token = storage.signUpload(key, 10, 'video/mp4', 900);
    expect((await create(`${token}x`, 10)).status).toBe(403);
    // Oversize and undersize: the token fixes one size.
    expect((await create(token, 11)).status).toBe(413);
    expect((await create(token, 9)).status).toBe(413);
    expect((await create(token, null, { 'upload-defer-length': '1' })).status).toBe(400);
    expect(await readdir(storage.tusDirectory)).toEqual([]);

    const location = (await create(token, 10)).headers.get('location')!;
    // A valid token for another key (or another size of another key) opens nothing of this upload.
    const other = storage.signUpload('c1/p1/videos/v4/uploads/a1', 10, 'video/mp4', 900);
    expect((await offsetOf(location, other)).status).toBe(403);
    expect((await patch(location, other, 0, Buffer.alloc(10))).status).toBe(403);
    expect((await patch(location, expired, 0, Buffer.alloc(10))).status).toBe(403);
    // More bytes than the size are refused before any is written.
    expect((await patch(location, token, 0, Buffer.alloc(11))).status).toBe(413);
    expect(await offsetOf(location, token)).toEqual({ status: 200, offset: 0 });
    expect(await storage.head(key)).toBeNull();
    expect((await patch(location, token, 0, Buffer.alloc(10, 7))).status).toBe(204);
    expect(await storage.getText(key)).toBe('\u0007'.repeat(10));
  });

  it('answers the CORS preflight of a browser upload from an allowed origin', async () => {
    const res = await fetch(`${base}/storage/tus`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'upload-token,upload-offset,tus-resumable,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('upload-token');
  });
});

/** A GET with the path sent exactly as written (fetch would resolve dot segments, even percent-encoded ones). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${base}/`, { path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('single-request PUTs to local disk (presignPut)', () => {
  const put = async (url: string, body: Buffer, type = 'image/png') =>
    fetch(`${base}${new URL(url).pathname}${new URL(url).search}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': type },
    });

  it('writes exactly the signed size and type to the signed key, once when create-only', async () => {
    const key = 'c1/logo/uploads/a1';
    const bytes = randomBytes(5000);
    const url = await storage.presignPut(key, 'image/png', 60, { contentLength: bytes.length, createOnly: true });
    expect(storage.singleUploadHeaders('image/png')).toEqual({ 'content-type': 'image/png' });
    const res = await put(url, bytes);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(md5(bytes));
    expect(await storage.head(key)).toEqual({ size: 5000, contentType: 'image/png', etag: md5(bytes) });
    // Create-only: a second PUT with the same URL does not replace it.
    expect((await put(url, randomBytes(5000))).status).toBe(412);
    expect(await readFile(storage.pathOf(key))).toEqual(bytes);
  });

  it('refuses another size, type, key, an expired URL, and leaves nothing', async () => {
    const key = 'c1/logo/uploads/a2';
    const url = await storage.presignPut(key, 'image/png', 60, { contentLength: 100 });
    expect((await put(url, randomBytes(101))).status).toBe(403);
    expect((await put(url, randomBytes(99))).status).toBe(403);
    expect((await put(url, randomBytes(100), 'image/jpeg')).status).toBe(403);
    const other = new URL(url);
    expect((await put(`http://x/storage/o/c1/logo/uploads/a3${other.search}`, randomBytes(100))).status).toBe(403);
    const token = storage.signUpload(key, 100, 'image/png', 60, Date.now() - 120_000);
    expect((await put(`http://x/storage/o/${key}?token=${token}`, randomBytes(100))).status).toBe(403);
    expect(await storage.head(key)).toBeNull();
    expect(await storage.head('c1/logo/uploads/a3')).toBeNull();
    expect((await put(url, randomBytes(100))).status).toBe(200);
  });
});

describe('signed GETs from local disk', () => {
  const key = 'c1/p1/videos/v9/original';
  const bytes = randomBytes(1000);
  const path = async (k = key, ttl = 60, now = Date.now()) => {
    const url = new URL(await storage.presignGet(k, ttl, now));
    return url.pathname + url.search;
  };

  beforeAll(() => storage.put(key, bytes, 'video/mp4'));

  it('answers the object, and a Range as 206 with Content-Range', async () => {
    const whole = await fetch(`${base}${await path()}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('etag')).toBe(md5(bytes));
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);

    const part = await fetch(`${base}${await path()}`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));

    const tail = await fetch(`${base}${await path()}`, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(990));

    const past = await fetch(`${base}${await path()}`, { headers: { range: 'bytes=1000-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */1000');
  });

  it('refuses an expired URL, another key with this signature, and a missing object', async () => {
    expect((await fetch(`${base}${await path(key, 60, Date.now() - 120_000)}`)).status).toBe(403);
    const signed = new URL(await storage.presignGet(key, 60));
    const other = `/storage/o/c1/p1/videos/v8/original${signed.search}`;
    expect((await fetch(`${base}${other}`)).status).toBe(403);
    expect((await fetch(`${base}/storage/o/${key}`)).status).toBe(403);
    expect((await fetch(`${base}${await path('c1/p1/videos/v9/missing')}`)).status).toBe(404);
  });

  it('refuses traversal out of the objects directory, however it is spelled', async () => {
    await storage.put('c1/secret', 'not for you');
    const signed = new URL(await storage.presignGet(key, 60));
    for (const p of [
      '/storage/o/c1/p1/videos/v9/../../../secret',
      '/storage/o/c1/p1/videos/v9/%2e%2e/%2e%2e/%2e%2e/secret',
      '/storage/o/%2e%2e/%2e%2e/etc/passwd',
      '/storage/o/c1/p1/videos/v9/..%2f..%2f..%2fsecret',
      '/storage/o/.meta/c1/secret',
    ]) {
      const res = await rawGet(`${p}${signed.search}`);
      expect([403, 404], p).toContain(res.status);
      expect(res.body).not.toContain('not for you');
    }
    // Even a signature made for such a key cannot exist: the key is refused before signing.
    await expect(storage.presignGet('c1/p1/../../secret')).rejects.toThrow(/Invalid object key/);
  });
});
