// Loads what a scan needs (manifest, marker image, MP4) and keeps it, so a second scan of the same photo works
// without network. A cached entry is used offline only while the server's choice of video still holds
// (`selection.validUntil`); media files are reused online only for the same manifest version and the same objects.
import type { Language } from '@arvlite/contract';
import { isTransientError } from '../lib/api-errors.ts';
import { readJson, serialized, writeJson, type KeyValueStore } from '../lib/key-value-store.ts';
import {
  parseManifest,
  parseManifestAnswer,
  reasonFromError,
  urlIdentity,
  type UnavailableReason,
  type ViewerManifest,
} from './manifest.ts';

/** Keeps downloaded files; on the web (no file system) `save` answers null and the app streams instead. */
export interface MediaFiles {
  /** Downloads `url` into the app's own storage under `name`; the local URI, or null when files cannot be kept. */
  save(name: string, url: string): Promise<string | null>;
  exists(uri: string): Promise<boolean>;
  remove(uri: string): Promise<void>;
}

interface CachedMedia {
  /** Object identity (URL without its signature), to tell a changed object from a re-signed one. */
  identity: string;
  uri: string;
}

export interface CacheEntry {
  publicId: string;
  manifest: ViewerManifest;
  fetchedAt: number;
  marker: CachedMedia | null;
  video: CachedMedia | null;
}

export type ViewerLoad =
  | {
      kind: 'ready';
      manifest: ViewerManifest;
      /** Local file when cached, else the signed URL from the manifest. */
      markerUri: string | null;
      videoUri: string;
      from: 'network' | 'cache';
    }
  | { kind: 'unavailable'; reason: UnavailableReason; language?: Language }
  /** No answer from the server and nothing usable in the cache (or only an entry whose selection has expired). */
  | { kind: 'offline'; stale: boolean; language?: Language };

export interface ManifestCacheOptions {
  store: KeyValueStore;
  files: MediaFiles;
  fetchManifest: (publicId: string) => Promise<unknown>;
  now?: () => number;
}

const KEY = (publicId: string) => `viewer.manifest.${publicId}`;

function isEntry(v: unknown): v is CacheEntry {
  const e = v as CacheEntry | null;
  return typeof e === 'object' && e !== null && typeof e.publicId === 'string' && parseManifest(e.manifest) !== null;
}

export class ManifestCache {
  readonly #opts: Required<ManifestCacheOptions>;
  readonly #exclusive = serialized();

  constructor(opts: ManifestCacheOptions) {
    this.#opts = { now: () => Date.now(), ...opts };
  }

  /** Whether a cached entry may be shown without asking the server. */
  isUsableOffline(entry: CacheEntry): boolean {
    const until = entry.manifest.selection.validUntil;
    return until === null || this.#opts.now() < until;
  }

  read(publicId: string): Promise<CacheEntry | null> {
    return readJson(this.#opts.store, KEY(publicId), isEntry);
  }

  load(publicId: string): Promise<ViewerLoad> {
    // One load per code at a time: two quick scans of the same photo must not download the video twice.
    return this.#exclusive(() => this.#load(publicId));
  }

  async #load(publicId: string): Promise<ViewerLoad> {
    let answer: unknown;
    try {
      answer = await this.#opts.fetchManifest(publicId);
    } catch (err) {
      const reason = reasonFromError(err);
      if (reason) return this.#unavailable(publicId, reason);
      if (!isTransientError(err)) throw err;
      return this.#fromCache(publicId);
    }
    const parsed = parseManifestAnswer(answer);
    if (parsed.kind === 'unavailable') return this.#unavailable(publicId, parsed.reason, parsed.language);
    return this.#fromNetwork(publicId, parsed.manifest);
  }

  async #unavailable(publicId: string, reason: UnavailableReason, language?: Language): Promise<ViewerLoad> {
    // The server says this code shows nothing now (expired, withdrawn): do not keep playing it offline.
    await this.forget(publicId);
    return language ? { kind: 'unavailable', reason, language } : { kind: 'unavailable', reason };
  }

  async #fromCache(publicId: string): Promise<ViewerLoad> {
    const entry = await this.read(publicId);
    if (!entry) return { kind: 'offline', stale: false };
    const language = entry.manifest.language ?? undefined;
    if (!this.isUsableOffline(entry))
      return language ? { kind: 'offline', stale: true, language } : { kind: 'offline', stale: true };
    const video = entry.video && (await this.#opts.files.exists(entry.video.uri)) ? entry.video.uri : null;
    if (!video) return { kind: 'offline', stale: false };
    const marker = entry.marker && (await this.#opts.files.exists(entry.marker.uri)) ? entry.marker.uri : null;
    return { kind: 'ready', manifest: entry.manifest, markerUri: marker, videoUri: video, from: 'cache' };
  }

  async #fromNetwork(publicId: string, manifest: ViewerManifest): Promise<ViewerLoad> {
    const previous = await this.read(publicId);
    const sameVersion = previous?.manifest.version === manifest.version;
    const mp4 = manifest.video.mp4Url;
    const marker = await this.#keep(
      publicId,
      manifest,
      'marker',
      manifest.marker.imageUrl,
      sameVersion ? previous.marker : null,
    );
    const video = await this.#keep(publicId, manifest, 'video', mp4, sameVersion ? previous.video : null);

    // Files of an older version are dropped once the new ones are in place.
    for (const old of [previous?.marker, previous?.video]) {
      if (old && old.uri !== marker?.uri && old.uri !== video?.uri)
        await this.#opts.files.remove(old.uri).catch(() => undefined);
    }
    const entry: CacheEntry = { publicId, manifest, fetchedAt: this.#opts.now(), marker, video };
    await writeJson(this.#opts.store, KEY(publicId), entry);
    return {
      kind: 'ready',
      manifest,
      markerUri: marker?.uri ?? manifest.marker.imageUrl,
      videoUri: video?.uri ?? mp4 ?? manifest.video.hlsUrl!,
      from: 'network',
    };
  }

  /** Reuses the cached file when it is the same object, else downloads it; a failed download just streams. */
  async #keep(
    publicId: string,
    manifest: ViewerManifest,
    kind: 'marker' | 'video',
    url: string | null,
    cached: CachedMedia | null,
  ): Promise<CachedMedia | null> {
    if (!url) return null;
    const identity = urlIdentity(url);
    if (cached && cached.identity === identity && (await this.#opts.files.exists(cached.uri))) return cached;
    const ext = kind === 'video' ? 'mp4' : (/\.(jpe?g|png|webp)$/i.exec(identity)?.[1]?.toLowerCase() ?? 'jpg');
    try {
      const uri = await this.#opts.files.save(`${publicId}-${safe(manifest.version)}-${kind}.${ext}`, url);
      return uri ? { identity, uri } : null;
    } catch {
      return null;
    }
  }

  async forget(publicId: string): Promise<void> {
    const entry = await this.read(publicId);
    for (const m of [entry?.marker, entry?.video]) if (m) await this.#opts.files.remove(m.uri).catch(() => undefined);
    await this.#opts.store.delete(KEY(publicId));
  }
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
