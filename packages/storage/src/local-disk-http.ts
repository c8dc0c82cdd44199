// The HTTP side of local-disk storage, framework-free (apps/server mounts it under /storage):
// - tus uploads (@tus/server with @tus/file-store under the root's `.tus/`), every request authorised by an upload
//   token (LocalDiskStorage.signUpload) sent as the `Upload-Token` header: one key, exactly one size, unexpired. The
//   upload id is derived from the key, so after a reload the client resumes (HEAD → Upload-Offset) with a fresh
//   token. A finished upload is moved to its object key, where completeUpload finds it as it would on S3.
// - signed GETs (LocalDiskStorage.presignGet) with single byte ranges (206, Content-Range) for video seeking.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import type { LocalDiskStorage, ObjectMeta, UploadGrant } from './local-disk.ts';

export const TUS_PATH = '/storage/tus';
export const UPLOAD_TOKEN_HEADER = 'upload-token';

type TusError = { status_code: number; body: string };
const refuse = (status_code: number, body: string): TusError => ({ status_code, body: `${body}\n` });

function tokenOf(headers: { get(name: string): string | null }): string {
  return headers.get(UPLOAD_TOKEN_HEADER) ?? '';
}

export interface LocalUploadOptions {
  /** Origins browsers may upload from (the API's CORS origins). */
  allowedOrigins: string[];
  /** How long an unfinished upload is kept (its partial file and tus record), in milliseconds. */
  expireAfterMs: number;
}

/** The tus endpoint of a local-disk store: `handle(req, res)` answers one request under TUS_PATH. */
export class LocalUploadHandler {
  readonly #storage: LocalDiskStorage;
  readonly tus: TusServer;

  constructor(storage: LocalDiskStorage, opts: LocalUploadOptions) {
    this.#storage = storage;
    const grantOf = (headers: { get(name: string): string | null }): UploadGrant => {
      const grant = storage.verifyUpload(tokenOf(headers));
      if (!grant) throw refuse(403, 'Upload token missing, invalid or expired');
      return grant;
    };
    this.tus = new TusServer({
      path: TUS_PATH,
      datastore: new FileStore({
        directory: storage.tusDirectory,
        expirationPeriodInMilliseconds: opts.expireAfterMs,
      }),
      relativeLocation: true,
      allowedOrigins: opts.allowedOrigins,
      allowedHeaders: [UPLOAD_TOKEN_HEADER],
      disableTerminationForFinishedUploads: true,
      // One upload per object key: the id is the key's, so every token for that key resumes the same upload.
      namingFunction: (req) => storage.uploadIdOf(grantOf(req.headers).key),
      // The token's size is the most any request may bring (PATCH bodies past it are refused with 413). A preflight
      // carries no token: it is told no limit, and the request that follows is checked.
      maxSize: (req) => (req.method === 'OPTIONS' ? 0 : grantOf(req.headers).size),
      onIncomingRequest: async (req, uploadId) => {
        const grant = grantOf(req.headers);
        if (uploadId !== storage.uploadIdOf(grant.key)) throw refuse(403, 'Upload token is for another upload');
      },
      onUploadCreate: async (req, upload) => {
        const grant = grantOf(req.headers);
        if (upload.size !== grant.size) throw refuse(413, `Upload-Length must be ${grant.size}`);
        return {};
      },
      onUploadFinish: async (req, upload) => {
        const grant = grantOf(req.headers);
        const path = join(storage.tusDirectory, upload.id);
        await this.#finish(grant, path, upload.id);
        return {};
      },
    });
  }

  /** Moves the finished file to its object key and forgets the tus record. */
  async #finish(grant: UploadGrant, path: string, id: string): Promise<ObjectMeta> {
    const meta = await this.#storage.adoptFile(grant.key, path, grant.contentType);
    await rm(join(this.#storage.tusDirectory, `${id}.json`), { force: true });
    return meta;
  }

  /** Answers one tus request. Length-deferred and concatenated uploads are refused: the token fixes one size. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') return send(res, 405, 'Method not allowed');
    if (req.headers['upload-defer-length'] !== undefined || req.headers['upload-concat'] !== undefined)
      return send(res, 400, 'Deferred length and concatenation are not supported');
    await this.tus.handle(req, res);
  }

  /** Deletes unfinished uploads older than the expiry. */
  cleanUpExpired(): Promise<number> {
    return this.tus.cleanUpExpiredUploads();
  }
}

function send(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'tus-resumable': '1.0.0' }).end(`${body}\n`);
}

export type RangeAnswer =
  { status: 200; start: number; end: number } | { status: 206; start: number; end: number } | { status: 416 };

/**
 * One byte range of an object of `size` bytes from a Range header (RFC 9110): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * Several ranges, other units or a malformed header answer the whole object (200), as servers may; a range that
 * starts past the end answers 416.
 */
export function byteRange(header: string | undefined, size: number): RangeAnswer {
  const whole = { status: 200 as const, start: 0, end: size - 1 };
  if (!header) return whole;
  const m = /^bytes=([0-9]{0,15})-([0-9]{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return whole;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return { status: 416 };
    return { status: 206, start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return { status: 416 };
  return { status: 206, start, end };
}
