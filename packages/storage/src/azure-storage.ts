// The Azure Blob Storage provider: block blobs in one container, clients upload with SAS URLs scoped to one blob.
// Azure SAS cannot bind a body size (its signed fields are permissions, times, IP, protocol and response headers):
// sizes are checked on completion instead, block by block before Put Block List and as a whole after it.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlockBlobClient,
  type ContainerClient,
} from '@azure/storage-blob';
import { ObjectChangedError, readBounded, sameEtag } from './object-storage.ts';
import type { ObjectHead, ObjectStore, ReadOptions, StoredPart } from './port.ts';

export interface AzureSettings {
  /** The Blob service endpoint the server calls, account included for Azurite: `http://127.0.0.1:10000/devstoreaccount1`. */
  endpoint: string;
  /** The endpoint clients (browsers, phones) reach; SAS URLs point there. Defaults to `endpoint`. */
  publicEndpoint?: string;
  accountName: string;
  accountKey: string;
  container: string;
}

/**
 * Block IDs: `part` and eight digits, 12 characters that are valid base64 as they stand (Azure wants base64 IDs of one
 * length per blob).
 */
export function azureBlockId(partNumber: number): string {
  return `part${String(partNumber).padStart(8, '0')}`;
}
const BLOCK_ID = /^part(\d{8})$/;

function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number })?.statusCode;
}

export class AzureObjectStore implements ObjectStore {
  readonly provider = 'azure' as const;
  readonly uploadKind = 'azure' as const;
  readonly bucket: string;
  readonly service: BlobServiceClient;
  readonly container: ContainerClient;
  readonly #credential: StorageSharedKeyCredential;
  readonly #publicBase: string;

  constructor(settings: AzureSettings) {
    this.bucket = settings.container;
    this.#credential = new StorageSharedKeyCredential(settings.accountName, settings.accountKey);
    this.service = new BlobServiceClient(settings.endpoint, this.#credential);
    this.container = this.service.getContainerClient(settings.container);
    this.#publicBase = `${(settings.publicEndpoint ?? settings.endpoint).replace(/\/+$/, '')}/${encodeURIComponent(settings.container)}/`;
  }

  /** Creates the container if missing and sets the account's CORS rules for these browser origins. */
  async setup(corsOrigins: string[]): Promise<void> {
    await this.container.createIfNotExists();
    await this.service.setProperties({
      cors: corsOrigins.length
        ? [
            {
              allowedOrigins: corsOrigins.join(','),
              allowedMethods: 'GET,HEAD,PUT,OPTIONS',
              allowedHeaders: 'content-type,content-length,if-none-match,x-ms-*,range',
              exposedHeaders: 'etag,content-length,content-range,x-ms-*',
              maxAgeInSeconds: 3600,
            },
          ]
        : [],
    });
  }

  #blob(key: string): BlockBlobClient {
    return this.container.getBlockBlobClient(key);
  }

  #publicUrl(key: string): string {
    return this.#publicBase + key.split('/').map(encodeURIComponent).join('/');
  }

  /** A SAS scoped to one blob, https or http as the endpoint is, valid `expiresIn` seconds from `signedAt`. */
  #sas(key: string, permissions: string, expiresIn: number, signedAt = Date.now()): string {
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800)
      throw new RangeError(`expiresIn ${expiresIn} s is outside 1 s to 7 days`);
    return generateBlobSASQueryParameters(
      {
        containerName: this.bucket,
        blobName: key,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(signedAt + expiresIn * 1000),
        protocol: this.#publicBase.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
      },
      this.#credential,
    ).toString();
  }

  async ping(): Promise<void> {
    await this.container.getProperties();
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    await this.#blob(key).upload(bytes, bytes.byteLength, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  async putIfAbsent(key: string, body: Uint8Array, contentType: string): Promise<boolean> {
    try {
      await this.#blob(key).upload(body, body.byteLength, {
        blobHTTPHeaders: { blobContentType: contentType },
        conditions: { ifNoneMatch: '*' },
      });
      return true;
    } catch (e) {
      if (statusOf(e) === 409 || statusOf(e) === 412) return false;
      throw e;
    }
  }

  async putFile(key: string, path: string, contentType: string, cacheControl?: string): Promise<number> {
    const { size } = await stat(path);
    await this.#blob(key).uploadFile(path, {
      blobHTTPHeaders: { blobContentType: contentType, blobCacheControl: cacheControl },
    });
    return size;
  }

  async #get(key: string, opts: ReadOptions, range?: { start: number; end: number }, signal?: AbortSignal) {
    const ifMatch = opts.ifMatch ?? undefined;
    let res;
    try {
      res = await this.#blob(key).download(range?.start ?? 0, range ? range.end - range.start + 1 : undefined, {
        conditions: ifMatch ? { ifMatch } : undefined,
        abortSignal: signal,
      });
    } catch (e) {
      if (ifMatch && statusOf(e) === 412) throw new ObjectChangedError(key, ifMatch, null);
      throw e;
    }
    if (ifMatch && !sameEtag(res.etag, ifMatch)) {
      res.readableStreamBody?.destroy();
      throw new ObjectChangedError(key, ifMatch, res.etag ?? null);
    }
    return res;
  }

  async download(key: string, path: string, signal?: AbortSignal, opts: ReadOptions = {}): Promise<number> {
    const res = await this.#get(key, opts, undefined, signal);
    if (!res.readableStreamBody) throw new Error(`Object ${key} has no body`);
    await pipeline(res.readableStreamBody as Readable, createWriteStream(path), { signal });
    return (await stat(path)).size;
  }

  async getText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.getBytes(key));
  }

  async getBytes(key: string, range?: { start: number; end: number }, opts: ReadOptions = {}): Promise<Uint8Array> {
    const res = await this.#get(key, opts, range);
    const body = res.readableStreamBody as Readable | undefined;
    if (!body) return new Uint8Array();
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async getBytesBounded(key: string, maxBytes: number, opts: ReadOptions = {}): Promise<Buffer> {
    const res = await this.#get(key, opts);
    return readBounded(key, res.readableStreamBody as Readable | undefined, res.contentLength, maxBytes);
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const p = await this.#blob(key).getProperties();
      return {
        size: p.contentLength ?? 0,
        contentType: p.contentType,
        etag: p.etag,
        ...(p.cacheControl ? { cacheControl: p.cacheControl } : {}),
      };
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix })) keys.push(b.name);
    return keys.sort();
  }

  /**
   * Copy Blob from a read SAS on the source (valid a few minutes); with `ifMatch`, only the source with that ETag. Copies
   * in one account complete synchronously on Azure and Azurite; the poller waits otherwise.
   */
  async copy(from: string, to: string, opts: { size: number; ifMatch?: string | null }): Promise<string> {
    const ifMatch = opts.ifMatch ?? undefined;
    const source = `${this.#blob(from).url}?${this.#sas(from, 'r', 600)}`;
    try {
      const poller = await this.#blob(to).beginCopyFromURL(source, {
        sourceConditions: ifMatch ? { ifMatch } : undefined,
      });
      const res = await poller.pollUntilDone();
      if (res.copyStatus && res.copyStatus !== 'success') throw new Error(`Copy to ${to} ended ${res.copyStatus}`);
      const etag = res.etag ?? (await this.head(to))?.etag;
      if (!etag) throw new Error(`Copy to ${to} returned no ETag`);
      return etag;
    } catch (e) {
      if (ifMatch && statusOf(e) === 412) throw new ObjectChangedError(from, ifMatch, null);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#blob(key).deleteIfExists({ deleteSnapshots: 'include' });
  }

  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    // Listed first, deleted after: deleting while paging a listing can skip blobs.
    for (const key of await this.listKeys(prefix)) {
      const res = await this.#blob(key).deleteIfExists({ deleteSnapshots: 'include' });
      if (res.succeeded) deleted++;
    }
    return deleted;
  }

  presignGet(key: string, expiresIn = 3600, signedAt?: number): Promise<string> {
    return Promise.resolve(`${this.#publicUrl(key)}?${this.#sas(key, 'r', expiresIn, signedAt)}`);
  }

  /**
   * A Put Blob SAS for one blob: create and write only, `expiresIn` seconds. The size cannot be part of a SAS:
   * completion checks it (and a body over the declared size is deleted there).
   */
  presignPut(key: string, _contentType: string, expiresIn = 3600): Promise<string> {
    return Promise.resolve(`${this.#publicUrl(key)}?${this.#sas(key, 'cw', expiresIn)}`);
  }

  singleUploadHeaders(contentType: string, opts: { createOnly?: boolean } = {}): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': contentType, 'x-ms-blob-type': 'BlockBlob' };
    if (opts.createOnly) headers['if-none-match'] = '*';
    return headers;
  }

  /** Block blobs need no upload to be started; the id only names the attempt in our records. */
  createMultipartUpload(): Promise<string> {
    return Promise.resolve(`azure-blocks-${randomUUID()}`);
  }

  /** A Put Block SAS URL for part `partNumber` (its block ID in the URL); create and write only on this blob. */
  presignUploadPart(key: string, _uploadId: string, partNumber: number, expiresIn = 3600): Promise<string> {
    const blockId = encodeURIComponent(azureBlockId(partNumber));
    return Promise.resolve(`${this.#publicUrl(key)}?comp=block&blockid=${blockId}&${this.#sas(key, 'cw', expiresIn)}`);
  }

  partEtag(partNumber: number): string {
    return azureBlockId(partNumber);
  }

  /** The uncommitted blocks (Get Block List), as parts: what a resume skips. Blocks of other names are ignored. */
  async listParts(key: string): Promise<StoredPart[]> {
    let blocks;
    try {
      blocks = (await this.#blob(key).getBlockList('uncommitted')).uncommittedBlocks ?? [];
    } catch (e) {
      if (statusOf(e) === 404) return [];
      throw e;
    }
    const parts: StoredPart[] = [];
    for (const b of blocks) {
      const m = BLOCK_ID.exec(b.name);
      if (m) parts.push({ partNumber: Number(m[1]), size: b.size, etag: b.name });
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Put Block List of the parts' blocks, in part order; answers the blob's ETag. */
  async completeMultipartUpload(
    key: string,
    _uploadId: string,
    parts: { partNumber: number; etag: string }[],
    contentType?: string,
  ): Promise<string> {
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    for (const p of ordered) {
      if (p.etag.replaceAll('"', '') !== azureBlockId(p.partNumber))
        throw new Error(`Part ${p.partNumber} has block ID ${p.etag}, expected ${azureBlockId(p.partNumber)}`);
    }
    const res = await this.#blob(key).commitBlockList(
      ordered.map((p) => azureBlockId(p.partNumber)),
      { blobHTTPHeaders: { blobContentType: contentType } },
    );
    return res.etag ?? (await this.head(key))?.etag ?? '';
  }

  /**
   * Uncommitted blocks cannot be deleted on their own: Azure drops them a week after the last Put Block. Aborting
   * deletes the blob if one was committed meanwhile.
   */
  async abortMultipartUpload(key: string): Promise<void> {
    await this.#blob(key).deleteIfExists({ deleteSnapshots: 'include' });
  }

  destroy(): void {
    // The SDK's HTTP pipeline holds no sockets that need closing.
  }
}
