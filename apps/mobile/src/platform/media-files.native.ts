// Device: cached markers and videos live in the app's document directory (the OS may purge the cache directory,
// which would break the "second scan works offline" promise). Downloads land under a temporary name first, so a
// file that exists is always complete.
import { Directory, File, Paths } from 'expo-file-system';
import type { MediaFiles } from '../viewer/manifest-cache.ts';

const dir = () => {
  const d = new Directory(Paths.document, 'viewer-cache');
  if (!d.exists) d.create({ intermediates: true, idempotent: true });
  return d;
};

export const mediaFiles: MediaFiles = {
  async save(name, url) {
    const target = new File(dir(), name);
    const partial = new File(dir(), `${name}.part`);
    if (partial.exists) partial.delete();
    await File.downloadFileAsync(url, partial, { idempotent: true });
    if (target.exists) target.delete();
    partial.move(target);
    return target.uri;
  },
  exists: async (uri) => new File(uri).exists,
  async remove(uri) {
    const f = new File(uri);
    if (f.exists) f.delete();
  },
};
