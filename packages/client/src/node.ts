// Node entry: supplies the `eventsource` package for SSE subscriptions (browsers and React Native bring their own), and
// sends upload PUTs with node:http instead of fetch.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { EventSource } from 'eventsource';
import { createArvliteClient as create, type ArvliteClientOptions } from './index.ts';
import {
  resumeUploadWith as resumeWith,
  uploadVideo as upload,
  uploadVideoFile as uploadFile,
  uploadWith as uploadUsing,
  type PutRequest,
  type UploadOptions,
} from './upload.ts';

export * from './index.ts';

export function createArvliteNodeClient(opts: ArvliteClientOptions) {
  return create({ EventSource: EventSource as unknown as typeof globalThis.EventSource, ...opts });
}

/**
 * A PUT through node:http(s) with the body written as it is. Node's fetch (undici) copies a Uint8Array body twice
 * before sending it (a copy of the buffer, then a copy per stream chunk): in the upload benchmark that was about a
 * third of the client's CPU and most of its garbage collection. A Blob (e.g. from `fs.openAsBlob`) is streamed.
 */
export const nodePut: PutRequest = (url, body, headers, signal) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const size = body instanceof Uint8Array ? body.byteLength : body.size;
    const req = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'PUT',
      headers: { ...headers, 'content-length': String(size) },
      signal,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.on('error', reject);
      // The answer is empty or a short XML error; drain it so the socket goes back to the agent's pool.
      res.resume();
      res.on('end', () => {
        const etag = res.headers.etag;
        resolve({ status: res.statusCode ?? 0, etag: typeof etag === 'string' ? etag : null });
      });
    });
    if (body instanceof Uint8Array) req.end(body);
    else Readable.fromWeb(body.stream() as Parameters<typeof Readable.fromWeb>[0]).pipe(req);
  });

/** nodePut unless the caller chose how to send (its own `put`, or its own `fetch`). */
const withNodePut = <O extends UploadOptions>(opts: O | undefined): O =>
  ({ ...opts, put: opts?.put ?? (opts?.fetch ? undefined : nodePut) }) as O;

/** `uploadVideo` with PUTs through node:http (see nodePut). */
export const uploadVideo = (...[client, input, source, opts]: Parameters<typeof upload>) =>
  upload(client, input, source, withNodePut(opts));

/** `uploadVideoFile` with PUTs through node:http (see nodePut). */
export const uploadVideoFile = (...[client, videoId, source, opts]: Parameters<typeof uploadFile>) =>
  uploadFile(client, videoId, source, withNodePut(opts));

/** `uploadWith` with PUTs through node:http (see nodePut). */
export const uploadWith = <R>(...[api, source, opts]: Parameters<typeof uploadUsing<R>>) =>
  uploadUsing<R>(api, source, withNodePut(opts));

/** `resumeUploadWith` with PUTs through node:http (see nodePut). */
export const resumeUploadWith = <R>(...[api, videoId, source, opts]: Parameters<typeof resumeWith<R>>) =>
  resumeWith<R>(api, videoId, source, withNodePut(opts));
