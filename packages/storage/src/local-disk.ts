// Local-disk object storage, for an installation on ONE machine: every object is a file under one directory, its
// metadata (ETag = MD5 of the bytes, as S3 gives for a single PUT, content type, cache control) in a JSON file beside it
// under `.meta/`. Writes go to `.tmp/` first and are renamed into place, so readers never see half an object.
// Clients reach objects through the server's `/storage` routes: signed, expiring GET URLs (with Range) and tus uploads
// authorised by a signed, expiring token bound to one key and one size (see local-disk-tus.ts).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ServiceConfig } from '@arvlite/config';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectChangedError, ObjectTooLargeError, sameEtag } from './object-storage.ts';
import type { ObjectHead, ObjectStore, ReadOptions, StoredPart } from './port.ts';

export interface LocalDiskSettings {
  /** The directory holding the objects (created when missing). */
  root: string;
  /** Base URL clients reach the server at; signed URLs point at `<publicUrl>/storage/…`. */
  publicUrl: string;
  /** HMAC key (derived from the root secret) that signs download URLs and upload tokens. */
  signingKey: string;
}

/** A key that cannot name a file under the root: empty, absolute, with `.`/`..`/hidden or empty segments, or odd bytes. */
export class InvalidKeyError extends Error {
  constructor(key: string) {
    super(`Invalid object key ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'InvalidKeyError';
  }
}

export interface ObjectMeta {
  size: number;
  etag: string;
  contentType?: string;
  cacheControl?: string;
}

/** What an upload token allows: one object key, exactly one size, until `exp` (seconds since the epoch). */
export interface UploadGrant {
  key: string;
  size: number;
  contentType: string;
  exp: number;
  /** A single PUT may only create the object, not replace it (412 when it exists). */
  createOnly?: boolean;
}

/** A single PUT's body was not what its URL allows (the route answers 400, or 412 for `exists`). */
export class UploadRefusedError extends Error {
  readonly reason: 'size' | 'exists';
  constructor(reason: 'size' | 'exists', message: string) {
    super(message);
    this.name = 'UploadRefusedError';
    this.reason = reason;
  }
}

const MAX_KEY_LENGTH = 1024;
// Reserved directory names under the root; no key segment may start with a dot, so no key reaches them.
const META_DIR = '.meta';
const TMP_DIR = '.tmp';
export const TUS_DIR = '.tus';

/** Checks a key and answers its segments; throws InvalidKeyError for anything that is not a plain relative path. */
export function keySegments(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key);
  // No control characters, backslashes (a separator on Windows), or colons (drive letters, streams).
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\u007f\\:]/.test(key)) throw new InvalidKeyError(key);
  const segments = key.split('/');
  for (const s of segments) {
    if (s.length === 0 || s.startsWith('.') || s.length > 255) throw new InvalidKeyError(key);
  }
  return segments;
}

/** A prefix as listKeys/deletePrefix take it: '' (everything), 'a/b/' or a partial last segment 'a/b/vid'. */
function prefixParts(prefix: string): { dir: string[]; rest: string } {
  if (prefix === '') return { dir: [], rest: '' };
  const cut = prefix.lastIndexOf('/');
  const dir = cut < 0 ? [] : keySegments(prefix.slice(0, cut));
  const rest = prefix.slice(cut + 1);
  if (rest !== '') keySegments(rest);
  return { dir, rest };
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function isMissing(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A pass-through stream that computes the MD5 of what flows through it. */
function md5Tap() {
  const hash = createHash('md5');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  return { tap, etag: () => `"${hash.digest('hex')}"` };
}

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `"${hash.digest('hex')}"`;
}

/** Bytes per tus PATCH request (what a resume after an interruption may have to send again). */
export const TUS_CHUNK_BYTES = 8 * 1024 * 1024;

export class LocalDiskStorage implements ObjectStore {
  readonly provider = 'local' as const;
  readonly uploadKind = 'tus' as const;
  readonly root: string;
  readonly publicUrl: string;
  readonly #key: string;

  constructor(settings: LocalDiskSettings) {
    if (!settings.signingKey || settings.signingKey.length < 32)
      throw new Error('Local disk storage needs a signing key of at least 32 characters');
    this.root = settings.root;
    this.publicUrl = settings.publicUrl.replace(/\/+$/, '');
    this.#key = settings.signingKey;
  }

  /** For messages: where the objects are. */
  get bucket(): string {
    return this.root;
  }

  /** The file of an object (the key is checked first). */
  pathOf(key: string): string {
    return join(this.root, ...keySegments(key));
  }

  #metaPath(key: string): string {
    return join(this.root, META_DIR, ...keySegments(key));
  }

  get tusDirectory(): string {
    return join(this.root, TUS_DIR);
  }

  async #tmpPath(): Promise<string> {
    const dir = join(this.root, TMP_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, randomBytes(12).toString('hex'));
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = await this.#tmpPath();
    await writeFile(probe, '');
    await rm(probe, { force: true });
  }

  /** Moves a finished temporary file into place under `key`, with its metadata written first. */
  async #commit(tmp: string, key: string, meta: ObjectMeta): Promise<void> {
    const file = this.pathOf(key);
    const metaFile = this.#metaPath(key);
    await mkdir(dirname(file), { recursive: true });
    await mkdir(dirname(metaFile), { recursive: true });
    const metaTmp = await this.#tmpPath();
    await writeFile(metaTmp, JSON.stringify(meta));
    await rename(metaTmp, metaFile);
    await rename(tmp, file);
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    this.pathOf(key);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const tmp = await this.#tmpPath();
    await writeFile(tmp, bytes);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    await this.#commit(tmp, key, { size: bytes.byteLength, etag, contentType });
  }

  /** Writes only where no object is (a hard link fails atomically on an existing file); false when the key holds one. */
  async putIfAbsent(key: string, body: Uint8Array, contentType: string): Promise<boolean> {
    const file = this.pathOf(key);
    if (await this.head(key)) return false;
    const tmp = await this.#tmpPath();
    await writeFile(tmp, body);
    try {
      await mkdir(dirname(file), { recursive: true });
      await link(tmp, file);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') return false;
      throw e;
    } finally {
      await rm(tmp, { force: true });
    }
    const meta: ObjectMeta = {
      size: body.byteLength,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      contentType,
    };
    const metaFile = this.#metaPath(key);
    await mkdir(dirname(metaFile), { recursive: true });
    const metaTmp = await this.#tmpPath();
    await writeFile(metaTmp, JSON.stringify(meta));
    await rename(metaTmp, metaFile);
    return true;
  }

  /** Copies a local file in (streamed); answers its size. */
  async putFile(key: string, path: string, contentType: string, cacheControl?: string): Promise<number> {
    this.pathOf(key);
    const tmp = await this.#tmpPath();
    const { tap, etag } = md5Tap();
    try {
      await pipeline(createReadStream(path), tap, createWriteStream(tmp));
      const { size } = await stat(tmp);
      await this.#commit(tmp, key, { size, etag: etag(), contentType, cacheControl });
      return size;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Moves a file that is already under the root (a finished tus upload) into place under `key`. */
  async adoptFile(key: string, path: string, contentType?: string): Promise<ObjectMeta> {
    this.pathOf(key);
    const etag = await md5File(path);
    const { size } = await stat(path);
    const meta = { size, etag, contentType };
    await this.#commit(path, key, meta);
    return meta;
  }

  /** Size, content type and ETag, or null when no object is at the key. */
  async head(key: string): Promise<ObjectHead | null> {
    const meta = await this.meta(key);
    if (!meta) return null;
    return {
      size: meta.size,
      contentType: meta.contentType,
      etag: meta.etag,
      ...(meta.cacheControl ? { cacheControl: meta.cacheControl } : {}),
    };
  }

  async meta(key: string): Promise<ObjectMeta | null> {
    let st;
    try {
      st = await stat(this.pathOf(key));
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    if (!st.isFile()) return null;
    let saved: Partial<ObjectMeta> = {};
    try {
      saved = JSON.parse(await readFile(this.#metaPath(key), 'utf8')) as Partial<ObjectMeta>;
    } catch (e) {
      if (!isMissing(e) && !(e instanceof SyntaxError)) throw e;
    }
    // Metadata that does not describe this file (it was replaced by hand): an ETag from size and mtime instead.
    const etag =
      saved.size === st.size && typeof saved.etag === 'string'
        ? saved.etag
        : `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    return { size: st.size, etag, contentType: saved.contentType, cacheControl: saved.cacheControl };
  }

  async #checked(key: string, opts: ReadOptions): Promise<ObjectMeta> {
    const meta = await this.meta(key);
    if (!meta) throw notFound(key);
    if (opts.ifMatch && !sameEtag(meta.etag, opts.ifMatch)) throw new ObjectChangedError(key, opts.ifMatch, meta.etag);
    return meta;
  }

  /** Streams an object to a local file; with `ifMatch`, the copied bytes' MD5 must be that ETag. */
  async download(key: string, path: string, signal?: AbortSignal, opts: ReadOptions = {}): Promise<number> {
    await this.#checked(key, opts);
    const { tap, etag } = md5Tap();
    await pipeline(createReadStream(this.pathOf(key)), tap, createWriteStream(path), { signal });
    if (opts.ifMatch) {
      const got = etag();
      if (!sameEtag(got, opts.ifMatch)) {
        await rm(path, { force: true });
        throw new ObjectChangedError(key, opts.ifMatch, got);
      }
    }
    return (await stat(path)).size;
  }

  /** A read stream of the whole object or of bytes start..end (inclusive). */
  createReadStream(key: string, range?: { start: number; end: number }) {
    return createReadStream(this.pathOf(key), range);
  }

  async getText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.getBytes(key));
  }

  async getBytes(key: string, range?: { start: number; end: number }, opts: ReadOptions = {}): Promise<Uint8Array> {
    const meta = await this.#checked(key, opts);
    if (!range) {
      const bytes = await readFile(this.pathOf(key));
      if (opts.ifMatch && !sameEtag(`"${createHash('md5').update(bytes).digest('hex')}"`, opts.ifMatch))
        throw new ObjectChangedError(key, opts.ifMatch, null);
      return bytes;
    }
    const end = Math.min(range.end, meta.size - 1);
    if (range.start > end) return new Uint8Array();
    const handle = await open(this.pathOf(key), 'r');
    try {
      const buf = Buffer.alloc(end - range.start + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, range.start);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async getBytesBounded(key: string, maxBytes: number, opts: ReadOptions = {}): Promise<Buffer> {
    const meta = await this.#checked(key, opts);
    if (meta.size > maxBytes) throw new ObjectTooLargeError(key, maxBytes);
    const chunks: Buffer[] = [];
    let received = 0;
    const hash = createHash('md5');
    for await (const chunk of createReadStream(this.pathOf(key)) as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) throw new ObjectTooLargeError(key, maxBytes);
      hash.update(chunk);
      chunks.push(chunk);
    }
    if (opts.ifMatch && !sameEtag(`"${hash.digest('hex')}"`, opts.ifMatch))
      throw new ObjectChangedError(key, opts.ifMatch, null);
    return Buffer.concat(chunks, received);
  }

  /**
   * Copies `from` to `to` and answers the copy's ETag. With `ifMatch`, the copied bytes' MD5 must be that ETag (so a
   * source replaced between the check and the copy is caught too); otherwise nothing is written.
   */
  async copy(from: string, to: string, opts: { size: number; ifMatch?: string | null }): Promise<string> {
    const meta = await this.#checked(from, { ifMatch: opts.ifMatch });
    this.pathOf(to);
    const tmp = await this.#tmpPath();
    try {
      await copyFile(this.pathOf(from), tmp);
      const etag = await md5File(tmp);
      if (opts.ifMatch && !sameEtag(etag, opts.ifMatch)) throw new ObjectChangedError(from, opts.ifMatch, etag);
      const { size } = await stat(tmp);
      await this.#commit(tmp, to, { size, etag, contentType: meta.contentType, cacheControl: meta.cacheControl });
      return etag;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Every key under a prefix, sorted. */
  async listKeys(prefix: string): Promise<string[]> {
    const { dir, rest } = prefixParts(prefix);
    const keys: string[] = [];
    const walk = async (segments: string[]): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.root, ...segments), { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return;
        throw e;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        if (segments.length === dir.length && !entry.name.startsWith(rest)) continue;
        if (entry.isDirectory()) await walk([...segments, entry.name]);
        else if (entry.isFile()) keys.push([...segments, entry.name].join('/'));
      }
    };
    await walk(dir);
    return keys.sort();
  }

  /** Deletes every object under a prefix, and the directories left empty. Idempotent. */
  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.listKeys(prefix);
    for (const key of keys) await this.delete(key);
    return keys.length;
  }

  async delete(key: string): Promise<void> {
    const segments = keySegments(key);
    await rm(this.pathOf(key), { force: true });
    await rm(this.#metaPath(key), { force: true });
    // Empty parent directories go too (never the root), as S3 has no directories to leave behind.
    for (const base of [this.root, join(this.root, META_DIR)]) {
      for (let i = segments.length - 1; i > 0; i--) {
        try {
          await rmdir(join(base, ...segments.slice(0, i)));
        } catch {
          break;
        }
      }
    }
  }

  #sign(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }

  /** A GET URL on the server's `/storage/o/` route for one key, valid `expiresIn` seconds from `now`. */
  async presignGet(key: string, expiresIn = 3600, now = Date.now()): Promise<string> {
    keySegments(key);
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800)
      throw new RangeError(`expiresIn ${expiresIn} s is outside 1 s to 7 days`);
    const exp = Math.floor(now / 1000) + expiresIn;
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.publicUrl}/storage/o/${path}?exp=${exp}&sig=${this.#sign(`get\n${key}\n${exp}`)}`;
  }

  /** Whether a GET URL's signature is for this key and unexpired. */
  verifyGet(key: string, exp: string, sig: string, now = Date.now()): boolean {
    if (!/^[0-9]{1,12}$/.test(exp) || Number(exp) * 1000 <= now) return false;
    try {
      keySegments(key);
    } catch {
      return false;
    }
    return safeEqual(sig, this.#sign(`get\n${key}\n${exp}`));
  }

  /** A token for the tus route allowing one upload of exactly `size` bytes to `key`, valid `expiresIn` seconds. */
  signUpload(
    key: string,
    size: number,
    contentType: string,
    expiresIn: number,
    now = Date.now(),
    createOnly = false,
  ): string {
    keySegments(key);
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size ${size} is not a byte count`);
    const grant: UploadGrant = {
      key,
      size,
      contentType,
      exp: Math.floor(now / 1000) + expiresIn,
      ...(createOnly ? { createOnly } : {}),
    };
    const body = b64(JSON.stringify(grant));
    return `${body}.${this.#sign(`upload\n${body}`)}`;
  }

  /** The grant of a valid, unexpired upload token, or null. */
  verifyUpload(token: string, now = Date.now()): UploadGrant | null {
    if (typeof token !== 'string' || token.length > 4096) return null;
    const [body, sig, ...extra] = token.split('.');
    if (!body || !sig || extra.length > 0 || !safeEqual(sig, this.#sign(`upload\n${body}`))) return null;
    let grant: UploadGrant;
    try {
      grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as UploadGrant;
      keySegments(grant.key);
    } catch {
      return null;
    }
    if (!Number.isSafeInteger(grant.size) || !Number.isSafeInteger(grant.exp) || grant.exp * 1000 <= now) return null;
    return grant;
  }

  /** The tus upload id of a key: the same for every token of that key, so an upload resumes with a fresh token. */
  uploadIdOf(key: string): string {
    return createHmac('sha256', this.#key).update(`tus-id\n${key}`).digest('hex').slice(0, 40);
  }

  /**
   * The 'tus' upload instructions for one object of exactly `size` bytes: the endpoint and the token header (valid
   * `expiresIn` seconds). Call again for a fresh token: the upload id comes from the key, so the upload resumes.
   */
  uploadTransport(key: string, size: number, contentType: string, expiresIn: number) {
    return {
      kind: 'tus' as const,
      endpoint: `${this.publicUrl}/storage/tus`,
      headers: { 'upload-token': this.signUpload(key, size, contentType, expiresIn) },
      chunkSize: TUS_CHUNK_BYTES,
      uploadUrl: `${this.publicUrl}/storage/tus/${this.uploadIdOf(key)}`,
    };
  }

  /**
   * A single-request PUT URL on the server's `/storage/o/` route: an upload token in the query allows exactly
   * `contentLength` bytes of `contentType` to `key` for `expiresIn` seconds (`createOnly`: only where no object is).
   */
  async presignPut(
    key: string,
    contentType: string,
    expiresIn = 3600,
    opts: { contentLength?: number; createOnly?: boolean } = {},
  ): Promise<string> {
    if (opts.contentLength === undefined) throw new Error('Local disk upload URLs need the content length');
    const token = this.signUpload(key, opts.contentLength, contentType, expiresIn, Date.now(), opts.createOnly);
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.publicUrl}/storage/o/${path}?token=${token}`;
  }

  /** The type is part of the URL's grant: a PUT must send this one. */
  singleUploadHeaders(contentType: string): Record<string, string> {
    return { 'content-type': contentType };
  }

  /**
   * Writes a single PUT's body to the grant's key: exactly `grant.size` bytes (more are cut off), only where no object
   * is when the grant says createOnly. Answers the object's ETag; nothing is left behind on refusal.
   */
  async receive(grant: UploadGrant, body: AsyncIterable<Buffer>): Promise<string> {
    const file = this.pathOf(grant.key);
    if (grant.createOnly && (await this.head(grant.key)))
      throw new UploadRefusedError('exists', 'An object is already at this key');
    const tmp = await this.#tmpPath();
    const hash = createHash('md5');
    let received = 0;
    const out = await open(tmp, 'w');
    try {
      for await (const chunk of body) {
        received += chunk.length;
        if (received > grant.size) throw new UploadRefusedError('size', `More than ${grant.size} bytes`);
        hash.update(chunk);
        await out.write(chunk);
      }
      await out.close();
      if (received !== grant.size)
        throw new UploadRefusedError('size', `${received} bytes arrived, the URL allows ${grant.size}`);
      const meta: ObjectMeta = { size: received, etag: `"${hash.digest('hex')}"`, contentType: grant.contentType };
      if (grant.createOnly) {
        await mkdir(dirname(file), { recursive: true });
        try {
          await link(tmp, file);
        } catch (e) {
          if ((e as { code?: string }).code === 'EEXIST')
            throw new UploadRefusedError('exists', 'An object is already at this key');
          throw e;
        }
        await rm(tmp, { force: true });
        const metaFile = this.#metaPath(grant.key);
        await mkdir(dirname(metaFile), { recursive: true });
        const metaTmp = await this.#tmpPath();
        await writeFile(metaTmp, JSON.stringify(meta));
        await rename(metaTmp, metaFile);
      } else await this.#commit(tmp, grant.key, meta);
      return meta.etag;
    } finally {
      await out.close().catch(() => undefined);
      await rm(tmp, { force: true });
    }
  }

  /** The tus upload id of the key (no call to make: the tus route creates the upload). */
  createMultipartUpload(key: string): Promise<string> {
    return Promise.resolve(this.uploadIdOf(key));
  }

  presignUploadPart(): Promise<string> {
    return Promise.reject(new Error('Local disk storage takes uploads through tus (uploadTransport)'));
  }

  partEtag(): null {
    return null;
  }

  /** No parts: a tus upload's progress is its offset, which the client reads from the tus route (HEAD). */
  listParts(): Promise<StoredPart[]> {
    return Promise.resolve([]);
  }

  completeMultipartUpload(): Promise<string> {
    return Promise.reject(new Error('Local disk storage takes uploads through tus (uploadTransport)'));
  }

  /** Drops the unfinished tus upload of `key` (its partial file and record); none is not an error. */
  async abortMultipartUpload(key: string): Promise<void> {
    const id = this.uploadIdOf(key);
    await rm(join(this.tusDirectory, id), { force: true });
    await rm(join(this.tusDirectory, `${id}.json`), { force: true });
  }

  destroy(): void {}
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function notFound(key: string): Error {
  return Object.assign(new Error(`Object ${key} not found`), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
}

/** The local-disk store of a configuration (STORAGE_PROVIDER=local): LOCAL_STORAGE_DIR, keys from AUTH_JWT_SECRET. */
export function createLocalDiskStorage(config: ServiceConfig): LocalDiskStorage {
  const signingKey = config.localStorage.signingKey;
  if (!signingKey) throw new Error('AUTH_JWT_SECRET is required: local-disk storage signs its URLs with a key from it');
  return new LocalDiskStorage({ root: resolve(config.localStorage.dir), publicUrl: config.http.publicUrl, signingKey });
}
