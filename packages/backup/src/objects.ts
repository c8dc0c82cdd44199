// The objects half: every object of the store copied into the backup (ETag checked) and put back on restore. Only the
// storage port is used (listKeys, head, download with If-Match, putFile), so S3, Azure Blob and local disk all back up.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isNotFound, ObjectChangedError, type ObjectStore } from '@arvlite/storage';
import type { ObjectEntry } from './manifest.ts';

/** Objects copied at once. */
const CONCURRENCY = 4;
/** Reads of one object that may find it replaced (between its HEAD and its GET) before the backup gives up. */
const ATTEMPTS = 3;

/** Where an object's bytes live in the backup: named by the key's hash, so any key maps to one safe file name. */
export function objectFile(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `objects/${h.slice(0, 2)}/${h}`;
}

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');
/** A single-part S3 upload's (and local disk's) ETag is the MD5 of its bytes; multipart and Azure ETags are not. */
const isMd5Etag = (etag: string) => /^[0-9a-f]{32}$/.test(etag);

export async function listObjects(storage: ObjectStore): Promise<string[]> {
  return storage.listKeys('');
}

export async function bucketIsEmpty(storage: ObjectStore): Promise<boolean> {
  return (await storage.listKeys('')).length === 0;
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
}

async function hashFile(path: string): Promise<{ size: number; md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha.update(chunk);
    size += chunk.length;
  }
  return { size, md5: md5.digest('hex'), sha256: sha.digest('hex') };
}

/**
 * Copies every object into `${dir}/objects/…`. Each object is read with If-Match on the ETag its HEAD answered, and
 * MD5-shaped ETags are checked against the bytes received. An object replaced in between is read again; one deleted
 * since the listing is reported as vanished.
 */
export async function exportObjects(
  storage: ObjectStore,
  dir: string,
): Promise<{ items: ObjectEntry[]; vanished: string[] }> {
  const listed = await listObjects(storage);
  const items: ObjectEntry[] = [];
  const vanished: string[] = [];
  await inBatches(listed, async (key) => {
    const entry = await copyOut(storage, dir, key);
    if (entry) items.push(entry);
    else vanished.push(key);
  });
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { items, vanished: vanished.sort() };
}

async function copyOut(storage: ObjectStore, dir: string, key: string): Promise<ObjectEntry | null> {
  const file = objectFile(key);
  const path = join(dir, file);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    const head = await storage.head(key);
    if (!head) return null;
    const etag = unquote(head.etag);
    if (!etag) throw new Error(`object ${key}: the store answered no ETag`);
    try {
      await storage.download(key, path, undefined, { ifMatch: head.etag });
    } catch (err) {
      await rm(path, { force: true });
      if (isNotFound(err)) return null;
      if (err instanceof ObjectChangedError && attempt < ATTEMPTS) continue; // replaced since its HEAD: read it again
      throw err;
    }
    const got = await hashFile(path);
    if (isMd5Etag(etag) && etag !== got.md5) throw new Error(`object ${key}: received bytes do not match its ETag`);
    if (got.size !== head.size) throw new Error(`object ${key}: received ${got.size} bytes of ${head.size}`);
    return {
      key,
      file,
      size: got.size,
      etag,
      md5: got.md5,
      sha256: got.sha256,
      ...(head.contentType ? { contentType: head.contentType } : {}),
      ...(head.cacheControl ? { cacheControl: head.cacheControl } : {}),
    };
  }
}

/**
 * Puts every object of the backup back. The store must take exactly the backed-up size, and where its ETags are MD5s
 * (S3 single-part, local disk) the stored object's ETag must be the MD5 of the bytes backed up.
 */
export async function importObjects(storage: ObjectStore, dir: string, items: ObjectEntry[]): Promise<void> {
  await inBatches(items, async (o) => {
    const size = await storage.putFile(
      o.key,
      join(dir, o.file),
      o.contentType ?? 'application/octet-stream',
      o.cacheControl,
    );
    if (size !== o.size) throw new Error(`object ${o.key}: stored ${size} bytes of ${o.size}`);
    const head = await storage.head(o.key);
    if (!head || head.size !== o.size) throw new Error(`object ${o.key}: the store does not hold its ${o.size} bytes`);
    const etag = unquote(head.etag);
    if (isMd5Etag(etag) && etag !== o.md5) throw new Error(`object ${o.key}: the store answered ETag ${etag}`);
  });
}

/** Deletes every object of the bucket (restore --force). */
export async function emptyBucket(storage: ObjectStore): Promise<number> {
  return storage.deletePrefix('');
}

/** Checks an object file of the backup against its manifest entry. */
export async function verifyObjectFile(dir: string, o: ObjectEntry): Promise<boolean> {
  const sha = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(join(dir, o.file)) as AsyncIterable<Buffer>) {
    sha.update(chunk);
    size += chunk.length;
  }
  return size === o.size && sha.digest('hex') === o.sha256;
}
