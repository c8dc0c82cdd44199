// What the camera view needs, fetched as soon as the manifest names it, in parallel with the camera prompt: the tracking
// data (.mind) and the poster placed on the photo before the video has a frame. The engine chunk is fetched earlier,
// from page open, in parallel with the manifest (prefetchEngineForCamera). Each is fetched once per page; the camera
// view takes the one already under way.
//
// The tracking data is also kept in Cache Storage under its per-revision path (the URL without its signature): a
// marker revision's `target.mind` is written once and never changes, and a new upload is a new revision with a new
// path (packages/domain storage-keys.ts). So a later visit reads it from there and downloads nothing, whatever the
// signature of the URL the manifest gives it this time. The signed URLs themselves stay short-lived. A kept copy carries
// the SHA-256 of its bytes, checked on every read: a damaged or truncated copy is dropped and downloaded again, instead
// of failing every visit of that revision until the browser evicts it.

/** Tracking data by path; kept small (one item's page asks for one or two). */
const targets = new Map<string, Promise<ArrayBuffer>>();
const MAX_TARGETS = 4;

/** The Cache Storage cache of tracking data; bump the suffix if what is stored there ever changes shape. */
export const TARGET_CACHE = 'arv-targets-v1';
/** How many markers' tracking data a browser keeps (about 0.7 MB each); the oldest stored goes first. */
export const MAX_CACHED_TARGETS = 8;

/**
 * Where a `.mind` is kept: its URL without query or fragment (the signature changes with every manifest, the path is
 * the revision's). Null for anything but an http(s) URL of a `.mind` file, which is then fetched and not kept.
 */
export function targetCacheKey(mindUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(mindUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (!url.pathname.endsWith('.mind')) return null;
  return `${url.origin}${url.pathname}`;
}

/** The browser's Cache Storage, where it has one (secure contexts only; some private modes refuse it). */
function browserCaches(): CacheStorage | undefined {
  return typeof caches === 'undefined' ? undefined : caches;
}

/** The header of a kept copy holding the SHA-256 of its bytes (base64url). */
export const TARGET_DIGEST_HEADER = 'x-arv-sha256';

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function cachedTarget(store: CacheStorage, key: string): Promise<ArrayBuffer | null> {
  try {
    const cache = await store.open(TARGET_CACHE);
    const hit = await cache.match(key);
    if (!hit) return null;
    const expected = hit.headers.get(TARGET_DIGEST_HEADER);
    const bytes = await hit.arrayBuffer();
    if (expected && expected === (await sha256(bytes))) return bytes;
    await cache.delete(key); // damaged, or kept before copies carried their digest: downloaded again
    return null;
  } catch {
    return null; // an unreadable cache is a miss
  }
}

/** Keeps the bytes (copied now: the caller may hand its buffer on), then drops the oldest beyond the limit. */
function keepTarget(store: CacheStorage, key: string, bytes: ArrayBuffer): void {
  const copy = bytes.slice(0);
  void (async () => {
    const headers = { 'content-type': 'application/octet-stream', [TARGET_DIGEST_HEADER]: await sha256(copy) };
    const cache = await store.open(TARGET_CACHE);
    await cache.put(key, new Response(copy, { headers }));
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_CACHED_TARGETS))) await cache.delete(old);
  })().catch(() => undefined); // over quota, or storage refused: this visit has its bytes anyway
}

export class TargetFetchError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/**
 * Starts getting the tracking data (once per revision path): from Cache Storage when a visit kept it, else fetched and
 * kept. Rejects with TargetFetchError.
 */
export function preloadTarget(
  mindUrl: string,
  fetchImpl: typeof fetch = fetch,
  store: CacheStorage | undefined = browserCaches(),
): Promise<ArrayBuffer> {
  const key = targetCacheKey(mindUrl);
  const id = key ?? mindUrl;
  let p = targets.get(id);
  if (p) return p;
  const download = () =>
    fetchImpl(mindUrl).then(
      async (res) => {
        if (!res.ok) throw new TargetFetchError(`the tracking data answered ${res.status}`, res.status);
        const bytes = await res.arrayBuffer();
        if (store && key) keepTarget(store, key, bytes);
        return bytes;
      },
      (err: unknown) => {
        throw new TargetFetchError('the tracking data could not be fetched', undefined, { cause: err });
      },
    );
  p = store && key ? cachedTarget(store, key).then((hit) => hit ?? download()) : download();
  // A failed fetch is not kept: asking again (a new camera view) tries again.
  p.catch(() => targets.delete(id));
  targets.set(id, p);
  while (targets.size > MAX_TARGETS) targets.delete(targets.keys().next().value!);
  return p;
}

/** Loads and runs the engine chunk (three.js and MindAR); the module loader keeps the one download. */
export const preloadEngine = () => import('./ar-engine.ts');

/** The `<meta name>` in viewer.html whose content is the engine chunk's path (added by the build: vite.config.ts). */
export const ENGINE_META = 'arv-engine';
/** What the meta may name: a script of the build's own assets on this origin, nothing else. */
const ENGINE_PATH = /^\/assets\/[\w.-]{1,120}\.js$/;

/**
 * Starts downloading the engine chunk without running it: a `<link rel="modulepreload">` for the chunk viewer.html
 * names, added once. The import() that runs it (preloadEngine) later takes that download from the module map instead
 * of starting its own. Returns whether a download was started (not in the dev server, whose page names no chunk).
 */
export function prefetchEngine(doc: Document = document): boolean {
  const href = doc.querySelector<HTMLMetaElement>(`meta[name="${ENGINE_META}"]`)?.content ?? '';
  if (!ENGINE_PATH.test(href)) return false;
  if (doc.querySelector(`link[rel="modulepreload"][href="${href}"]`)) return false;
  const link = doc.createElement('link');
  link.rel = 'modulepreload';
  // As the build's own module links and scripts (crossorigin): the same request mode, so import() reuses the download.
  link.crossOrigin = 'anonymous';
  link.href = href;
  doc.head.append(link);
  return true;
}

/**
 * At page open, before the manifest has arrived: starts the engine chunk's download (1.6 MB, most of the viewer's
 * bytes) when this browser can ask for a camera and a camera will likely be granted, so that it loads in parallel with
 * the manifest instead of after it. Nothing of it runs until the camera view imports it. A browser without a camera
 * does not download it; the price is the wait for cameraLikely's answer (on cold visits in Chromium, with the CPU
 * throttled 4×, the download started 0.2 s after the manifest was asked for, or just as it arrived).
 */
export async function prefetchEngineForCamera(win: Window = window): Promise<boolean> {
  if (!win.isSecureContext || typeof win.navigator.mediaDevices?.getUserMedia !== 'function') return false;
  if (!(await cameraLikely(win.navigator))) return false;
  return prefetchEngine(win.document);
}

/**
 * Whether the camera will likely be granted, asked before the prompt is answered: a camera is listed (browsers list one
 * per kind, unnamed, before permission) and the permission is not already denied. The engine is most of the viewer's
 * bytes: a browser without a camera, or one that already said no, does not download it.
 */
export async function cameraLikely(nav: Pick<Navigator, 'mediaDevices' | 'permissions'> = navigator): Promise<boolean> {
  try {
    const devices = await nav.mediaDevices.enumerateDevices();
    if (!devices.some((d) => d.kind === 'videoinput')) return false;
    const state = await nav.permissions?.query({ name: 'camera' as PermissionName }).then(
      (s) => s.state,
      () => 'prompt',
    );
    return state !== 'denied';
  } catch {
    return false;
  }
}

/** The granted camera's frame size, from its track's settings at the grant (ar-view.tsx); null before and after. */
let granted: { width: number; height: number } | null = null;
const MAX_CAMERA_SIDE = 8192;

/**
 * Notes the granted camera's size (null: the camera view ended), so that a tracker the warm-up builds after the grant
 * is built for it (ar-engine.ts warmUpTracker) instead of the assumed 640×480: a phone held upright gives 480×640.
 */
export function noteGrantedCamera(stream: Pick<MediaStream, 'getVideoTracks'> | null): void {
  const settings = stream?.getVideoTracks()[0]?.getSettings();
  const side = (n: unknown): n is number =>
    Number.isInteger(n) && (n as number) > 0 && (n as number) <= MAX_CAMERA_SIDE;
  granted =
    settings && side(settings.width) && side(settings.height)
      ? { width: settings.width, height: settings.height }
      : null;
}

export const grantedCamera = (): { width: number; height: number } | null => granted;

/** Starts fetching the poster with CORS (it becomes a WebGL texture), so the texture is made from the cached bytes. */
export function preloadPoster(url: string | null | undefined): void {
  if (!url) return;
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.decoding = 'async';
  img.src = url;
}
