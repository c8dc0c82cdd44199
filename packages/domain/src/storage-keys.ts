// Every storage key the platform writes, in one place. Keys carry the tenant: a video's objects live under its prefix
// (the original beside an out/ folder of outputs), an AR content item's under its own, one folder per marker upload.

export interface VideoKeyIds {
  companyId: string;
  projectId: string;
  videoId: string;
}

export interface ArContentKeyIds {
  companyId: string;
  projectId: string;
  arContentId: string;
}

/** The key ids of a loaded video or AR content row (anything with its company and project). */
interface Owned {
  id: string;
  company: { id: string };
  project: { id: string };
}

export function videoKeyIds(video: Owned): VideoKeyIds {
  return { companyId: video.company.id, projectId: video.project.id, videoId: video.id };
}

export function arContentKeyIds(content: Owned): ArContentKeyIds {
  return { companyId: content.company.id, projectId: content.project.id, arContentId: content.id };
}

export function videoPrefix(ids: VideoKeyIds): string {
  return `${ids.companyId}/${ids.projectId}/videos/${ids.videoId}/`;
}

export function originalKey(ids: VideoKeyIds): string {
  return `${videoPrefix(ids)}original`;
}

/**
 * Where a client uploads a video's original: one key per upload attempt, which nothing but the completion reads (it
 * copies the verified object to originalKey, then deletes this one). A URL outliving its upload writes only here.
 */
export function videoUploadKey(ids: VideoKeyIds, attemptId: string): string {
  return `${videoPrefix(ids)}uploads/${attemptId}`;
}

/** Where processing writes; reprocessing removes it whole. File names in Video.outputs are relative to it. */
export function videoOutputPrefix(ids: VideoKeyIds): string {
  return `${videoPrefix(ids)}out/`;
}

export function videoOutputKey(ids: VideoKeyIds, file: string): string {
  return `${videoOutputPrefix(ids)}${file}`;
}

export function arContentPrefix(ids: ArContentKeyIds): string {
  return `${ids.companyId}/${ids.projectId}/ar/${ids.arContentId}/`;
}

/** Where a client uploads a marker image, one key per attempt; the completion copies it into the revision. */
export function markerUploadKey(ids: ArContentKeyIds, attemptId: string): string {
  return `${arContentPrefix(ids)}uploads/${attemptId}`;
}

/** A revision's upload and outputs; a new upload gets a new revision, so published URLs never change under a viewer. */
export function markerRevisionPrefix(ids: ArContentKeyIds, revision: number): string {
  return `${arContentPrefix(ids)}marker/${revision}/`;
}

export const MARKER_FILES = {
  original: 'original',
  image: 'marker.jpg',
  webp: 'marker.webp',
  thumbnail: 'thumbnail.jpg',
  mind: 'target.mind',
} as const;

export function markerKey(ids: ArContentKeyIds, revision: number, file: keyof typeof MARKER_FILES): string {
  return `${markerRevisionPrefix(ids, revision)}${MARKER_FILES[file]}`;
}
