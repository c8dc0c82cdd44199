// Storage keys of AR content: everything lives under {companyId}/{projectId}/ar/{arContentId}/, one folder per marker upload.
export interface ArContentKeyIds {
  companyId: string;
  projectId: string;
  arContentId: string;
}

export function arContentPrefix(ids: ArContentKeyIds): string {
  return `${ids.companyId}/${ids.projectId}/ar/${ids.arContentId}/`;
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

/** Largest marker upload accepted. */
export const MARKER_MAX_BYTES = 20 * 1024 * 1024;

/** Accepted upload types, by content type. */
export const MARKER_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
