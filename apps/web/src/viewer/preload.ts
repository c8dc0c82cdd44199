// What the camera view needs, fetched as soon as the manifest names it, in parallel with the camera prompt: the tracking
// data (.mind), the poster placed on the photo before the video has a frame, and the engine chunk. Each is fetched
// once per page; the camera view takes the one already under way.

/** Tracking data by URL; kept small (one item's page asks for one or two). */
const targets = new Map<string, Promise<ArrayBuffer>>();
const MAX_TARGETS = 4;

export class TargetFetchError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** Starts fetching the tracking data (once per URL); rejects with TargetFetchError. */
export function preloadTarget(mindUrl: string, fetchImpl: typeof fetch = fetch): Promise<ArrayBuffer> {
  let p = targets.get(mindUrl);
  if (p) return p;
  p = fetchImpl(mindUrl).then(
    (res) => {
      if (!res.ok) throw new TargetFetchError(`the tracking data answered ${res.status}`, res.status);
      return res.arrayBuffer();
    },
    (err: unknown) => {
      throw new TargetFetchError('the tracking data could not be fetched', undefined, { cause: err });
    },
  );
  // A failed fetch is not kept: asking again (a new camera view) tries again.
  p.catch(() => targets.delete(mindUrl));
  targets.set(mindUrl, p);
  while (targets.size > MAX_TARGETS) targets.delete(targets.keys().next().value!);
  return p;
}

/** Starts downloading the engine chunk (three.js and MindAR); the module loader keeps the one download. */
export const preloadEngine = () => import('./ar-engine.ts');

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

/** Starts fetching the poster with CORS (it becomes a WebGL texture), so the texture is made from the cached bytes. */
export function preloadPoster(url: string | null | undefined): void {
  if (!url) return;
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.decoding = 'async';
  img.src = url;
}
