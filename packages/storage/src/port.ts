// The object-storage port: what the platform asks of storage, whichever provider holds the objects (S3-compatible,
// Azure Blob Storage, local disk). Every provider passes the same conformance suite (tests/integration/test/storage).

/** Which protocol clients speak to write uploads (mirrors @arvlite/contract's UPLOAD_TRANSPORT_KINDS). */
export type UploadTransportKind = 's3' | 'azure' | 'tus';
/** Mirrors @arvlite/contract's STORAGE_PROVIDERS. */
export type StorageProviderName = 's3' | 'azure' | 'local';

/** Conditions on a read: only the object whose ETag is `ifMatch` (else ObjectChangedError). */
export interface ReadOptions {
  ifMatch?: string | null;
}

export interface ObjectHead {
  size: number;
  contentType?: string;
  etag?: string;
  /** The Cache-Control the object was stored with (putFile's cacheControl), when it has one. */
  cacheControl?: string;
}

/** A part (S3) or uncommitted block (Azure) that storage holds for a resumable upload. */
export interface StoredPart {
  partNumber: number;
  size: number;
  /** S3: the part's ETag. Azure: the block ID (Put Block answers no ETag). */
  etag: string;
}

export interface ObjectStore {
  readonly provider: StorageProviderName;
  /** How clients write uploads to this store. */
  readonly uploadKind: UploadTransportKind;
  /** The bucket or container name, for messages. */
  readonly bucket: string;

  /** Answers when storage is reachable with these credentials; throws otherwise. */
  ping(): Promise<void>;

  // Writes by the platform itself.
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Writes only where no object is; false (nothing written) when the key holds one. */
  putIfAbsent(key: string, body: Uint8Array, contentType: string): Promise<boolean>;
  /** Uploads a local file, streamed; answers its size. */
  putFile(key: string, path: string, contentType: string, cacheControl?: string): Promise<number>;

  // Reads. With `ifMatch` a changed object throws ObjectChangedError; a missing one throws (isNotFound(e) is true).
  download(key: string, path: string, signal?: AbortSignal, opts?: ReadOptions): Promise<number>;
  getText(key: string): Promise<string>;
  /** The object, or bytes [start, end] of it (inclusive, as HTTP Range). */
  getBytes(key: string, range?: { start: number; end: number }, opts?: ReadOptions): Promise<Uint8Array>;
  /** The whole object, cut off with ObjectTooLargeError as soon as more than `maxBytes` arrive. */
  getBytesBounded(key: string, maxBytes: number, opts?: ReadOptions): Promise<Buffer>;
  /** The object's size, type and ETag, or null when there is none. */
  head(key: string): Promise<ObjectHead | null>;
  /** Every key under a prefix, sorted. */
  listKeys(prefix: string): Promise<string[]>;

  /** Copies `from` to `to` (only the source with ETag `ifMatch`, when given) and answers the copy's ETag. */
  copy(from: string, to: string, opts: { size: number; ifMatch?: string | null }): Promise<string>;
  delete(key: string): Promise<void>;
  /** Deletes every object under a prefix; idempotent; answers how many went. */
  deletePrefix(prefix: string): Promise<number>;

  /**
   * A URL any client can GET (with Range) for `expiresIn` seconds, scoped to this one object. `signedAt` (ms since the
   * epoch, not in the future; now by default) dates the signature and starts the `expiresIn`: the same key, lifetime and
   * moment give the same URL, so callers that sign at the start of a period hand out one URL per object for the whole
   * period, and browsers reuse what they cached from it.
   */
  presignGet(key: string, expiresIn?: number, signedAt?: number): Promise<string>;

  // Uploads by clients, straight to storage.
  /**
   * A URL for a single-request upload of `key`, scoped to that object and `expiresIn` seconds. The store binds
   * `contentLength` where it can (S3 signs it; Azure SAS cannot: completion checks the size); `createOnly` refuses a
   * second write where the store supports it. The client sends `singleUploadHeaders` with it.
   */
  presignPut(
    key: string,
    contentType: string,
    expiresIn?: number,
    opts?: { contentLength?: number; createOnly?: boolean },
  ): Promise<string>;
  /** Headers the client must send with a presignPut URL (lower-case names). */
  singleUploadHeaders(contentType: string, opts?: { createOnly?: boolean }): Record<string, string>;
  /** Starts a resumable upload of `key`; answers its id (S3's UploadId; Azure: an id of ours, blocks need none). */
  createMultipartUpload(key: string, contentType: string): Promise<string>;
  /** A URL for part `partNumber` (S3 UploadPart, Azure Put Block), with its exact size bound where the store can. */
  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresIn?: number,
    contentLength?: number,
  ): Promise<string>;
  /** What the client reports as part `partNumber`'s etag when its store answers none (Azure: the block ID). */
  partEtag(partNumber: number): string | null;
  /**
   * Stores whose uploadKind is 'tus' (local disk): the instructions for one upload of exactly `size` bytes to `key`,
   * the contract's `tus` transport (endpoint, headers carrying a signed token valid `expiresIn` seconds, chunk size).
   * Called again on resume for a fresh token; the upload resumes where it stopped.
   */
  uploadTransport?(
    key: string,
    size: number,
    contentType: string,
    expiresIn: number,
  ): { kind: 'tus'; endpoint: string; headers: Record<string, string>; chunkSize: number; uploadUrl?: string };
  /** The parts (blocks) storage holds for an upload not yet completed, in part order: what a resume skips. */
  listParts(key: string, uploadId: string): Promise<StoredPart[]>;
  /** Assembles the parts into the object (S3 CompleteMultipartUpload, Azure Put Block List); answers its ETag. */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
    contentType?: string,
  ): Promise<string>;
  /** Drops an unfinished upload; one already gone is not an error. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;

  destroy(): void;
}
