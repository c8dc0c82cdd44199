// One conformance suite for every storage provider behind the ObjectStore port, run against the real thing: S3 on
// the embedded s3rver (patched to check SigV4), Azure Blob Storage on Azurite, local disk behind the server's /storage
// routes. A provider is one entry in PROVIDERS.
// Clients speak to storage only through URLs and headers the port gives them, so the tests do the same with fetch.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '@arvlite/server';
import { LocalDiskStorage, ObjectChangedError, ObjectTooLargeError, type ObjectStore } from '@arvlite/storage';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAzurite } from '../src/azurite.ts';

const ORIGIN = 'http://app.conformance.test';
const MiB = 1024 * 1024;

interface Provider {
  name: string;
  /** Whether the store itself refuses an upload of another size than the URL names (else completion checks it). */
  sizeBoundByStore: boolean;
  /** How a large upload resumes: parts/blocks listed by the store, or tus (local disk: the server's offset). */
  resumable?: 'parts' | 'tus';
  open(): Promise<{ store: ObjectStore; close(): Promise<void> }>;
}

const PROVIDERS: Provider[] = [
  {
    name: 's3',
    sizeBoundByStore: true,
    async open() {
      const deps = await createTestDeps({ CORS_ORIGINS: ORIGIN });
      return { store: deps.storage, close: async () => undefined };
    },
  },
  {
    name: 'azure',
    sizeBoundByStore: false,
    open: () => startTestAzurite([ORIGIN]),
  },
  {
    // Objects on this machine's disk; clients reach them through the server's /storage routes, so a server runs.
    name: 'local',
    sizeBoundByStore: true,
    resumable: 'tus',
    async open() {
      const deps = await createTestDeps({ CORS_ORIGINS: ORIGIN });
      const dir = await mkdtemp(join(tmpdir(), 'arvlite-conformance-'));
      const reserved = await reservePort();
      const store = new LocalDiskStorage({
        root: dir,
        publicUrl: `http://127.0.0.1:${reserved.port}`,
        signingKey: randomBytes(32).toString('base64url'),
      });
      const app = await buildServer({ ...deps, storage: store });
      await reserved.listen(app);
      return {
        store,
        close: async () => {
          await app.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

const bytes = (n: number, seed = 1) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(PROVIDERS)('storage conformance: $name', (provider) => {
  let store: ObjectStore;
  let close: () => Promise<void>;
  const prefix = `conf-${randomBytes(4).toString('hex')}/`;

  beforeAll(async () => {
    ({ store, close } = await provider.open());
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it('is reachable, and HEAD answers size, type and ETag of an object and null for none', async () => {
    await store.ping();
    const key = `${prefix}head/a.txt`;
    await store.put(key, 'hello world', 'text/plain');
    const head = await store.head(key);
    expect(head).toMatchObject({ size: 11, contentType: 'text/plain' });
    expect(head?.etag).toBeTruthy();
    expect(await store.head(`${prefix}head/missing.txt`)).toBeNull();
  });

  it('single upload: the URL and headers the port gives write that object once, with those bytes', async () => {
    const key = `${prefix}single/clip.mp4`;
    const body = bytes(1000);
    const url = await store.presignPut(key, 'video/mp4', 60, { contentLength: body.length, createOnly: true });
    const headers = store.singleUploadHeaders('video/mp4', { createOnly: true });
    const res = await fetch(url, { method: 'PUT', body, headers });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    expect(await store.head(key)).toMatchObject({ size: 1000 });
    expect(Buffer.from(await store.getBytes(key)).equals(body)).toBe(true);

    // Scoped to the one object: the same signature for another key is refused, and nothing is written there.
    const other = url.replace('clip.mp4', 'other.mp4');
    expect((await fetch(other, { method: 'PUT', body, headers })).status).toBe(403);
    expect(await store.head(`${prefix}single/other.mp4`)).toBeNull();
    // An upload URL cannot read.
    expect((await fetch(url)).status).toBe(403);
  });

  it('size bound: a body of another size than declared is refused by the store, or seen by HEAD at completion', async () => {
    const key = `${prefix}size/clip.mp4`;
    const url = await store.presignPut(key, 'video/mp4', 60, { contentLength: 1000, createOnly: true });
    const headers = store.singleUploadHeaders('video/mp4', { createOnly: true });
    const res = await fetch(url, { method: 'PUT', body: bytes(1001), headers });
    if (provider.sizeBoundByStore) {
      expect(res.status).toBe(403);
      expect(await store.head(key)).toBeNull();
    } else {
      // Azure SAS cannot bind a size: the platform's completion compares HEAD's size with the declared one.
      expect(res.status).toBeLessThan(300);
      expect((await store.head(key))?.size).toBe(1001);
    }
  });

  it.runIf(provider.resumable === 'tus')(
    'tus: an upload resumes from the offset the server holds (HEAD), the token bounds key and size',
    async () => {
      const key = `${prefix}tus/clip.mp4`;
      const body = bytes(300_000, 3);
      const tus = store.uploadTransport!(key, body.length, 'video/mp4', 60);
      const h = { 'tus-resumable': '1.0.0', ...tus.headers };
      const created = await fetch(tus.endpoint, {
        method: 'POST',
        headers: { ...h, 'upload-length': String(body.length) },
      });
      expect(created.status).toBe(201);
      const patch = (offset: number, chunk: Buffer) =>
        fetch(tus.uploadUrl!, {
          method: 'PATCH',
          headers: { ...h, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
          body: chunk,
        });
      expect((await patch(0, body.subarray(0, 100_000))).status).toBe(204);
      // After a reload: a fresh transport for the same key finds the upload and its offset.
      const again = store.uploadTransport!(key, body.length, 'video/mp4', 60);
      expect(again.uploadUrl).toBe(tus.uploadUrl);
      const head = await fetch(again.uploadUrl!, {
        method: 'HEAD',
        headers: { 'tus-resumable': '1.0.0', ...again.headers },
      });
      expect(head.headers.get('upload-offset')).toBe('100000');
      expect(await store.head(key)).toBeNull(); // nothing is an object before the last byte
      expect((await patch(100_000, body.subarray(100_000))).status).toBe(204);
      expect(Buffer.from(await store.getBytes(key)).equals(body)).toBe(true);
      // Another size than the token's is refused before anything is stored.
      const other = store.uploadTransport!(`${prefix}tus/other.mp4`, 10, 'video/mp4', 60);
      const refused = await fetch(other.endpoint, {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', ...other.headers, 'upload-length': '11' },
      });
      expect(refused.status).toBe(413);
    },
  );

  it.runIf((provider.resumable ?? 'parts') === 'parts')(
    'multipart: parts upload through their URLs, listing answers what is held (resume), completion assembles',
    async () => {
      const key = `${prefix}multi/clip.mp4`;
      const part1 = bytes(5 * MiB, 3);
      const part2 = bytes(1234, 7);
      const uploadId = await store.createMultipartUpload(key, 'video/mp4');
      expect(await store.listParts(key, uploadId)).toEqual([]);

      const put = async (n: number, body: Buffer) => {
        const url = await store.presignUploadPart(key, uploadId, n, 60, body.length);
        const res = await fetch(url, { method: 'PUT', body });
        expect(res.status, await res.clone().text()).toBeLessThan(300);
        return res.headers.get('etag') ?? store.partEtag(n);
      };
      const etag1 = await put(1, part1);
      // After a reload the client asks what storage holds and skips it.
      const held = await store.listParts(key, uploadId);
      expect(held.map((p) => [p.partNumber, p.size])).toEqual([[1, part1.length]]);
      expect(held[0]!.etag.replaceAll('"', '')).toBe(etag1!.replaceAll('"', ''));
      const etag2 = await put(2, part2);
      expect((await store.listParts(key, uploadId)).map((p) => p.partNumber)).toEqual([1, 2]);
      expect(await store.head(key)).toBeNull(); // nothing is an object before completion

      const etag = await store.completeMultipartUpload(
        key,
        uploadId,
        [
          { partNumber: 1, etag: etag1! },
          { partNumber: 2, etag: etag2! },
        ],
        'video/mp4',
      );
      expect(etag).toBeTruthy();
      const head = await store.head(key);
      expect(head?.size).toBe(part1.length + part2.length);
      expect(Buffer.from(await store.getBytes(key)).equals(Buffer.concat([part1, part2]))).toBe(true);
    },
    60_000,
  );

  it('aborting an upload leaves no object and is idempotent', async () => {
    const key = `${prefix}abort/clip.mp4`;
    const uploadId = await store.createMultipartUpload(key, 'video/mp4');
    await store.abortMultipartUpload(key, uploadId);
    await store.abortMultipartUpload(key, uploadId);
    expect(await store.head(key)).toBeNull();
  });

  it('Range GET, through the port and through a presigned URL', async () => {
    const key = `${prefix}range/v.bin`;
    const body = bytes(4096, 9);
    await store.put(key, body, 'application/octet-stream');
    expect(Buffer.from(await store.getBytes(key, { start: 100, end: 199 })).equals(body.subarray(100, 200))).toBe(true);
    const url = await store.presignGet(key, 60);
    const res = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(body.subarray(1000, 2000))).toBe(true);
    // A read URL writes nothing.
    const headers = store.singleUploadHeaders('application/octet-stream');
    expect((await fetch(url, { method: 'PUT', body: 'x', headers })).status).toBe(403);
    expect((await store.head(key))?.size).toBe(4096);
  });

  it('reads with If-Match and bounded reads', async () => {
    const key = `${prefix}read/v.bin`;
    await store.put(key, bytes(100), 'application/octet-stream');
    const { etag } = (await store.head(key))!;
    expect((await store.getBytes(key, undefined, { ifMatch: etag })).length).toBe(100);
    await expect(store.getBytes(key, undefined, { ifMatch: '"0xnot-this-one"' })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    expect((await store.getBytesBounded(key, 100)).length).toBe(100);
    await expect(store.getBytesBounded(key, 99)).rejects.toBeInstanceOf(ObjectTooLargeError);
  });

  it('a GET URL signed at a given moment is the same every time, works, and lasts expiresIn from that moment', async () => {
    const key = `${prefix}window/v.bin`;
    await store.put(key, 'same bytes', 'text/plain');
    const at = Date.now() - 30_000;
    const url = await store.presignGet(key, 60, at);
    expect(await store.presignGet(key, 60, at)).toBe(url);
    expect(await store.presignGet(key, 60, at + 1000)).not.toBe(url);
    const res = await fetch(url);
    expect([res.status, await res.text()]).toEqual([200, 'same bytes']);
    // Signed 70 s ago for 60 s: over, though handed out just now.
    expect((await fetch(await store.presignGet(key, 60, Date.now() - 70_000))).status).toBe(403);
  });

  it('expired URLs are refused', async () => {
    const key = `${prefix}expiry/v.bin`;
    await store.put(key, 'soon gone', 'text/plain');
    const get = await store.presignGet(key, 1);
    const put = await store.presignPut(`${prefix}expiry/new.bin`, 'text/plain', 1, { contentLength: 3 });
    await sleep(2_500);
    expect((await fetch(get)).status).toBe(403);
    const res = await fetch(put, { method: 'PUT', body: 'abc', headers: store.singleUploadHeaders('text/plain') });
    expect(res.status).toBe(403);
    expect(await store.head(`${prefix}expiry/new.bin`)).toBeNull();
  });

  it('copy (the per-attempt key to the original), only of the source with the ETag given', async () => {
    const from = `${prefix}copy/attempt.bin`;
    await store.put(from, bytes(2000, 5), 'video/mp4');
    const { etag } = (await store.head(from))!;
    const copied = await store.copy(from, `${prefix}copy/original.bin`, { size: 2000, ifMatch: etag });
    expect(copied).toBeTruthy();
    expect(Buffer.from(await store.getBytes(`${prefix}copy/original.bin`)).equals(bytes(2000, 5))).toBe(true);
    await expect(
      store.copy(from, `${prefix}copy/never.bin`, { size: 2000, ifMatch: '"0xnot-this-one"' }),
    ).rejects.toBeInstanceOf(ObjectChangedError);
    expect(await store.head(`${prefix}copy/never.bin`)).toBeNull();
  });

  it('putIfAbsent writes once', async () => {
    const key = `${prefix}once/doc.pdf`;
    expect(await store.putIfAbsent(key, bytes(10), 'application/pdf')).toBe(true);
    expect(await store.putIfAbsent(key, bytes(20), 'application/pdf')).toBe(false);
    expect((await store.head(key))?.size).toBe(10);
  });

  it('delete by prefix removes exactly what is under it', async () => {
    const base = `${prefix}del/`;
    for (const k of ['a/1', 'a/2', 'a/b/3']) await store.put(`${base}${k}`, 'x');
    await store.put(`${base}ab/keep`, 'x');
    expect(await store.listKeys(`${base}a/`)).toEqual([`${base}a/1`, `${base}a/2`, `${base}a/b/3`]);
    expect(await store.deletePrefix(`${base}a/`)).toBe(3);
    expect(await store.listKeys(base)).toEqual([`${base}ab/keep`]);
    expect(await store.deletePrefix(`${base}a/`)).toBe(0);
    await store.delete(`${base}ab/keep`);
    await store.delete(`${base}ab/keep`);
    expect(await store.listKeys(base)).toEqual([]);
  });

  it('CORS: browsers on the app origin may PUT uploads and GET media', async () => {
    const key = `${prefix}cors/clip.mp4`;
    const url = await store.presignPut(key, 'video/mp4', 60, { contentLength: 10, createOnly: true });
    const requestHeaders = Object.keys(store.singleUploadHeaders('video/mp4', { createOnly: true })).join(',');
    const res = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': requestHeaders,
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toMatch(new RegExp(`^(${ORIGIN}|\\*)$`));
    const get = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    expect(get.status).toBeLessThan(300);
  });
});
