// The 'tus' upload transport (local-disk storage): a tus 1.0 upload with tus-js-client, the size-bound token in the
// headers the server gave. It resumes: with the transport's `uploadUrl`, tus-js-client first asks the server for the
// offset it holds (HEAD) and sends only the rest; a 404 there means nothing yet, and it creates the upload. A 403 (the
// token expired during a long upload or a pause) gets one fresh transport from `renew` and carries on.
import type { UploadTransport } from '@arvlite/contract';
import { Upload, type DetailedError } from 'tus-js-client';
import type { UploadOptions, UploadSource } from './upload.ts';
import { StorageRefusedError } from './upload.ts';

export type TusTransport = Extract<UploadTransport, { kind: 'tus' }>;

const statusOf = (e: unknown) => (e as DetailedError).originalResponse?.getStatus?.() ?? 0;

function sendOnce(transport: TusTransport, source: UploadSource, opts: UploadOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(opts.signal.reason as Error);
    const upload = new Upload({} as Blob, {
      endpoint: transport.endpoint,
      uploadUrl: transport.uploadUrl ?? null,
      headers: transport.headers,
      chunkSize: transport.chunkSize,
      uploadSize: source.size,
      retryDelays: Array.from({ length: opts.retries ?? 3 }, (_, i) => 500 * 2 ** i),
      // The server's transport says where the upload is; nothing is kept in the browser's or the app's storage.
      storeFingerprintForResuming: false,
      fingerprint: () => Promise.resolve(transport.uploadUrl ?? transport.endpoint),
      fileReader: {
        openFile: () =>
          Promise.resolve({
            size: source.size,
            // `done` stays false: the size is known, and tus-js-client measures a done slice by `.size`, which a
            // Uint8Array (what Node and some apps read) lacks.
            slice: async (start: number, end: number) => ({
              value: await source.slice(start, Math.min(end, source.size)),
              done: false,
            }),
            close: () => undefined,
          }),
      },
      // Refusals are not retried: a 403 needs a fresh token, a 413 another file.
      onShouldRetry: (err) => {
        const status = statusOf(err);
        return status === 0 || status === 409 || status === 423 || status >= 500;
      },
      onProgress: (sent, total) => opts.onProgress?.({ uploadedBytes: sent, totalBytes: total }),
      onSuccess: () => resolve(),
      onError: (err) => {
        const status = statusOf(err);
        reject(status >= 400 && status < 500 ? new StorageRefusedError(status) : err);
      },
    });
    opts.signal?.addEventListener(
      'abort',
      () => {
        void upload.abort();
        reject(opts.signal!.reason as Error);
      },
      { once: true },
    );
    upload.start();
  });
}

/** Sends `source` over tus; a refused (expired) token is renewed once through `renew`. */
export async function uploadWithTus(
  transport: TusTransport,
  source: UploadSource,
  opts: UploadOptions & { renew?: () => Promise<TusTransport> } = {},
): Promise<void> {
  try {
    await sendOnce(transport, source, opts);
  } catch (e) {
    if (!(e instanceof StorageRefusedError) || e.status !== 403 || !opts.renew) throw e;
    await sendOnce(await opts.renew(), source, opts);
  }
}
