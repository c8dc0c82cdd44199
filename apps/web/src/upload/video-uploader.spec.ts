// @vitest-environment happy-dom
import { videoContentTypeOf, type ArvliteClient } from '@arvlite/client';
import { describe, expect, it, vi } from 'vitest';
import { fingerprint, ResumeStore } from './resume-store.ts';
import { createVideoUploader, describeUploadError, toRow, type UploadFile } from './video-uploader.ts';

const MiB = 1024 * 1024;
const PROJECT = '6f1c4b58-0000-4000-8000-000000000001';

/** The video procedures the uploader calls, answering like the server does. */
function fakeApi(
  opts: { open?: Record<string, { kind: 'single' | 'multipart'; partSize?: number }>; tus?: boolean } = {},
) {
  let n = 0;
  let tokens = 0;
  /** What the server answers for a single upload: S3's presigned PUT, or a local-disk installation's tus. */
  const transport = (videoId: string) =>
    opts.tus
      ? {
          kind: 'tus' as const,
          endpoint: 'http://arvlite.test/storage/tus',
          uploadUrl: `http://arvlite.test/storage/tus/id-of-${videoId}`,
          headers: { 'upload-token': `token-${++tokens}` },
          chunkSize: 8 * MiB,
        }
      : { kind: 's3' as const };
  const calls: string[] = [];
  const open = new Map(Object.entries(opts.open ?? {}));
  const video = {
    createUpload: {
      mutate: vi.fn(async (input: { size: number; contentType: string; fileName: string }) => {
        calls.push(`createUpload ${input.fileName} ${input.contentType}`);
        const videoId = `video-${++n}`;
        if (input.size >= 64 * MiB) {
          open.set(videoId, { kind: 'multipart', partSize: 16 * MiB });
          return {
            kind: 'multipart' as const,
            videoId,
            uploadId: 's3-upload',
            partSize: 16 * MiB,
            partCount: Math.ceil(input.size / (16 * MiB)),
            expiresAt: new Date(),
            transport: { kind: 's3' as const },
          };
        }
        open.set(videoId, { kind: 'single' });
        return {
          kind: 'single' as const,
          videoId,
          url: `https://storage.test/${videoId}?sig=1`,
          headers: { 'content-type': input.contentType },
          expiresAt: new Date(),
          urlExpiresAt: new Date(Date.now() + 900_000),
          transport: transport(videoId),
        };
      }),
    },
    signUpload: {
      mutate: vi.fn(async ({ videoId }: { videoId: string }) => {
        calls.push(`signUpload ${videoId}`);
        return {
          url: `https://storage.test/${videoId}?sig=2`,
          headers: { 'content-type': 'video/mp4' },
          expiresAt: new Date(),
          urlExpiresAt: new Date(Date.now() + 900_000),
          transport: transport(videoId),
        };
      }),
    },
    listUploadedParts: {
      query: vi.fn(async ({ videoId }: { videoId: string }) => {
        calls.push(`listUploadedParts ${videoId}`);
        const o = open.get(videoId);
        if (!o) throw new Error('This video is not waiting for an upload');
        return o.kind === 'multipart'
          ? {
              kind: 'multipart' as const,
              partSize: o.partSize!,
              partCount: 5,
              parts: [{ partNumber: 1, size: o.partSize!, etag: '"a"' }],
              uploadedBytes: o.partSize!,
            }
          : { kind: 'single' as const, parts: [], uploadedBytes: 0 };
      }),
    },
    abortUpload: {
      mutate: vi.fn(async ({ videoId }: { videoId: string }) => {
        calls.push(`abortUpload ${videoId}`);
        open.delete(videoId);
        return {};
      }),
    },
  };
  return { client: { video } as unknown as ArvliteClient, calls, video };
}

function file(name: string, size: number, type = 'video/mp4', lastModified = 1_700_000_000_000) {
  // A sparse Blob: only `size` matters to the steps under test.
  return new File([new Uint8Array(Math.min(size, 16))], name, { type, lastModified }) as File & { size: number };
}

function sized(f: File, size: number): File {
  Object.defineProperty(f, 'size', { value: size });
  return f;
}

function setup(api = fakeApi()) {
  const storage = window.localStorage;
  storage.clear();
  const uploader = createVideoUploader({ client: api.client, projectId: PROJECT, storage, autoProceed: false });
  const add = (f: File) => {
    uploader.addFiles([f]);
    return uploader.uppy.getFiles().find((x) => x.name === f.name)!.id;
  };
  return { uploader, add, api, storage };
}

describe('preparing an upload', () => {
  it('creates a single upload for a small file and keeps its presigned PUT for Uppy', async () => {
    const { uploader, add, api } = setup();
    const id = add(file('clip.mp4', 3 * MiB));
    await uploader.prepare(id);
    const meta = uploader.uppy.getFile(id).meta;
    expect(meta).toMatchObject({
      videoId: 'video-1',
      kind: 'single',
      url: 'https://storage.test/video-1?sig=1',
      headers: { 'content-type': 'video/mp4' },
    });
    expect(api.calls).toEqual(['createUpload clip.mp4 video/mp4']);
  });

  it('remembers a multipart upload per file, and a reload resumes it instead of starting again', async () => {
    const api = fakeApi();
    const first = setup(api);
    const big = sized(file('long.mkv', 0, ''), 100 * MiB);
    const id = first.add(big);
    await first.uploader.prepare(id);
    expect(first.uploader.uppy.getFile(id).meta).toMatchObject({ videoId: 'video-1', kind: 'multipart' });
    expect(api.calls).toEqual(['createUpload long.mkv video/x-matroska']);
    const saved = new ResumeStore(window.localStorage).get(PROJECT, fingerprint(big));
    expect(saved).toMatchObject({ videoId: 'video-1', kind: 'multipart', size: 100 * MiB });

    // "Reload": a new uploader over the same storage, and the same file dropped again.
    first.uploader.destroy();
    const second = createVideoUploader({
      client: api.client,
      projectId: PROJECT,
      storage: window.localStorage,
      autoProceed: false,
    });
    second.addFiles([big]);
    const again = second.uppy.getFiles()[0]!;
    await second.prepare(again.id);
    const resumed = second.uppy.getFile(again.id) as UploadFile & { s3Multipart?: { key: string; uploadId: string } };
    expect(resumed.meta).toMatchObject({ videoId: 'video-1', kind: 'multipart', resumed: true });
    expect(resumed.s3Multipart).toEqual({ key: 'video-1', uploadId: 'video-1' });
    expect(api.calls.slice(1)).toEqual(['listUploadedParts video-1']);
  });

  it('gives up a remembered single upload (it cannot resume part-way) and starts a new one', async () => {
    const api = fakeApi();
    const { uploader, add } = setup(api);
    const f = file('short.mov', 2 * MiB, 'video/quicktime');
    new ResumeStore(window.localStorage).set(fingerprint(f), {
      videoId: 'old',
      projectId: PROJECT,
      kind: 'single',
      fileName: f.name,
      size: f.size,
      createdAt: new Date().toISOString(),
    });
    api.video.abortUpload.mutate.mockClear();
    (api.video.listUploadedParts.query as ReturnType<typeof vi.fn>).mockResolvedValueOnce({
      kind: 'single',
      parts: [],
      uploadedBytes: 0,
    });
    const id = add(f);
    await uploader.prepare(id);
    expect(api.calls).toEqual(['signUpload old', 'abortUpload old', 'createUpload short.mov video/quicktime']);
    expect(uploader.uppy.getFile(id).meta.videoId).toBe('video-1');
  });

  it('sends a tus upload (local disk) with Uppy’s tus plugin, and a reload resumes it with a fresh token', async () => {
    const api = fakeApi({ tus: true });
    const first = setup(api);
    const f = file('local.mp4', 3 * MiB);
    const id = first.add(f);
    await first.uploader.prepare(id);
    expect(first.uploader.uppy.getPlugin('Tus')).toBeDefined();
    expect(first.uploader.uppy.getPlugin('AwsS3')).toBeUndefined();
    const prepared = first.uploader.uppy.getFile(id);
    expect(prepared.meta).toMatchObject({ videoId: 'video-1', kind: 'single' });
    expect(prepared.tus).toEqual({
      endpoint: 'http://arvlite.test/storage/tus',
      uploadUrl: 'http://arvlite.test/storage/tus/id-of-video-1',
      headers: { 'upload-token': 'token-1' },
      chunkSize: 8 * MiB,
    });

    // "Reload": the remembered single upload is not given up; it resumes where the server's offset says.
    first.uploader.destroy();
    const second = createVideoUploader({
      client: api.client,
      projectId: PROJECT,
      storage: window.localStorage,
      autoProceed: false,
    });
    second.addFiles([f]);
    const again = second.uppy.getFiles()[0]!;
    await second.prepare(again.id);
    const resumed = second.uppy.getFile(again.id);
    expect(resumed.meta).toMatchObject({ videoId: 'video-1', kind: 'single', resumed: true });
    expect(resumed.tus?.headers).toEqual({ 'upload-token': 'token-2' });
    expect(resumed.tus?.uploadUrl).toBe('http://arvlite.test/storage/tus/id-of-video-1');
    expect(api.calls).toEqual(['createUpload local.mp4 video/mp4', 'listUploadedParts video-1', 'signUpload video-1']);
  });

  it('picks its upload plugin from the store’s upload kind when it is created, before any batch starts', () => {
    const storage = window.localStorage;
    const make = (uploadKind?: 's3' | 'azure' | 'tus') =>
      createVideoUploader({ client: fakeApi().client, projectId: PROJECT, storage, autoProceed: false, uploadKind });
    for (const kind of [undefined, 's3', 'azure'] as const) {
      const u = make(kind);
      expect(u.uppy.getPlugin('AwsS3')).toBeDefined();
      expect(u.uppy.getPlugin('Tus')).toBeUndefined();
      u.destroy();
    }
    const tus = make('tus');
    expect(tus.uppy.getPlugin('Tus')).toBeDefined();
    expect(tus.uppy.getPlugin('AwsS3')).toBeUndefined();
    tus.destroy();
  });

  it('starts fresh when the remembered upload is no longer open (completed, aborted or expired)', async () => {
    const api = fakeApi();
    const { uploader, add } = setup(api);
    const f = file('done.mp4', 2 * MiB);
    new ResumeStore(window.localStorage).set(fingerprint(f), {
      videoId: 'finished',
      projectId: PROJECT,
      kind: 'multipart',
      fileName: f.name,
      size: f.size,
      createdAt: new Date().toISOString(),
    });
    const id = add(f);
    await uploader.prepare(id);
    expect(api.calls).toEqual(['listUploadedParts finished', 'createUpload done.mp4 video/mp4']);
  });

  it('refuses files that are not videos before asking the server', () => {
    const { uploader, api } = setup();
    uploader.addFiles([file('notes.txt', 10, 'text/plain')]);
    expect(uploader.uppy.getFiles()).toHaveLength(0);
    expect(api.calls).toEqual([]);
  });
});

describe('rows shown for uploads', () => {
  const base = {
    id: 'f1',
    name: 'a.mp4',
    size: 1000,
    meta: { name: 'a.mp4' },
    progress: { bytesTotal: 1000, bytesUploaded: 0, uploadStarted: null, uploadComplete: false, percentage: 0 },
  } as unknown as UploadFile;
  const withProgress = (p: Partial<UploadFile['progress']>, extra: Partial<UploadFile> = {}) =>
    ({ ...base, ...extra, progress: { ...base.progress, ...p } }) as UploadFile;

  it('moves through preparing, uploading, paused, completing, done and failed', () => {
    expect(toRow(base).phase).toBe('preparing');
    expect(toRow(withProgress({ uploadStarted: 1, bytesUploaded: 250 }))).toMatchObject({
      phase: 'uploading',
      percent: 25,
      bytesUploaded: 250,
    });
    expect(toRow(withProgress({ uploadStarted: 1 }, { isPaused: true })).phase).toBe('paused');
    expect(toRow(withProgress({ uploadStarted: 1, uploadComplete: true, bytesUploaded: 1000 })).phase).toBe(
      'completing',
    );
    expect(toRow({ ...base, meta: { ...base.meta, phase: 'done', videoId: 'v' } } as UploadFile)).toMatchObject({
      phase: 'done',
      percent: 100,
      videoId: 'v',
    });
    expect(toRow({ ...base, error: 'boom' } as UploadFile)).toMatchObject({
      phase: 'failed',
      retryable: true,
      error: 'boom',
    });
    expect(
      toRow({ ...base, error: 'not a video', meta: { ...base.meta, retryable: false } } as UploadFile).retryable,
    ).toBe(false);
  });

  it('derives the content type from the extension when the browser gives none', () => {
    expect(videoContentTypeOf({ name: 'x.MKV', type: '' })).toBe('video/x-matroska');
    expect(videoContentTypeOf({ name: 'x.mov', type: 'video/quicktime' })).toBe('video/quicktime');
    expect(videoContentTypeOf({ name: 'x.avi', type: 'video/x-msvideo' })).toBeNull();
  });

  it('explains storage errors in words', () => {
    expect(describeUploadError(Object.assign(new Error('Non 2xx'), { source: { status: 403 } }))).toMatch(
      /refused the upload \(HTTP 403\)/,
    );
    expect(describeUploadError(new Error('Unknown error'))).toMatch(/connection to storage failed/);
    expect(describeUploadError(new Error('The file is image/png (.png)'))).toBe('The file is image/png (.png)');
  });
});
