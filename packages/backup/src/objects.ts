// The objects half: every object of the bucket copied into the backup (ETag checked) and put back on restore.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { isNotFound, type ObjectStorage } from '@arvlite/storage';
import type { ObjectEntry } from './manifest.ts';

/** Objects copied at once. */
const CONCURRENCY = 4;

/** Where an object's bytes live in the backup: named by the key's hash, so any key maps to one safe file name. */
export function objectFile(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `objects/${h.slice(0, 2)}/${h}`;
}

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');
/** A single-part upload's ETag is the MD5 of its bytes; multipart ETags (`…-N`) are not. */
const isMd5Etag = (etag: string) => /^[0-9a-f]{32}$/.test(etag);

export async function listObjects(storage: ObjectStorage): Promise<{ key: string; etag: string; size: number }[]> {
  const out: { key: string; etag: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await storage.client.send(
      new ListObjectsV2Command({ Bucket: storage.bucket, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key) out.push({ key: o.Key, etag: unquote(o.ETag), size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function bucketIsEmpty(storage: ObjectStorage): Promise<boolean> {
  // One page (no MaxKeys: s3rver answers a truncated MaxKeys=1 listing with an internal error).
  const page = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket }));
  return (page.Contents ?? []).length === 0;
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
}

/**
 * Copies every object into `${dir}/objects/…`. Each GET carries If-Match with the listed ETag, and single-part ETags
 * are checked against the MD5 of the bytes received. An object replaced since the listing is read again; one deleted
 * since (404) is reported as vanished.
 */
export async function exportObjects(
  storage: ObjectStorage,
  dir: string,
): Promise<{ items: ObjectEntry[]; vanished: string[] }> {
  const listed = await listObjects(storage);
  const items: ObjectEntry[] = [];
  const vanished: string[] = [];
  await inBatches(listed, async (o) => {
    const entry = await copyOut(storage, dir, o.key, o.etag);
    if (entry) items.push(entry);
    else vanished.push(o.key);
  });
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { items, vanished: vanished.sort() };
}

async function copyOut(storage: ObjectStorage, dir: string, key: string, etag: string): Promise<ObjectEntry | null> {
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await storage.client.send(
        new GetObjectCommand({ Bucket: storage.bucket, Key: key, IfMatch: attempt === 0 ? `"${etag}"` : undefined }),
      );
    } catch (err) {
      if (isNotFound(err)) return null;
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 && attempt === 0) continue; // replaced since the listing: take the current object
      throw err;
    }
    const got = unquote(res.ETag);
    if (attempt === 0 && got !== etag) throw new Error(`object ${key} answered ETag ${got}, listed as ${etag}`);
    const file = objectFile(key);
    await mkdir(dirname(join(dir, file)), { recursive: true, mode: 0o700 });
    const md5 = createHash('md5');
    const sha = createHash('sha256');
    let size = 0;
    const body = res.Body as Readable;
    body.on('data', (chunk: Buffer) => {
      md5.update(chunk);
      sha.update(chunk);
      size += chunk.length;
    });
    await pipeline(body, createWriteStream(join(dir, file), { mode: 0o600 }));
    const md5Hex = md5.digest('hex');
    if (isMd5Etag(got) && got !== md5Hex) throw new Error(`object ${key}: received bytes do not match its ETag`);
    if (res.ContentLength !== undefined && res.ContentLength !== size) {
      throw new Error(`object ${key}: received ${size} bytes of ${res.ContentLength}`);
    }
    return {
      key,
      file,
      size,
      etag: got,
      md5: md5Hex,
      sha256: sha.digest('hex'),
      ...(res.ContentType ? { contentType: res.ContentType } : {}),
      ...(res.CacheControl ? { cacheControl: res.CacheControl } : {}),
    };
  }
}

/** Puts every object of the backup back; each answer's ETag must be the MD5 of the bytes sent. */
export async function importObjects(storage: ObjectStorage, dir: string, items: ObjectEntry[]): Promise<void> {
  await inBatches(items, async (o) => {
    const res = await storage.client.send(
      new PutObjectCommand({
        Bucket: storage.bucket,
        Key: o.key,
        Body: createReadStream(join(dir, o.file)),
        ContentLength: o.size,
        ContentType: o.contentType,
        CacheControl: o.cacheControl,
        ContentMD5: Buffer.from(o.md5, 'hex').toString('base64'),
      }),
    );
    const etag = unquote(res.ETag);
    if (isMd5Etag(etag) && etag !== o.md5) throw new Error(`object ${o.key}: the store answered ETag ${etag}`);
  });
}

/** Deletes every object of the bucket (restore --force). */
export async function emptyBucket(storage: ObjectStorage): Promise<number> {
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
