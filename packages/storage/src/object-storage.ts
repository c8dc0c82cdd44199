// The object-storage port: any S3-compatible store (AWS S3, MinIO, R2, s3rver) behind one class.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListPartsCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Presigner } from './presign.ts';
import type { ObjectHead, ObjectStore, ReadOptions } from './port.ts';
import { createS3Client, type S3Settings } from './s3-client.ts';

export interface StorageSettings extends S3Settings {
  bucket: string;
  /** Endpoint that clients (browsers, phones) reach; presigned URLs are signed for it. */
  publicEndpoint: string;
}

export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Object storage is unavailable; try again shortly', { cause });
    this.name = 'StorageUnavailableError';
  }
}

/** The object is not the one expected: its ETag differs from the one recorded (If-Match failed or was ignored). */
export class ObjectChangedError extends Error {
  readonly key: string;
  constructor(key: string, expected: string, actual: string | null) {
    super(`Object ${key} changed: expected ETag ${expected}, found ${actual ?? 'another'}`);
    this.name = 'ObjectChangedError';
    this.key = key;
  }
}

/** More bytes arrived than the reader allows. */
/**
 * A stored object's body in memory, refused (ObjectTooLargeError) by its announced length or as soon as more than
 * `maxBytes` arrive; shared by the stores whose SDKs answer a Node stream.
 */
export async function readBounded(
  key: string,
  body: Readable | undefined,
  contentLength: number | undefined,
  maxBytes: number,
): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if ((contentLength ?? 0) > maxBytes) {
    body.destroy();
    throw new ObjectTooLargeError(key, maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      body.destroy();
      throw new ObjectTooLargeError(key, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received);
}

export class ObjectTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(key: string, maxBytes: number) {
    super(`Object ${key} is larger than ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
    this.maxBytes = maxBytes;
  }
}

export type { ReadOptions } from './port.ts';

const GiB = 1024 * 1024 * 1024;
/** S3's limit for a single CopyObject; larger objects are copied part by part (UploadPartCopy). */
const COPY_MAX_BYTES = 5 * GiB;

/** ETags compared as S3 does: without the quotes. */
export function sameEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.replaceAll('"', '') === b.replaceAll('"', '');
}

function isPreconditionFailed(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.$metadata?.httpStatusCode === 412 || err?.name === 'PreconditionFailed';
}

/** The S3-compatible provider. Reads with `ifMatch` send If-Match and check the answer's ETag too (s3rver ignores it). */
export class ObjectStorage implements ObjectStore {
  readonly provider = 's3' as const;
  readonly uploadKind = 's3' as const;
  readonly bucket: string;
  readonly client: S3Client;
  /** Signs URLs against the public endpoint; never used to send requests itself. */
  readonly signer: S3Client;
  /** The same signatures without the SDK's per-URL cost; path-style only (virtual-hosted buckets go through the SDK). */
  readonly #presigner: Presigner | null;

  constructor(settings: StorageSettings) {
    this.bucket = settings.bucket;
    this.client = createS3Client(settings);
    this.signer =
      settings.publicEndpoint === settings.endpoint
        ? this.client
        : createS3Client({ ...settings, endpoint: settings.publicEndpoint });
    this.#presigner = settings.forcePathStyle
      ? new Presigner({ ...settings, endpoint: settings.publicEndpoint })
      : null;
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /**
   * Writes an object only where none is: `If-None-Match: *` for stores that honour it (AWS S3, MinIO, R2), after a HEAD
   * for those that do not (s3rver). Answers false, writing nothing, when the key already holds an object.
   */
  async putIfAbsent(key: string, body: Uint8Array, contentType: string): Promise<boolean> {
    if (await this.head(key)) return false;
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch: '*' }),
      );
      return true;
    } catch (e) {
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return false;
      throw e;
    }
  }

  /** Uploads a local file (streamed, never held in memory). */
  async putFile(key: string, path: string, contentType: string, cacheControl?: string): Promise<number> {
    const { size } = await stat(path);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: contentType,
        CacheControl: cacheControl,
      }),
    );
    return size;
  }

  /** GetObject with If-Match; the ETag of the answer is checked as well, for stores that ignore the condition. */
  async #get(key: string, opts: ReadOptions, range?: { start: number; end: number }, signal?: AbortSignal) {
    const ifMatch = opts.ifMatch ?? undefined;
    let res;
    try {
      res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          IfMatch: ifMatch,
        }),
        { abortSignal: signal },
      );
    } catch (e) {
      if (ifMatch && isPreconditionFailed(e)) throw new ObjectChangedError(key, ifMatch, null);
      throw e;
    }
    if (ifMatch && !sameEtag(res.ETag, ifMatch)) {
      (res.Body as Readable | undefined)?.destroy?.();
      throw new ObjectChangedError(key, ifMatch, res.ETag ?? null);
    }
    return res;
  }

  /** Streams an object to a local file; with `ifMatch`, only the object with that ETag. */
  async download(key: string, path: string, signal?: AbortSignal, opts: ReadOptions = {}): Promise<number> {
    const res = await this.#get(key, opts, undefined, signal);
    if (!res.Body) throw new Error(`Object ${key} has no body`);
    await pipeline(res.Body as Readable, createWriteStream(path), { signal });
    return (await stat(path)).size;
  }

  async getText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.getBytes(key));
  }

  async getBytes(key: string, range?: { start: number; end: number }, opts: ReadOptions = {}): Promise<Uint8Array> {
    const res = await this.#get(key, opts, range);
    if (!res.Body) return new Uint8Array();
    return res.Body.transformToByteArray();
  }

  /** The whole object in memory, streamed and cut off (ObjectTooLargeError) as soon as more than `maxBytes` arrive. */
  async getBytesBounded(key: string, maxBytes: number, opts: ReadOptions = {}): Promise<Buffer> {
    const res = await this.#get(key, opts);
    return readBounded(key, res.Body as Readable | undefined, res.ContentLength, maxBytes);
  }

  /**
   * Copies `from` to `to` inside the bucket and returns the copy's ETag. With `ifMatch`, only the source with that
   * ETag (CopySourceIfMatch). Objects over 5 GiB, which CopyObject refuses, are copied part by part.
   */
  async copy(from: string, to: string, opts: { size: number; ifMatch?: string | null }): Promise<string> {
    const source = `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
    const ifMatch = opts.ifMatch ?? undefined;
    if (ifMatch) {
      // CopySourceIfMatch is sent too; this check is for stores that ignore it (s3rver).
      const found = await this.head(from);
      if (!found || !sameEtag(found.etag, ifMatch)) throw new ObjectChangedError(from, ifMatch, found?.etag ?? null);
    }
    try {
      if (opts.size <= COPY_MAX_BYTES) {
        const res = await this.client.send(
          new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source, CopySourceIfMatch: ifMatch }),
        );
        const etag = res.CopyObjectResult?.ETag ?? (await this.head(to))?.etag;
        if (!etag) throw new Error(`CopyObject to ${to} returned no ETag`);
        return etag;
      }
      const uploadId = await this.createMultipartUpload(to, 'application/octet-stream');
      try {
        const partSize = Math.max(GiB, Math.ceil(opts.size / 10_000));
        const parts: { partNumber: number; etag: string }[] = [];
        for (let start = 0, partNumber = 1; start < opts.size; start += partSize, partNumber++) {
          const end = Math.min(opts.size, start + partSize) - 1;
          const res = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: to,
              UploadId: uploadId,
              PartNumber: partNumber,
              CopySource: source,
              CopySourceRange: `bytes=${start}-${end}`,
              CopySourceIfMatch: ifMatch,
            }),
          );
          if (!res.CopyPartResult?.ETag) throw new Error(`UploadPartCopy to ${to} returned no ETag`);
          parts.push({ partNumber, etag: res.CopyPartResult.ETag });
        }
        return await this.completeMultipartUpload(to, uploadId, parts);
      } catch (e) {
        await this.abortMultipartUpload(to, uploadId).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      if (ifMatch && isPreconditionFailed(e)) throw new ObjectChangedError(from, ifMatch, null);
      throw e;
    }
  }

  /** The object's size, or null when it does not exist. */
  async head(key: string): Promise<ObjectHead | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: res.ContentLength ?? 0,
        contentType: res.ContentType,
        etag: res.ETag,
        ...(res.CacheControl ? { cacheControl: res.CacheControl } : {}),
      };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** Every key under a prefix. */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** Deletes every object under a prefix (a video's outputs, say). Idempotent. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: [{ Key: key }], Quiet: true } }),
    );
  }

  presignGet(key: string, expiresIn = 3600, signedAt?: number): Promise<string> {
    const at = new Date(signedAt ?? Date.now());
    if (this.#presigner)
      return Promise.resolve(this.#presigner.sign('GET', key, { 'x-id': 'GetObject' }, expiresIn, at));
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn,
      signingDate: at,
    });
  }

  /**
   * A presigned PUT. `contentLength` is signed, so the store refuses a body of any other size; `createOnly` signs
   * `If-None-Match: *` (the client must send it), so stores that support conditional writes refuse a second PUT.
   */
  presignPut(
    key: string,
    contentType: string,
    expiresIn = 3600,
    opts: { contentLength?: number; createOnly?: boolean } = {},
  ): Promise<string> {
    return getSignedUrl(
      this.signer,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: contentType,
        ContentLength: opts.contentLength,
        IfNoneMatch: opts.createOnly ? '*' : undefined,
      }),
      { expiresIn },
    );
  }

  /** The signed headers of a presignPut URL: the type, and `If-None-Match: *` for `createOnly` (the length is signed). */
  singleUploadHeaders(contentType: string, opts: { createOnly?: boolean } = {}): Record<string, string> {
    return opts.createOnly ? { 'content-type': contentType, 'if-none-match': '*' } : { 'content-type': contentType };
  }

  /** UploadPart answers the part's ETag itself. */
  partEtag(): null {
    return null;
  }

  async createMultipartUpload(key: string, contentType: string): Promise<string> {
    const res = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!res.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    return res.UploadId;
  }

  /** A presigned part upload; with `contentLength` the part's size is signed and the store refuses any other. */
  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresIn = 3600,
    contentLength?: number,
  ): Promise<string> {
    if (this.#presigner) {
      const query = { partNumber: String(partNumber), uploadId, 'x-id': 'UploadPart' };
      const headers: Record<string, string> =
        contentLength === undefined ? {} : { 'content-length': String(contentLength) };
      return Promise.resolve(this.#presigner.sign('PUT', key, query, expiresIn, new Date(), headers));
    }
    return getSignedUrl(
      this.signer,
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        ContentLength: contentLength,
      }),
      { expiresIn },
    );
  }

  /** Every part storage holds for a multipart upload, in part order. */
  async listParts(key: string, uploadId: string): Promise<{ partNumber: number; size: number; etag: string }[]> {
    const parts: { partNumber: number; size: number; etag: string }[] = [];
    let marker: string | undefined;
    do {
      const res = await this.client.send(
        new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
      );
      for (const p of res.Parts ?? []) {
        if (p.PartNumber && p.ETag) parts.push({ partNumber: p.PartNumber, size: p.Size ?? 0, etag: p.ETag });
      }
      marker = res.IsTruncated ? res.NextPartNumberMarker : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Assembles the parts; returns the object's ETag. */
  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<string> {
    const res = await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
    return res.ETag ?? (await this.head(key))?.etag ?? '';
  }

  /** Aborts a multipart upload; an upload that is already gone is not an error. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  destroy(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}

export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; Code?: string; statusCode?: number; $metadata?: { httpStatusCode?: number } };
  return (
    err?.$metadata?.httpStatusCode === 404 ||
    err?.statusCode === 404 || // Azure's RestError (and the local provider's errors)
    err?.name === 'NoSuchUpload' ||
    err?.name === 'NoSuchKey' ||
    err?.name === 'NotFound'
  );
}

/** True for network failures and 5xx answers: the caller may retry later. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; statusCode?: number; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode ?? err?.statusCode;
  if (status !== undefined) return status >= 500;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'REQUEST_SEND_ERROR'].includes(
      err?.code ?? '',
    ) ||
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError'
  );
}
