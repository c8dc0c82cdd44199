import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteRange } from './local-disk-http.ts';
import { InvalidKeyError, LocalDiskStorage } from './local-disk.ts';
import { ObjectChangedError, ObjectTooLargeError, isNotFound } from './object-storage.ts';

let dir: string;
let storage: LocalDiskStorage;
const KEY = 'x'.repeat(43);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arvlite-local-disk-'));
  storage = new LocalDiskStorage({ root: join(dir, 'objects'), publicUrl: 'http://local.test/', signingKey: KEY });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('LocalDiskStorage', () => {
  it('refuses a signing key shorter than 32 characters', () => {
    expect(() => new LocalDiskStorage({ root: dir, publicUrl: 'http://x', signingKey: 'short' })).toThrow(
      /signing key/,
    );
  });

  it.each([
    '',
    '/etc/passwd',
    '../outside',
    'a/../../outside',
    'a/./b',
    'a//b',
    'a/',
    '.meta/a',
    'a/.tus/b',
    'a\\..\\b',
    'C:/x',
    'a\u0000b',
    'x'.repeat(1025),
  ])('refuses the key %j and writes nothing', async (key) => {
    await expect(storage.put(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(storage.presignGet(key)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(() => storage.signUpload(key, 1, 'video/mp4', 60)).toThrow(InvalidKeyError);
  });

  it('keeps objects as files under the root, with an MD5 ETag', async () => {
    await storage.put('c1/p1/videos/v1/original', 'hello world', 'video/mp4');
    expect(await readFile(join(dir, 'objects/c1/p1/videos/v1/original'), 'utf8')).toBe('hello world');
    expect(await storage.head('c1/p1/videos/v1/original')).toEqual({
      size: 11,
      contentType: 'video/mp4',
      etag: '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
    });
    expect(await storage.head('c1/p1/videos/v1/missing')).toBeNull();
    expect(await storage.head('c1/p1/videos/v1')).toBeNull();
    expect(await storage.getText('c1/p1/videos/v1/original')).toBe('hello world');
    expect(Buffer.from(await storage.getBytes('c1/p1/videos/v1/original', { start: 6, end: 100 })).toString()).toBe(
      'world',
    );
    const missing = await storage.getBytes('c1/p1/nothing').catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
  });

  it('reads with ifMatch only the object with that ETag', async () => {
    await storage.put('m/a', 'one');
    const { etag } = (await storage.head('m/a'))!;
    expect(Buffer.from(await storage.getBytes('m/a', undefined, { ifMatch: etag })).toString()).toBe('one');
    await storage.put('m/a', 'two');
    await expect(storage.getBytes('m/a', undefined, { ifMatch: etag })).rejects.toBeInstanceOf(ObjectChangedError);
    await expect(storage.download('m/a', join(dir, 'dl'), undefined, { ifMatch: etag })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    await expect(storage.getBytesBounded('m/a', 2)).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect((await storage.getBytesBounded('m/a', 3)).toString()).toBe('two');
  });

  it('copies with ifMatch, and refuses a source whose bytes are not the ETag (even with stale metadata)', async () => {
    await storage.put('cp/src', 'source bytes', 'video/webm');
    const { etag } = (await storage.head('cp/src'))!;
    expect(await storage.copy('cp/src', 'cp/dst', { size: 12, ifMatch: etag })).toBe(etag);
    expect(await storage.head('cp/dst')).toEqual({ size: 12, contentType: 'video/webm', etag });
    await expect(storage.copy('cp/src', 'cp/dst2', { size: 12, ifMatch: '"0000"' })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    // Same length, other bytes, metadata left claiming the old ETag: the copy's hash catches it.
    await writeFile(join(dir, 'objects/cp/src'), 'SOURCE BYTES');
    await expect(storage.copy('cp/src', 'cp/dst3', { size: 12, ifMatch: etag })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    expect(await storage.head('cp/dst2')).toBeNull();
    expect(await storage.head('cp/dst3')).toBeNull();
  });

  it('lists and deletes by prefix (partial last segments too), leaving no empty directories', async () => {
    for (const k of ['l/a/1', 'l/a/2', 'l/ab/3', 'l/b/4']) await storage.put(k, k);
    expect(await storage.listKeys('l/a/')).toEqual(['l/a/1', 'l/a/2']);
    expect(await storage.listKeys('l/a')).toEqual(['l/a/1', 'l/a/2', 'l/ab/3']);
    expect(await storage.listKeys('l/nothing/')).toEqual([]);
    expect((await storage.listKeys('')).filter((k) => k.startsWith('l/'))).toEqual([
      'l/a/1',
      'l/a/2',
      'l/ab/3',
      'l/b/4',
    ]);
    expect(await storage.deletePrefix('l/a')).toBe(3);
    expect(await storage.deletePrefix('l/a')).toBe(0);
    expect(await readdir(join(dir, 'objects/l'))).toEqual(['b']);
    await storage.delete('l/b/4');
    await storage.delete('l/b/4');
    await expect(readdir(join(dir, 'objects/l'))).rejects.toThrow(/ENOENT/);
  });

  it('putIfAbsent writes once', async () => {
    expect(await storage.putIfAbsent('once/a.pdf', Buffer.from('first'), 'application/pdf')).toBe(true);
    expect(await storage.putIfAbsent('once/a.pdf', Buffer.from('second'), 'application/pdf')).toBe(false);
    expect(await storage.getText('once/a.pdf')).toBe('first');
  });

  it('signs GET URLs for one key until they expire', async () => {
    const now = Date.now();
    const url = new URL(await storage.presignGet('c1/p1/videos/v1/original', 60, now));
    expect(url.origin + url.pathname).toBe('http://local.test/storage/o/c1/p1/videos/v1/original');
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    expect(storage.verifyGet('c1/p1/videos/v1/original', exp, sig, now)).toBe(true);
    expect(storage.verifyGet('c1/p1/videos/v1/other', exp, sig, now)).toBe(false);
    expect(storage.verifyGet('c1/p1/videos/v1/original', String(Number(exp) + 1), sig, now)).toBe(false);
    expect(storage.verifyGet('c1/p1/videos/v1/original', exp, sig, now + 61_000)).toBe(false);
    const other = new LocalDiskStorage({ root: dir, publicUrl: 'http://local.test', signingKey: 'y'.repeat(43) });
    expect(other.verifyGet('c1/p1/videos/v1/original', exp, sig, now)).toBe(false);
  });

  it('signs upload tokens for one key and one size until they expire', () => {
    const now = Date.now();
    const token = storage.signUpload('c1/p1/videos/v1/uploads/a1', 1234, 'video/mp4', 60, now);
    expect(storage.verifyUpload(token, now)).toEqual({
      key: 'c1/p1/videos/v1/uploads/a1',
      size: 1234,
      contentType: 'video/mp4',
      exp: Math.floor(now / 1000) + 60,
    });
    expect(storage.verifyUpload(token, now + 61_000)).toBeNull();
    const [body, sig] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ key: 'c1/p1/videos/v1/uploads/a1', size: 999_999, contentType: 'video/mp4', exp: 9e9 }),
    ).toString('base64url');
    expect(storage.verifyUpload(`${forged}.${sig}`, now)).toBeNull();
    expect(storage.verifyUpload(`${body}.${sig}x`, now)).toBeNull();
    expect(storage.verifyUpload('', now)).toBeNull();
    expect(storage.uploadIdOf('a/b')).toBe(storage.uploadIdOf('a/b'));
    expect(storage.uploadIdOf('a/b')).not.toBe(storage.uploadIdOf('a/c'));
  });
});

describe('byteRange', () => {
  it.each([
    [undefined, 10, { status: 200, start: 0, end: 9 }],
    ['bytes=0-3', 10, { status: 206, start: 0, end: 3 }],
    ['bytes=5-', 10, { status: 206, start: 5, end: 9 }],
    ['bytes=5-100', 10, { status: 206, start: 5, end: 9 }],
    ['bytes=-4', 10, { status: 206, start: 6, end: 9 }],
    ['bytes=-40', 10, { status: 206, start: 0, end: 9 }],
    ['bytes=10-', 10, { status: 416 }],
    ['bytes=4-2', 10, { status: 416 }],
    ['bytes=-0', 10, { status: 416 }],
    ['bytes=0-1,4-5', 10, { status: 200, start: 0, end: 9 }],
    ['items=0-1', 10, { status: 200, start: 0, end: 9 }],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(byteRange(header, size)).toEqual(expected);
  });
});
