// The object-storage port: any S3-compatible store (AWS S3, MinIO, R2, s3rver) behind one class.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListPartsCommand,
  UploadPartCommand,
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

export class ObjectStorage {
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

  /** Streams an object to a local file. */
  async download(key: string, path: string, signal?: AbortSignal): Promise<number> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      abortSignal: signal,
    });
    if (!res.Body) throw new Error(`Object ${key} has no body`);
    await pipeline(res.Body as Readable, createWriteStream(path), { signal });
    return (await stat(path)).size;
  }

  async getText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.getBytes(key));
  }

  async getBytes(key: string, range?: { start: number; end: number }): Promise<Uint8Array> {
    const res = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    if (!res.Body) return new Uint8Array();
    return res.Body.transformToByteArray();
  }

  /** The object's size, or null when it does not exist. */
  async head(key: string): Promise<{ size: number; contentType?: string; etag?: string } | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, contentType: res.ContentType, etag: res.ETag };
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

  presignGet(key: string, expiresIn = 3600): Promise<string> {
    if (this.#presigner) return Promise.resolve(this.#presigner.sign('GET', key, { 'x-id': 'GetObject' }, expiresIn));
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn,
    });
  }

  presignPut(key: string, contentType: string, expiresIn = 3600): Promise<string> {
    return getSignedUrl(
      this.signer,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
      { expiresIn },
    );
  }

  async createMultipartUpload(key: string, contentType: string): Promise<string> {
    const res = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!res.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    return res.UploadId;
  }

  presignUploadPart(key: string, uploadId: string, partNumber: number, expiresIn = 3600): Promise<string> {
    if (this.#presigner) {
      const query = { partNumber: String(partNumber), uploadId, 'x-id': 'UploadPart' };
      return Promise.resolve(this.#presigner.sign('PUT', key, query, expiresIn));
    }
    return getSignedUrl(
      this.signer,
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
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

  async completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]) {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
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
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err?.$metadata?.httpStatusCode === 404 ||
    err?.name === 'NoSuchUpload' ||
    err?.name === 'NoSuchKey' ||
    err?.name === 'NotFound'
  );
}

/** True for network failures and 5xx answers: the caller may retry later. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(err?.code ?? '') ||
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError'
  );
}
