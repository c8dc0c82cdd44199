// Gives a <video> the manifest's video: HLS through hls.js where Media Source Extensions exist, else native HLS, else
// the MP4. hls.js is loaded only when needed.
import type { PlayableManifest } from './api.ts';

export interface AttachOptions {
  /**
   * The frames go into a WebGL texture: a cross-origin source must then be fetched with CORS (storage allows the app's
   * origin), and the progressive MP4 is preferred over native HLS, which iOS does not reliably hand to WebGL.
   */
  forTexture?: boolean;
  /** Why the video cannot play: `viewer:videoError.<kind>` in the catalogs. */
  onError?: (kind: 'unsupported' | 'load') => void;
  /**
   * A source is on the element (and again after a fallback to the MP4). Giving an element its source runs the media
   * load algorithm, which rejects a pending play() with AbortError, so a play() meant to start the video belongs here,
   * not before: hls.js arrives by a dynamic import.
   */
  onAttached?: () => void;
}

/** Starts loading `source` into `el`; returns the function that detaches it. */
export function attachVideo(
  el: HTMLVideoElement,
  source: PlayableManifest['video'],
  opts: AttachOptions = {},
): () => void {
  let cancelled = false;
  let destroy: (() => void) | undefined;
  if (opts.forTexture) el.crossOrigin = 'anonymous';
  const nativeHls = el.canPlayType('application/vnd.apple.mpegurl') !== '';
  const plain = () => {
    if (opts.forTexture && source.mp4Url) el.src = source.mp4Url;
    else if (nativeHls) el.src = source.hlsUrl;
    else if (source.mp4Url) el.src = source.mp4Url;
    else return opts.onError?.('unsupported');
    opts.onAttached?.();
  };
  void import('hls.js').then(
    ({ default: Hls }) => {
      if (cancelled) return;
      if (!Hls.isSupported()) return plain();
      const hls = new Hls({ enableWorker: true, capLevelToPlayerSize: !opts.forTexture });
      hls.on(Hls.Events.ERROR, (_e, data) => {
        if (!data.fatal) return;
        hls.destroy();
        destroy = undefined;
        if (!source.mp4Url) return opts.onError?.('load');
        el.src = source.mp4Url;
        opts.onAttached?.();
      });
      hls.on(Hls.Events.MEDIA_ATTACHED, () => opts.onAttached?.());
      hls.loadSource(source.hlsUrl);
      hls.attachMedia(el);
      destroy = () => hls.destroy();
    },
    () => !cancelled && plain(),
  );
  return () => {
    cancelled = true;
    destroy?.();
    el.removeAttribute('src');
    el.load();
  };
}

/** Loads one MP4 into `el` for a WebGL texture (CORS); returns the function that detaches it. */
export function attachMp4(el: HTMLVideoElement, mp4Url: string): () => void {
  el.crossOrigin = 'anonymous';
  el.src = mp4Url;
  return () => {
    el.removeAttribute('src');
    el.load();
  };
}

/**
 * Plays `el` as the manifest asks, muted where the browser allows nothing else: returns whether sound is on. A video
 * that may not start by itself with sound starts muted, and the caller offers a button for sound.
 */
export async function autoplay(
  el: HTMLVideoElement,
  playback: PlayableManifest['playback'],
): Promise<'playing-with-sound' | 'playing-muted' | 'blocked'> {
  el.muted = playback.muted;
  try {
    await el.play();
    return el.muted ? 'playing-muted' : 'playing-with-sound';
  } catch (err) {
    if ((err as Error).name !== 'NotAllowedError' || el.muted) return 'blocked';
  }
  el.muted = true;
  try {
    await el.play();
    return 'playing-muted';
  } catch {
    return 'blocked';
  }
}
