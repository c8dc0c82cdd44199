// Web: no file system to keep media in; the viewer streams and the browser's HTTP cache does what it can.
import type { MediaFiles } from '../viewer/manifest-cache.ts';

export const mediaFiles: MediaFiles = {
  save: async () => null,
  exists: async () => false,
  remove: async () => undefined,
};
