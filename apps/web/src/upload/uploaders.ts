// One uploader per project for the whole visit, so leaving a project's page does not stop its uploads.
import { api, queryClient } from '../api.ts';
import { createVideoUploader, type VideoUploader, type VideoUploaderOptions } from './video-uploader.ts';

const uploaders = new Map<string, VideoUploader>();

/** `uploadKind` is the store's (`auth.me`): it picks Uppy's upload plugin when the project's uploader is created. */
export function uploaderFor(projectId: string, uploadKind: VideoUploaderOptions['uploadKind']): VideoUploader {
  let u = uploaders.get(projectId);
  if (!u) {
    u = createVideoUploader({
      client: api,
      projectId,
      uploadKind,
      storage: window.localStorage,
      onVideoChange: (videoId) => {
        void queryClient.invalidateQueries({ queryKey: ['videos', projectId] });
        void queryClient.invalidateQueries({ queryKey: ['video', videoId] });
      },
    });
    uploaders.set(projectId, u);
  }
  return u;
}

export function anyUploadBusy(): boolean {
  return [...uploaders.values()].some((u) => u.busy);
}

export function disposeUploaders(): void {
  for (const u of uploaders.values()) u.destroy();
  uploaders.clear();
}

window.addEventListener('beforeunload', (e) => {
  // Uploads resume after a reload, but only once the same file is dropped again: say so before leaving.
  if (anyUploadBusy()) e.preventDefault();
});
