// Operator uploads that outlive the app: each upload is recorded (video id, file, size) before its first byte is
// sent, so after the app was backgrounded, killed or lost the network, `resumeAll` asks storage which parts it
// already holds (`uploadVideoFile`) and sends only the rest. Small single-request uploads cannot resume part-way;
// they are started again.
import {
  uploadVideoFile,
  type ArvliteClient,
  type UploadProgress,
  type UploadSource,
  type VideoContentType,
} from '@arvlite/client';
import { errorCode, errorDetail } from '../lib/api-errors.ts';
import { readJson, serialized, writeJson, type KeyValueStore } from '../lib/key-value-store.ts';
import { UserError } from '../lib/user-error.ts';

export type { VideoContentType };

export interface PickedVideo {
  /** file:// on a device, blob: on the web. */
  uri: string;
  name: string;
  size: number;
  contentType: VideoContentType;
}

export interface PendingUpload extends PickedVideo {
  videoId: string;
  projectId: string;
  kind: 'single' | 'multipart';
  createdAt: number;
}

export type UploadOutcome =
  | { videoId: string; fileName: string; outcome: 'done'; resumed: boolean }
  /** The server no longer waits for this upload (completed earlier, expired, aborted, deleted): record dropped. */
  | { videoId: string; fileName: string; outcome: 'gone'; message: string; error: unknown }
  /** Kept for a later try: offline, or the file cannot be read right now. */
  | { videoId: string; fileName: string; outcome: 'waiting'; message: string; error: unknown };

export interface UploadQueueOptions {
  store: KeyValueStore;
  client: ArvliteClient;
  /** Opens a picked file for reading byte ranges; null when it cannot be read any more. */
  openSource: (video: PickedVideo) => Promise<UploadSource | null>;
  /** For the PUTs to storage; on a device this sends each part through a background session. */
  fetch?: typeof fetch;
  concurrency?: number;
  retries?: number;
  now?: () => number;
  /** Frees the app's copy of a file once its upload is settled (done, given up, or gone). */
  release?: (video: PickedVideo) => Promise<void>;
}

export type ProgressListener = (videoId: string, p: UploadProgress) => void;

/** What a screen shows for one upload, from any start or resume in this app run. */
export interface UploadEvent {
  videoId: string;
  projectId: string;
  fileName: string;
  phase: 'uploading' | 'done' | 'waiting' | 'gone';
  uploadedBytes: number;
  totalBytes: number;
  resumed: boolean;
  /** What stopped it: `error` for errorText (in the person's language), `message` in English for logs. */
  message?: string;
  error?: unknown;
}

const KEY = 'operator.uploads';
const isList = (v: unknown): v is PendingUpload[] => Array.isArray(v);

export class UploadQueue {
  readonly #opts: UploadQueueOptions;
  readonly #exclusive = serialized();
  /** Uploads running in this app run, so a resume never races the upload it would resume. */
  readonly #running = new Map<string, Promise<UploadOutcome>>();
  readonly #listeners = new Set<(e: UploadEvent) => void>();

  constructor(opts: UploadQueueOptions) {
    this.#opts = opts;
  }

  subscribe(listener: (e: UploadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  pending(): Promise<PendingUpload[]> {
    return readJson(this.#opts.store, KEY, isList).then((l) => l ?? []);
  }

  /** Creates the video, records the upload, and sends the file. Rejects when it stops part-way (the record stays). */
  async start(projectId: string, video: PickedVideo, onProgress?: ProgressListener): Promise<UploadOutcome> {
    const created = await this.#opts.client.video.createUpload.mutate({
      projectId,
      fileName: video.name,
      contentType: video.contentType,
      size: video.size,
    });
    const pending: PendingUpload = {
      ...video,
      videoId: created.videoId,
      projectId,
      kind: created.kind,
      createdAt: (this.#opts.now ?? Date.now)(),
    };
    await this.#edit((list) => [...list.filter((p) => p.videoId !== pending.videoId), pending]);
    const progress = this.#progress(pending, false, onProgress);
    progress(created.videoId, { uploadedBytes: 0, totalBytes: video.size });
    const run = (async (): Promise<UploadOutcome> => {
      const source = await this.#opts.openSource(video);
      if (!source) throw new UserError('cannotRead', { name: video.name });
      if (created.kind === 'single') {
        const etag = await this.#putSingle(created.url, created.headers, source, created.videoId, progress);
        // The ETag storage answered: completion refuses any other object.
        await this.#opts.client.video.completeUpload.mutate({ videoId: created.videoId, ...(etag ? { etag } : {}) });
      } else {
        await uploadVideoFile(
          this.#opts.client,
          created.videoId,
          source,
          this.#uploadOptions(created.videoId, progress),
        );
      }
      await this.#forget(created.videoId);
      return { videoId: created.videoId, fileName: video.name, outcome: 'done', resumed: false };
    })();
    return this.#track(pending, run);
  }

  /** Continues every recorded upload that is not running now; never rejects. */
  async resumeAll(onProgress?: ProgressListener): Promise<UploadOutcome[]> {
    const out: UploadOutcome[] = [];
    for (const p of await this.pending()) {
      const running = this.#running.get(p.videoId);
      out.push(
        await (running ?? this.#track(p, this.#resume(p, this.#progress(p, true, onProgress)))).catch((err: unknown) =>
          waiting(p, err),
        ),
      );
    }
    return out;
  }

  /** The recorded upload this newly picked file continues (same project, name and size), if any. */
  async matching(projectId: string, video: PickedVideo): Promise<PendingUpload | undefined> {
    return (await this.pending()).find(
      (p) => p.projectId === projectId && p.name === video.name && p.size === video.size,
    );
  }

  /** Continues a recorded upload from the same file picked again (a web page forgets its files on reload). */
  async resumeWith(videoId: string, video: PickedVideo, onProgress?: ProgressListener): Promise<UploadOutcome> {
    const running = this.#running.get(videoId);
    if (running) return running;
    let record: PendingUpload | undefined;
    await this.#edit((list) => list.map((p) => (p.videoId === videoId ? (record = { ...p, uri: video.uri }) : p)));
    if (!record) throw new UserError('noSuchUpload');
    const p = record;
    return this.#track(p, this.#resume(p, this.#progress(p, true, onProgress)));
  }

  /** Gives an upload up: storage drops its parts and the quota is released. */
  async discard(videoId: string): Promise<void> {
    await this.#opts.client.video.abortUpload.mutate({ videoId }).catch((err: unknown) => {
      if (!isGone(err)) throw err;
    });
    await this.#forget(videoId);
  }

  async #resume(p: PendingUpload, onProgress?: ProgressListener): Promise<UploadOutcome> {
    const client = this.#opts.client;
    let state;
    try {
      state = await client.video.listUploadedParts.query({ videoId: p.videoId });
    } catch (err) {
      if (!isGone(err)) return waiting(p, err);
      await this.#forget(p.videoId);
      return { videoId: p.videoId, fileName: p.name, outcome: 'gone', message: errorDetail(err), error: err };
    }
    if (state.kind === 'single' && state.uploadedBytes === p.size) {
      // The file arrived before the app stopped; only the completion was missing.
      await client.video.completeUpload.mutate({ videoId: p.videoId });
      await this.#forget(p.videoId);
      return { videoId: p.videoId, fileName: p.name, outcome: 'done', resumed: true };
    }
    const source = await this.#opts.openSource(p);
    if (!source || source.size !== p.size) return waiting(p, new UserError('cannotReadAnyMore', { name: p.name }));
    if (state.kind === 'single') {
      // A single PUT cannot continue part-way and its signed URL is gone: start over as a new video (same file).
      await client.video.abortUpload.mutate({ videoId: p.videoId }).catch((err: unknown) => {
        if (!isGone(err)) throw err;
      });
      await this.#forget(p.videoId, false);
      const { videoId: _old, kind: _kind, createdAt: _at, projectId, ...file } = p;
      const again = await this.start(projectId, file, onProgress);
      return again.outcome === 'done' ? { ...again, resumed: true } : again;
    }
    await uploadVideoFile(client, p.videoId, source, this.#uploadOptions(p.videoId, onProgress));
    await this.#forget(p.videoId);
    return { videoId: p.videoId, fileName: p.name, outcome: 'done', resumed: true };
  }

  #uploadOptions(videoId: string, onProgress?: ProgressListener) {
    return {
      concurrency: this.#opts.concurrency ?? 3,
      retries: this.#opts.retries ?? 3,
      fetch: this.#opts.fetch,
      onProgress: (pr: UploadProgress) => onProgress?.(videoId, pr),
    };
  }

  async #putSingle(
    url: string,
    headers: Record<string, string>,
    source: UploadSource,
    videoId: string,
    onProgress?: ProgressListener,
  ): Promise<string | null> {
    const f = this.#opts.fetch ?? fetch;
    const res = await f(url, { method: 'PUT', body: (await source.slice(0, source.size)) as BodyInit, headers });
    if (!res.ok) throw new UserError('storageRefused', { status: res.status });
    onProgress?.(videoId, { uploadedBytes: source.size, totalBytes: source.size });
    return res.headers?.get?.('etag') ?? null;
  }

  #track(p: PendingUpload, run: Promise<UploadOutcome>): Promise<UploadOutcome> {
    this.#running.set(p.videoId, run);
    const base = { videoId: p.videoId, projectId: p.projectId, fileName: p.name, uploadedBytes: 0, totalBytes: p.size };
    run.then(
      (o) => {
        // A single upload restarted under a new video id reports that one; this id is settled.
        const phase = o.videoId !== p.videoId ? 'gone' : o.outcome === 'done' ? 'done' : o.outcome;
        this.#emit({
          ...base,
          phase,
          uploadedBytes: phase === 'done' ? p.size : 0,
          resumed: o.outcome === 'done' && o.resumed,
          message: 'message' in o ? o.message : undefined,
          error: 'error' in o ? o.error : undefined,
        });
      },
      (err: unknown) =>
        this.#emit({ ...base, phase: 'waiting', resumed: false, message: errorDetail(err), error: err }),
    );
    return run.finally(() => this.#running.delete(p.videoId));
  }

  #progress(p: PendingUpload, resumed: boolean, onProgress?: ProgressListener): ProgressListener {
    return (videoId, pr) => {
      onProgress?.(videoId, pr);
      this.#emit({ videoId, projectId: p.projectId, fileName: p.name, phase: 'uploading', resumed, ...pr });
    };
  }

  #emit(e: UploadEvent): void {
    for (const l of this.#listeners) l(e);
  }

  async #forget(videoId: string, release = true): Promise<void> {
    let gone: PendingUpload | undefined;
    await this.#edit((list) => list.filter((p) => (p.videoId === videoId ? ((gone = p), false) : true)));
    if (gone && release) await this.#opts.release?.(gone).catch(() => undefined);
  }

  #edit(fn: (list: PendingUpload[]) => PendingUpload[]): Promise<void> {
    return this.#exclusive(async () => writeJson(this.#opts.store, KEY, fn(await this.pending())));
  }
}

/** The server no longer has an upload to continue (not waiting any more, or the video is gone). */
function isGone(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'CONFLICT' || code === 'NOT_FOUND';
}

function waiting(p: PendingUpload, err: unknown): UploadOutcome {
  return { videoId: p.videoId, fileName: p.name, outcome: 'waiting', message: errorDetail(err), error: err };
}
