// @arvlite/client's 'tus' transport (tus-js-client) against the real /storage/tus route of a local-disk store: a whole
// upload lands at its key; an upload stopped part-way resumes from the server's offset (HEAD), sending only the rest;
// an expired token is renewed once through `renew`; a transport for another size is refused.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageRefusedError, uploadWithTus, type UploadSource } from '@arvlite/client';
import { buildServer } from '@arvlite/server';
import { LocalDiskStorage } from '@arvlite/storage';
import { createTestDeps } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let storage: LocalDiskStorage;
let app: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  const deps = await createTestDeps();
  dir = await mkdtemp(join(tmpdir(), 'arvlite-tus-client-'));
  app = await buildServer({
    ...deps,
    storage: new LocalDiskStorage({ root: dir, publicUrl: 'http://x', signingKey: 'k'.repeat(43) }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  // The store the server uses, with the URL it listens at (the same directory and key).
  storage = new LocalDiskStorage({ root: dir, publicUrl: `http://127.0.0.1:${port}`, signingKey: 'k'.repeat(43) });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** An in-memory file that counts the bytes read from it. */
function source(bytes: Buffer) {
  const read = { bytes: 0 };
  const src: UploadSource = {
    size: bytes.length,
    slice: (start, end) => {
      read.bytes += end - start;
      return bytes.subarray(start, end);
    },
  };
  return { src, read };
}

describe('uploadWithTus', () => {
  it('uploads a file in chunks to its key, with progress', async () => {
    const key = 'c1/p1/videos/t1/uploads/a1';
    const bytes = randomBytes(700_000);
    const transport = { ...storage.uploadTransport(key, bytes.length, 'video/mp4', 900), chunkSize: 256 * 1024 };
    const seen: number[] = [];
    await uploadWithTus(transport, source(bytes).src, { onProgress: (p) => seen.push(p.uploadedBytes) });
    expect(await readFile(storage.pathOf(key))).toEqual(bytes);
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('resumes an upload stopped part-way, sending only the rest', async () => {
    const key = 'c1/p1/videos/t2/uploads/a1';
    const bytes = randomBytes(1_000_000);
    const transport = { ...storage.uploadTransport(key, bytes.length, 'video/mp4', 900), chunkSize: 250_000 };
    // The first run stops (a page closed) once two chunks are stored.
    const abort = new AbortController();
    const first = source(bytes);
    await expect(
      uploadWithTus(transport, first.src, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.uploadedBytes >= 500_000) abort.abort(new Error('page closed'));
        },
      }),
    ).rejects.toThrow('page closed');
    const held = Number(
      (
        await fetch(transport.uploadUrl!, {
          method: 'HEAD',
          headers: { 'tus-resumable': '1.0.0', ...transport.headers },
        })
      ).headers.get('upload-offset'),
    );
    expect(held).toBeGreaterThanOrEqual(250_000);
    expect(held).toBeLessThan(bytes.length);
    // After the reload: a fresh transport (new token) for the same key.
    const again = source(bytes);
    const fresh = { ...storage.uploadTransport(key, bytes.length, 'video/mp4', 900), chunkSize: 250_000 };
    await uploadWithTus(fresh, again.src);
    expect(again.read.bytes).toBe(bytes.length - held);
    expect(await readFile(storage.pathOf(key))).toEqual(bytes);
  });

  it('renews an expired token once, and refuses a transport for another size', async () => {
    const key = 'c1/p1/videos/t3/uploads/a1';
    const bytes = randomBytes(10_000);
    const expired = {
      ...storage.uploadTransport(key, bytes.length, 'video/mp4', 900),
      headers: { 'upload-token': storage.signUpload(key, bytes.length, 'video/mp4', 60, Date.now() - 120_000) },
    };
    let renewed = 0;
    await uploadWithTus(expired, source(bytes).src, {
      renew: () => {
        renewed++;
        return Promise.resolve(storage.uploadTransport(key, bytes.length, 'video/mp4', 900));
      },
    });
    expect(renewed).toBe(1);
    expect(await readFile(storage.pathOf(key))).toEqual(bytes);

    const other = storage.uploadTransport('c1/p1/videos/t4/uploads/a1', 5, 'video/mp4', 900);
    const err = await uploadWithTus(other, source(bytes).src).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageRefusedError);
    expect((err as StorageRefusedError).status).toBe(413);
    expect(await storage.head('c1/p1/videos/t4/uploads/a1')).toBeNull();
  });
});
