// Uploads a video straight to storage through presigned URLs: one PUT for small files, parallel resumable parts otherwise.
import { UPLOAD_SIGN_BATCH, type VideoContentType } from '@arvlite/contract';
import type { ArvliteClient } from './index.ts';
import { uploadWithTus, type TusTransport } from './tus-upload.ts';

export interface UploadSource {
  size: number;
  /** Bytes [start, end) of the file. */
  slice(start: number, end: number): Blob | Uint8Array | Promise<Blob | Uint8Array>;
}

export interface UploadProgress {
  uploadedBytes: number;
  totalBytes: number;
}

/** One PUT of a part or a whole file to a presigned URL: its status and the ETag storage answered. */
export type PutRequest = (
  url: string,
  body: Blob | Uint8Array,
  headers: Record<string, string>,
  signal?: AbortSignal,
) => Promise<{ status: number; etag: string | null }>;

/** PUTs through `fetch` (browsers, React Native; the default here). */
export function fetchPut(f: typeof globalThis.fetch = fetch): PutRequest {
  return async (url, body, headers, signal) => {
    const res = await f(url, { method: 'PUT', body: body as Blob, headers, signal });
    // The answer's body is empty or a short XML error: read it so the connection goes back to the pool.
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, etag: res.headers.get('etag') };
  };
}

export interface UploadOptions {
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: UploadProgress) => void;
  /** Used for the PUTs when `put` is not given. */
  fetch?: typeof globalThis.fetch;
  /**
   * How a part or file is PUT; defaults to `fetchPut(fetch)`. In Node, `@arvlite/client/node` defaults to `nodePut`
   * (node:http, the body written as it is: Node's fetch copies a Uint8Array body twice before sending it).
   */
  put?: PutRequest;
  /** Retries per part on network errors and 5xx answers. */
  retries?: number;
}

/** Storage refused an upload request (403: the URL expired or does not fit the bytes; 412: the object exists). */
export class StorageRefusedError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`Storage answered ${status} to an upload`);
    this.name = 'StorageRefusedError';
    this.status = status;
  }
}

/** Upload URLs are signed again this long before they expire (a request must start before expiry). */
const RESIGN_MARGIN_MS = 60_000;

const fresh = (expiresAt: Date | string) => new Date(expiresAt).getTime() - RESIGN_MARGIN_MS > Date.now();

async function put(
  send: PutRequest,
  url: string,
  body: Blob | Uint8Array,
  headers: Record<string, string>,
  opts: UploadOptions,
): Promise<string | null> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await send(url, body, headers, opts.signal);
      if (res.status >= 200 && res.status < 300) return res.etag;
      if (res.status < 500 || attempt >= retries) throw new StorageRefusedError(res.status);
    } catch (e) {
      if (opts.signal?.aborted || attempt >= retries || e instanceof StorageRefusedError) throw e;
    }
    await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
  }
}

/** A part or file PUT; a 403 (the URL expired meanwhile, or clocks differ) gets one fresh URL and one more try. */
async function putSigned(
  send: PutRequest,
  sign: (renew: boolean) => Promise<{ url: string; headers: Record<string, string> }>,
  body: Blob | Uint8Array,
  opts: UploadOptions,
): Promise<string | null> {
  const first = await sign(false);
  try {
    return await put(send, first.url, body, first.headers, opts);
  } catch (e) {
    if (!(e instanceof StorageRefusedError) || e.status !== 403) throw e;
    const again = await sign(true);
    return put(send, again.url, body, again.headers, opts);
  }
}

type VideoApi = ArvliteClient['video'];
type CreatedUpload = Awaited<ReturnType<VideoApi['createUpload']['mutate']>>;
type SignedParts = Awaited<ReturnType<VideoApi['signUploadParts']['mutate']>>;
type SignedUpload = Awaited<ReturnType<VideoApi['signUpload']['mutate']>>;
type ListedParts = Awaited<ReturnType<VideoApi['listUploadedParts']['query']>>;

/**
 * The calls an upload makes: the dashboard's (`video.*`, signed in) or a customer upload link's (`customerUpload.*`,
 * the link's token). Both run the same server flow, so one client loop serves them.
 */
export interface UploadApi<R> {
  start(size: number): Promise<CreatedUpload>;
  signParts(videoId: string, partNumbers: number[]): Promise<SignedParts>;
  signUpload(videoId: string): Promise<SignedUpload>;
  listParts(videoId: string): Promise<ListedParts>;
  complete(videoId: string, etag?: string): Promise<R>;
}

function videoUploadApi(
  client: ArvliteClient,
  input?: { projectId: string; fileName: string; contentType: VideoContentType; title?: string },
) {
  return {
    start: (size: number) => {
      if (!input) throw new Error('videoUploadApi: no upload to start');
      return client.video.createUpload.mutate({ ...input, size });
    },
    signParts: (videoId: string, partNumbers: number[]) =>
      client.video.signUploadParts.mutate({ videoId, partNumbers }),
    signUpload: (videoId: string) => client.video.signUpload.mutate({ videoId }),
    listParts: (videoId: string) => client.video.listUploadedParts.query({ videoId }),
    complete: (videoId: string, etag?: string) =>
      client.video.completeUpload.mutate({ videoId, ...(etag ? { etag } : {}) }),
  } satisfies UploadApi<unknown>;
}

/**
 * The calls of a customer upload link (`${PUBLIC_URL}/u#<token>`): no sign-in, the token scopes every call to the
 * link's item and video (the video ids below are the server's answers, never chosen here).
 */
export function customerUploadApi(
  client: ArvliteClient,
  token: string,
  file?: { fileName: string; contentType: VideoContentType },
) {
  return {
    start: (size: number) => {
      if (!file) throw new Error('customerUploadApi: no file to start');
      return client.customerUpload.start.mutate({ token, ...file, size });
    },
    signParts: (_videoId: string, partNumbers: number[]) =>
      client.customerUpload.signParts.mutate({ token, partNumbers }),
    signUpload: () => client.customerUpload.signUpload.mutate({ token }),
    listParts: () => client.customerUpload.listParts.mutate({ token }),
    complete: (_videoId: string, etag?: string) =>
      client.customerUpload.complete.mutate({ token, ...(etag ? { etag } : {}) }),
  } satisfies UploadApi<unknown>;
}

/**
 * Uploads the original of an upload already started (multipart), resuming from whatever storage already holds, then
 * completes it. Safe to call again after a crash or a page reload with the same videoId.
 */
export async function resumeUploadWith<R>(
  api: UploadApi<R>,
  videoId: string,
  source: UploadSource,
  opts: UploadOptions = {},
): Promise<R> {
  return sendRest(api, videoId, await api.listParts(videoId), source, opts);
}

/** Sends whatever `state` says storage does not hold yet, then completes. */
async function sendRest<R>(
  api: UploadApi<R>,
  videoId: string,
  state: ListedParts,
  source: UploadSource,
  opts: UploadOptions,
): Promise<R> {
  const send = opts.put ?? fetchPut(opts.fetch ?? fetch);
  const report = (uploadedBytes: number) => opts.onProgress?.({ uploadedBytes, totalBytes: source.size });

  if (state.kind === 'single') {
    // A tus store (local disk) resumes a single upload from the offset it holds, with a fresh token.
    if (state.uploadedBytes < source.size) {
      const signed = await api.signUpload(videoId);
      if (signed.transport.kind !== 'tus')
        // A single PUT cannot resume part-way; re-sign by starting the session again is the caller's choice.
        throw new Error('A single-request upload cannot resume; start it again with uploadVideo');
      await sendTus(api, videoId, signed.transport, source, opts);
    }
    report(source.size);
    return api.complete(videoId);
  }
  const done = new Set(state.parts.map((p) => p.partNumber));
  let uploaded = state.parts.reduce((n, p) => n + p.size, 0);
  report(uploaded);
  const todo = Array.from({ length: state.partCount }, (_, i) => i + 1).filter((n) => !done.has(n));
  // URLs are signed a batch at a time (one call), just before they are needed, since they last minutes; one that
  // has (nearly) expired while waiting its turn is signed again.
  const urls = new Map<number, { url: string; expiresAt: Date }>();
  // Parts never signed yet, in upload order. A batch takes from here, not from the queue: the parts the other workers
  // have already taken off the queue would otherwise each wait for a signing call of their own, one after another.
  const unsigned = new Set(todo);
  let signing: Promise<void> | undefined;
  const urlFor = async (partNumber: number, renew: boolean): Promise<string> => {
    const held = urls.get(partNumber);
    if (renew || (held && !fresh(held.expiresAt))) urls.delete(partNumber);
    while (!urls.has(partNumber)) {
      signing ??= (async () => {
        const batch = [partNumber];
        for (const n of unsigned) {
          if (batch.length >= UPLOAD_SIGN_BATCH) break;
          if (n !== partNumber && !urls.has(n)) batch.push(n);
        }
        const { parts, expiresAt } = await api.signParts(videoId, batch);
        for (const p of parts) {
          urls.set(p.partNumber, { url: p.url, expiresAt: new Date(expiresAt) });
          unsigned.delete(p.partNumber);
        }
      })().finally(() => (signing = undefined));
      await signing;
    }
    const { url } = urls.get(partNumber)!;
    urls.delete(partNumber);
    return url;
  };
  const queue = [...todo];
  const worker = async () => {
    for (let partNumber = queue.shift(); partNumber !== undefined; partNumber = queue.shift()) {
      const start = (partNumber - 1) * state.partSize;
      const end = Math.min(source.size, start + state.partSize);
      const body = await source.slice(start, end);
      await putSigned(send, async (renew) => ({ url: await urlFor(partNumber, renew), headers: {} }), body, opts);
      uploaded += end - start;
      report(uploaded);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return api.complete(videoId);
}

/** Azure Blob Storage: PUT to SAS URLs as well, but Put Block answers no ETag (completion reads the block list). */
const isAzure = (created: { transport?: { kind: string } }) => created.transport?.kind === 'azure';

/** A tus upload (local disk), its token renewed through signUpload when it expires on the way. */
function sendTus<R>(
  api: UploadApi<R>,
  videoId: string,
  transport: TusTransport,
  source: UploadSource,
  opts: UploadOptions,
) {
  return uploadWithTus(transport, source, {
    ...opts,
    renew: async () => {
      const { transport: next } = await api.signUpload(videoId);
      if (next.kind !== 'tus') throw new Error('The upload no longer goes through tus');
      return next;
    },
  });
}

/** Starts an upload and sends the file; resumable through resumeUploadWith(videoId) when multipart or tus. */
export async function uploadWith<R>(
  api: UploadApi<R>,
  source: UploadSource,
  opts: UploadOptions & { onStarted?: (created: CreatedUpload) => void } = {},
): Promise<R> {
  const created = await api.start(source.size);
  opts.onStarted?.(created);
  if (created.kind === 'single' && created.transport.kind === 'tus') {
    await sendTus(api, created.videoId, created.transport, source, opts);
    return api.complete(created.videoId);
  }
  if (created.kind === 'single') {
    const videoId = created.videoId;
    let signed = { url: created.url, headers: created.headers, urlExpiresAt: created.urlExpiresAt };
    const sign = async (renew: boolean) => {
      if (renew || !fresh(signed.urlExpiresAt)) signed = await api.signUpload(videoId);
      return signed;
    };
    let etag: string | null = null;
    try {
      const send = opts.put ?? fetchPut(opts.fetch ?? fetch);
      etag = await putSigned(send, sign, await source.slice(0, source.size), opts);
    } catch (e) {
      // The URL is create-only and the object is there (an earlier try got through); completion checks it. S3 answers
      // 412, Azure's Put Blob 409 (BlobAlreadyExists).
      const exists = e instanceof StorageRefusedError && (e.status === 412 || (e.status === 409 && isAzure(created)));
      if (!exists) throw e;
    }
    opts.onProgress?.({ uploadedBytes: source.size, totalBytes: source.size });
    return api.complete(videoId, etag ?? undefined);
  }
  // A multipart upload just created holds no part yet: no need to ask storage (resumeUploadWith does, after a reload).
  return sendRest(
    api,
    created.videoId,
    { kind: 'multipart', partSize: created.partSize, partCount: created.partCount, parts: [], uploadedBytes: 0 },
    source,
    opts,
  );
}

/**
 * Uploads the original of a video created with `video.createUpload`, resuming from whatever storage already holds,
 * then completes it. Safe to call again after a crash or a page reload with the same videoId.
 */
export async function uploadVideoFile(
  client: ArvliteClient,
  videoId: string,
  source: UploadSource,
  opts: UploadOptions = {},
) {
  return resumeUploadWith(videoUploadApi(client), videoId, source, opts);
}

/** Creates the upload and sends the file; resumable through uploadVideoFile(videoId) when multipart. */
export async function uploadVideo(
  client: ArvliteClient,
  input: {
    projectId: string;
    fileName: string;
    contentType: VideoContentType;
    title?: string;
  },
  source: UploadSource,
  opts: UploadOptions = {},
) {
  return uploadWith(videoUploadApi(client, input), source, opts);
}
