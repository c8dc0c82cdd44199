// Uppy wired to our upload procedures: createUpload decides single PUT or multipart; parts are signed by
// video.signUploadParts, resumed through video.listUploadedParts, and finished by video.completeUpload.
import { isFinalUploadReason, VIDEO_EXTENSIONS, videoContentTypeOf, type ArvliteClient } from '@arvlite/client';
import AwsS3, { type AwsS3Part, type UploadPartBytesResult } from '@uppy/aws-s3';
import Uppy, { type UppyFile } from '@uppy/core';
import Tus from '@uppy/tus';
import { t } from '../i18n/dashboard.ts';
import { errorMessage } from '../i18n/errors.ts';
import { fingerprint, ResumeStore } from './resume-store.ts';

export type UploadPhase = 'preparing' | 'uploading' | 'paused' | 'completing' | 'done' | 'failed';

export type UploadMeta = {
  projectId?: string;
  videoId?: string;
  kind?: 'single' | 'multipart';
  url?: string;
  headers?: Record<string, string>;
  /** When the single-request URL expires (minutes after signing); a retry after that signs again. */
  urlExpiresAt?: string;
  /** Set by our steps; Uppy's own progress fills in the rest. */
  phase?: 'completing' | 'done';
  resumed?: boolean;
  /** False when the server failed the video for good (wrong media, size mismatch): retrying cannot help. */
  retryable?: boolean;
};
type UploadBody = Record<string, never>;
export type UploadFile = UppyFile<UploadMeta, UploadBody>;

export interface UploadRow {
  id: string;
  name: string;
  size: number;
  bytesUploaded: number;
  percent: number;
  phase: UploadPhase;
  error: string | null;
  retryable: boolean;
  resumed: boolean;
  videoId: string | null;
}

/** A failure the server recorded on the video: sending the same bytes again will fail again. */
function isFinalFailure(err: unknown): boolean {
  return isFinalUploadReason((err as { data?: { details?: { reason?: string } } })?.data?.details?.reason);
}

/**
 * Uppy's XHR errors carry the request as `source`; turn them into something a person can act on, in their language.
 * A refused call reads by its code (i18n/errors.ts); our own errors already carry a translated message.
 */
export function describeUploadError(err: unknown): string {
  const e = err as { message?: string; source?: { status?: number } } | undefined;
  const status = e?.source?.status;
  if (e?.message === 'Non 2xx' && status) return t('upload.errors.refused', { status });
  if (e?.message === 'Unknown error') return t('upload.errors.connection');
  if (e?.message === 'Request has expired') return t('upload.errors.expired');
  return e?.message ? errorMessage(err) : t('upload.errors.failed');
}

export function toRow(file: UploadFile): UploadRow {
  const size = file.size ?? 0;
  const bytesUploaded = file.progress.bytesUploaded || 0;
  const phase: UploadPhase = file.error
    ? 'failed'
    : file.meta.phase === 'done'
      ? 'done'
      : file.meta.phase === 'completing' || file.progress.uploadComplete
        ? 'completing'
        : file.isPaused
          ? 'paused'
          : file.progress.uploadStarted
            ? 'uploading'
            : 'preparing';
  return {
    id: file.id,
    name: file.name ?? 'file',
    size,
    bytesUploaded: phase === 'done' || phase === 'completing' ? size : bytesUploaded,
    percent: phase === 'done' || phase === 'completing' ? 100 : size ? Math.floor((bytesUploaded / size) * 100) : 0,
    phase,
    error: file.error ?? null,
    retryable: phase === 'failed' && file.meta.retryable !== false,
    resumed: Boolean(file.meta.resumed),
    videoId: file.meta.videoId ?? null,
  };
}

type PartBytes = Parameters<typeof AwsS3.uploadPartBytes>[0];

/**
 * A part PUT whose store answers no ETag (Azure's Put Block): Uppy's own waits for one forever, so this sends it and
 * answers the `etag` the server gave with the part's URL (its block ID). Errors look like Uppy's (`source` = the XHR).
 */
function putPartWithoutEtag({ signature, body, size, onProgress, onComplete, signal }: PartBytes, etag: string) {
  return new Promise<UploadPartBytesResult>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(signature.method ?? 'PUT', signature.url, true);
    for (const [name, value] of Object.entries(signature.headers ?? {})) xhr.setRequestHeader(name, value);
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort);
    const fail = (message: string) => {
      signal?.removeEventListener('abort', abort);
      reject(Object.assign(new Error(message), { source: xhr }));
    };
    xhr.upload.addEventListener('progress', (ev) => onProgress?.(ev));
    xhr.addEventListener('abort', () => {
      signal?.removeEventListener('abort', abort);
      reject(new DOMException('The part upload was aborted', 'AbortError'));
    });
    xhr.addEventListener('error', () => fail('Unknown error'));
    xhr.addEventListener('load', () => {
      if (xhr.status < 200 || xhr.status >= 300) return fail('Non 2xx');
      signal?.removeEventListener('abort', abort);
      onProgress?.({ loaded: size, lengthComputable: true });
      onComplete?.(etag);
      resolve({ ETag: etag });
    });
    xhr.send(body);
  });
}

export interface VideoUploaderOptions {
  client: ArvliteClient;
  projectId: string;
  storage: ConstructorParameters<typeof ResumeStore>[0];
  /** A video's state changed on the server (created, completed, failed): refresh lists. */
  onVideoChange?: (videoId: string) => void;
  /** Parallel part uploads per file. */
  limit?: number;
  /** Start uploading as soon as files are added (the default); tests turn it off to drive the steps themselves. */
  autoProceed?: boolean;
  /**
   * How the installation's store takes uploads (`auth.me`'s uploadKind). Uppy fixes a batch's uploader when the batch
   * starts, so the plugin is chosen here: 'tus' (local disk) uses @uppy/tus, the others @uppy/aws-s3.
   */
  uploadKind?: 's3' | 'azure' | 'tus';
}

export type VideoUploader = ReturnType<typeof createVideoUploader>;

export function createVideoUploader(opts: VideoUploaderOptions) {
  const { client, projectId } = opts;
  const resume = new ResumeStore(opts.storage);
  // Uppy asks for a chunk size knowing only the size; the server's plan for a size is the same for every file.
  const partSizeBySize = new Map<number, number>();
  // Part URLs whose store answers no ETag, with what the server says to report instead (Azure: the block ID).
  const partEtags = new Map<string, string>();

  const uppy = new Uppy<UploadMeta, UploadBody>({
    id: `videos-${projectId}`,
    autoProceed: opts.autoProceed ?? true,
    allowMultipleUploadBatches: true,
    meta: { projectId },
    restrictions: { allowedFileTypes: ['video/*', ...Object.keys(VIDEO_EXTENSIONS).map((e) => `.${e}`)] },
    onBeforeFileAdded: (file) => {
      const ok = videoContentTypeOf({ name: file.name ?? '', type: file.type }) !== null;
      if (!ok) uppy.info(t('upload.errors.typeOf', { name: file.name }), 'error', 6000);
      return ok;
    },
  });

  const fileOf = (f: UploadFile) =>
    (f.data ?? { name: f.name ?? '', size: f.size ?? 0 }) as { name: string; size: number; lastModified?: number };

  const fail = (file: UploadFile, err: unknown) => {
    const final = isFinalFailure(err);
    uppy.setFileMeta(file.id, { retryable: !final, phase: undefined });
    if (final) resume.remove(projectId, fingerprint(fileOf(file)));
    uppy.emit('upload-error', uppy.getFile(file.id), new Error(describeUploadError(err)));
    if (file.meta.videoId) opts.onVideoChange?.(file.meta.videoId);
  };

  const finished = (file: UploadFile) => {
    uppy.setFileMeta(file.id, { phase: 'done' });
    resume.remove(projectId, fingerprint(fileOf(file)));
    if (file.meta.videoId) opts.onVideoChange?.(file.meta.videoId);
  };

  type TusTransport = Extract<Awaited<ReturnType<typeof client.video.signUpload.mutate>>['transport'], { kind: 'tus' }>;
  /**
   * Local-disk installations take uploads over tus (the server answers a 'tus' transport): Uppy's tus plugin is
   * installed when the uploader is created for uploadKind 'tus' (a later switch, for an uploader created without the
   * kind, only reaches the next batch). Its token lives UPLOAD_URL_TTL_S: one about to expire is signed again before
   * the next request goes, and the upload carries on from the offset the server holds.
   */
  const useTus = () => {
    if (uppy.getPlugin('Tus')) return;
    const s3 = uppy.getPlugin('AwsS3');
    if (s3) uppy.removePlugin(s3);
    uppy.use(Tus<UploadMeta, UploadBody>, {
      limit: opts.limit ?? 4,
      allowedMetaFields: [],
      storeFingerprintForResuming: false,
      retryDelays: [0, 1000, 3000, 5000],
      onBeforeRequest: async (req, file) => {
        const meta = uppy.getFile(file.id)?.meta ?? file.meta;
        if (!meta.urlExpiresAt || new Date(meta.urlExpiresAt).getTime() - 60_000 > Date.now()) return;
        const signed = await client.video.signUpload.mutate({ videoId: videoIdOf(file) });
        if (signed.transport.kind !== 'tus') return;
        setTus(file.id, signed.transport, signed.urlExpiresAt);
        for (const [name, value] of Object.entries(signed.transport.headers)) req.setHeader(name, value);
      },
    });
  };
  const setTus = (id: string, transport: TusTransport, urlExpiresAt: Date | string) => {
    const { endpoint, uploadUrl, headers, chunkSize } = transport;
    uppy.setFileMeta(id, { urlExpiresAt: new Date(urlExpiresAt).toISOString() });
    uppy.setFileState(id, { tus: { endpoint, uploadUrl: uploadUrl ?? null, headers, chunkSize } });
  };

  /** Creates the upload on the server, or picks up the one this file started before a reload. */
  const prepare = async (file: UploadFile) => {
    if (file.meta.videoId) return; // a retry of a prepared file
    const data = fileOf(file);
    const fp = fingerprint(data);
    const saved = resume.get(projectId, fp);
    if (saved) {
      // Answers only while the upload is open (not completed, aborted or expired).
      const open = await client.video.listUploadedParts.query({ videoId: saved.videoId }).catch(() => null);
      if (open?.kind === 'multipart') {
        partSizeBySize.set(data.size, open.partSize);
        uppy.setFileMeta(file.id, { videoId: saved.videoId, kind: 'multipart', resumed: true });
        // Uppy resumes a file that carries an upload id and key: it lists the stored parts and sends the rest.
        uppy.setFileState(file.id, {
          s3Multipart: { key: saved.videoId, uploadId: saved.videoId },
        } as Partial<UploadFile>);
        return;
      }
      // A tus upload (local disk) resumes from the offset the server holds, with a fresh token.
      if (open?.kind === 'single') {
        const signed = await client.video.signUpload.mutate({ videoId: saved.videoId }).catch(() => null);
        if (signed?.transport.kind === 'tus') {
          useTus();
          uppy.setFileMeta(file.id, { videoId: saved.videoId, kind: 'single', resumed: true });
          setTus(file.id, signed.transport, signed.urlExpiresAt);
          return;
        }
      }
      // A single PUT cannot resume part-way: give back its reservation and start again.
      if (open) await client.video.abortUpload.mutate({ videoId: saved.videoId }).catch(() => null);
      resume.remove(projectId, fp);
    }
    const contentType = videoContentTypeOf({ name: data.name, type: file.type });
    if (!contentType) throw new Error(t('upload.errors.type'));
    const created = await client.video.createUpload.mutate({
      projectId,
      fileName: data.name,
      contentType,
      size: data.size,
    });
    resume.set(fp, {
      videoId: created.videoId,
      projectId,
      kind: created.kind,
      fileName: data.name,
      size: data.size,
      createdAt: new Date().toISOString(),
    });
    if (created.kind === 'multipart') {
      partSizeBySize.set(data.size, created.partSize);
      uppy.setFileMeta(file.id, { videoId: created.videoId, kind: 'multipart' });
    } else {
      uppy.setFileMeta(file.id, {
        videoId: created.videoId,
        kind: 'single',
        url: created.url,
        headers: created.headers,
        urlExpiresAt: created.urlExpiresAt ? new Date(created.urlExpiresAt).toISOString() : undefined,
      });
      if (created.transport.kind === 'tus') {
        useTus();
        setTus(file.id, created.transport, created.urlExpiresAt);
      }
    }
    opts.onVideoChange?.(created.videoId);
  };

  uppy.addPreProcessor(async (fileIDs) => {
    await Promise.all(
      fileIDs.map(async (id) => {
        const file = uppy.getFile(id);
        uppy.emit('preprocess-progress', file, { mode: 'indeterminate', message: t('upload.errors.preparing') });
        try {
          await prepare(file);
        } catch (err) {
          fail(file, err);
        } finally {
          uppy.emit('preprocess-complete', uppy.getFile(id));
        }
      }),
    );
  });

  const videoIdOf = (file: UploadFile) => {
    const videoId = uppy.getFile(file.id)?.meta.videoId ?? file.meta.videoId;
    if (!videoId) throw new Error(t('upload.errors.noUpload'));
    return videoId;
  };

  uppy.use(AwsS3<UploadMeta, UploadBody>, {
    id: 'AwsS3', // its default id is 'AwsS3Multipart': useTus() finds and removes it by this one
    limit: opts.limit ?? 4,
    shouldUseMultipart: (file) => uppy.getFile(file.id)?.meta.kind === 'multipart',
    getChunkSize: (data) => partSizeBySize.get(data.size) ?? 16 * 1024 * 1024,

    getUploadParameters: async (file) => {
      const meta = uppy.getFile(file.id)?.meta ?? file.meta;
      if (!meta.url) throw new Error(t('upload.errors.noUrl'));
      // Upload URLs live minutes: one that expires within a minute (a retry, a paused queue) is signed again.
      if (meta.urlExpiresAt && new Date(meta.urlExpiresAt).getTime() - 60_000 < Date.now()) {
        const signed = await client.video.signUpload.mutate({ videoId: videoIdOf(file) });
        uppy.setFileMeta(file.id, {
          url: signed.url,
          headers: signed.headers,
          urlExpiresAt: new Date(signed.urlExpiresAt).toISOString(),
        });
        return { method: 'PUT', url: signed.url, headers: signed.headers };
      }
      return { method: 'PUT', url: meta.url, headers: meta.headers ?? {} };
    },

    // The server created the multipart upload in createUpload; our key and upload id are the video's id.
    createMultipartUpload: (file) => {
      const videoId = videoIdOf(file);
      return { key: videoId, uploadId: videoId };
    },

    signPart: async (_file, { key, partNumber }) => {
      const { parts } = await client.video.signUploadParts.mutate({ videoId: key, partNumbers: [partNumber] });
      const part = parts.find((p) => p.partNumber === partNumber);
      if (!part) throw new Error(t('upload.errors.noPart', { part: partNumber }));
      if (part.etag) partEtags.set(part.url, part.etag);
      return { method: 'PUT', url: part.url };
    },

    uploadPartBytes: (options) => {
      const etag = partEtags.get(options.signature.url);
      if (etag === undefined) return AwsS3.uploadPartBytes(options);
      partEtags.delete(options.signature.url);
      return putPartWithoutEtag(options, etag);
    },

    listParts: async (_file, { key }): Promise<AwsS3Part[]> => {
      const state = await client.video.listUploadedParts.query({ videoId: key });
      return state.parts.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ETag: p.etag }));
    },

    completeMultipartUpload: async (file, { key, parts }) => {
      uppy.setFileMeta(file.id, { phase: 'completing' });
      try {
        await client.video.completeUpload.mutate({
          videoId: key,
          parts: parts.map((p) => ({ partNumber: p.PartNumber!, etag: p.ETag! })),
        });
      } catch (err) {
        uppy.setFileMeta(file.id, { phase: undefined, retryable: !isFinalFailure(err) });
        if (isFinalFailure(err)) resume.remove(projectId, fingerprint(fileOf(file)));
        opts.onVideoChange?.(key);
        throw new Error(describeUploadError(err), { cause: err });
      }
      finished(uppy.getFile(file.id));
      return {};
    },

    // Removing a file from the list only stops sending; cancel() below is what gives the upload up on the server.
    abortMultipartUpload: () => undefined,
  });
  // Before any batch starts: a tus store's uploader never sends a batch through the S3 plugin.
  if (opts.uploadKind === 'tus') useTus();

  // A single PUT has landed in storage; the server checks it and queues processing.
  uppy.addPostProcessor(async (fileIDs) => {
    await Promise.all(
      fileIDs.map(async (id) => {
        const file = uppy.getFile(id);
        if (
          !file ||
          file.error ||
          file.meta.kind !== 'single' ||
          !file.progress.uploadComplete ||
          file.meta.phase === 'done'
        )
          return;
        uppy.setFileMeta(id, { phase: 'completing' });
        uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: t('upload.errors.checking') });
        try {
          await client.video.completeUpload.mutate({ videoId: videoIdOf(file) });
          finished(uppy.getFile(id));
        } catch (err) {
          fail(uppy.getFile(id), err);
        } finally {
          uppy.emit('postprocess-complete', uppy.getFile(id));
        }
      }),
    );
  });

  let rows: UploadRow[] = [];
  let lastFiles: unknown;
  const snapshot = () => {
    const files = uppy.getState().files;
    if (files !== lastFiles) {
      lastFiles = files;
      rows = Object.values(files).map(toRow);
    }
    return rows;
  };

  return {
    uppy,
    resume,
    addFiles(files: File[]) {
      for (const f of files) {
        try {
          uppy.addFile({ name: f.name, type: f.type, data: f, source: 'local' });
        } catch {
          // Restriction errors were reported through uppy.info; duplicates are ignored.
        }
      }
    },
    /** The preparation step alone (create or resume the server-side upload), as the preprocessor runs it. */
    prepare: (id: string) => prepare(uppy.getFile(id)),
    pauseResume: (id: string) => uppy.pauseResume(id),
    retry: (id: string) => uppy.retryUpload(id),
    /** Stops sending and gives the upload up on the server, releasing its quota. */
    async cancel(id: string) {
      const file = uppy.getFile(id);
      if (!file) return;
      const { videoId, phase } = file.meta;
      uppy.removeFile(id);
      if (videoId && phase !== 'done') {
        resume.remove(projectId, fingerprint(fileOf(file)));
        await client.video.abortUpload.mutate({ videoId }).catch(() => null);
        opts.onVideoChange?.(videoId);
      }
    },
    /** Removes a finished or failed row from the list. */
    dismiss: (id: string) => uppy.removeFile(id),
    get busy() {
      return snapshot().some((r) => r.phase === 'uploading' || r.phase === 'preparing' || r.phase === 'completing');
    },
    subscribe(listener: () => void) {
      return uppy.store.subscribe(listener);
    },
    getSnapshot: snapshot,
    destroy: () => uppy.destroy(),
  };
}
