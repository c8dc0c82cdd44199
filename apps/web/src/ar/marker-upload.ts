// A marker image from the browser to storage: ask for a presigned PUT, send the file straight to storage with
// progress, then ask the server to check it and queue the compile.
import { MARKER_MAX_BYTES, markerContentTypeOf, type ArvliteClient } from '@arvlite/client';
import { t } from '../i18n/dashboard.ts';

export class MarkerUploadError extends Error {}

/** Why a file cannot be a marker, by the contract's types and limit, before anything is sent; null when it may. */
export function checkMarkerFile(file: { name: string; type: string; size: number }): string | null {
  if (!markerContentTypeOf(file)) return t('marker.errors.type');
  if (file.size === 0) return t('marker.errors.empty');
  if (file.size > MARKER_MAX_BYTES) return t('marker.errors.tooLarge', { mib: MARKER_MAX_BYTES / 1024 / 1024 });
  return null;
}

export async function uploadMarker(
  client: ArvliteClient,
  id: string,
  file: File,
  onProgress: (percent: number) => void,
  signal?: AbortSignal,
) {
  const problem = checkMarkerFile(file);
  if (problem) throw new MarkerUploadError(problem);
  const target = await client.arContent.createMarkerUpload.mutate({
    id,
    contentType: markerContentTypeOf(file)!,
    size: file.size,
  });
  await putFile(target.url, file, target.headers, onProgress, signal);
  return client.arContent.completeMarkerUpload.mutate({ id });
}

/** XMLHttpRequest rather than fetch: only it reports upload progress. Also sends the CSV import's photos. */
export function putFile(
  url: string,
  file: File,
  headers: Record<string, string>,
  onProgress: (percent: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? (onProgress(100), resolve())
        : reject(new MarkerUploadError(t('marker.errors.refused', { status: xhr.status })));
    xhr.onerror = () => reject(new MarkerUploadError(t('marker.errors.network')));
    xhr.onabort = () => reject(new MarkerUploadError(t('marker.errors.cancelled')));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
