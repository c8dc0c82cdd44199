// Whether this browser can try the camera view at all, and what to tell a visitor when the camera view fails.

export type ArFailure =
  'insecure' | 'no-camera-api' | 'no-webgl' | 'denied' | 'no-camera' | 'busy' | 'target' | 'failed';

/** Checks that need no permission: run before asking for the camera, so a browser that cannot do AR is not asked. */
export function arSupport(win: Window = window): { ok: true } | { ok: false; reason: ArFailure } {
  // Browsers hide navigator.mediaDevices on plain http (other than localhost).
  if (!win.isSecureContext) return { ok: false, reason: 'insecure' };
  if (typeof win.navigator.mediaDevices?.getUserMedia !== 'function') return { ok: false, reason: 'no-camera-api' };
  if (!hasWebGl(win.document)) return { ok: false, reason: 'no-webgl' };
  return { ok: true };
}

/** MindAR's tracker runs on TensorFlow.js' WebGL backend; without WebGL it cannot run at all. */
export function hasWebGl(doc: Document): boolean {
  try {
    const canvas = doc.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    return !!gl;
  } catch {
    return false;
  }
}

/** getUserMedia's DOMException names, as the failures a visitor can understand. */
export function cameraFailure(err: unknown): ArFailure {
  const name =
    err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err)
      ? String((err as { name: unknown }).name)
      : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no-camera';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

export const FAILURE_MESSAGES: Record<ArFailure, string> = {
  insecure: 'The camera is only available over a secure (https) connection, so the video plays here instead.',
  'no-camera-api': 'This browser cannot use the camera, so the video plays here instead.',
  'no-webgl': 'This browser cannot show 3D graphics (WebGL), so the video plays here instead.',
  denied:
    'Camera access was not allowed, so the video plays here instead. To use the camera, allow it in your browser settings and reload.',
  'no-camera': 'No camera was found, so the video plays here instead.',
  busy: 'The camera is in use by another app, so the video plays here instead.',
  target: 'The photo’s tracking data could not be loaded, so the video plays here instead.',
  failed: 'The camera view could not start, so the video plays here instead.',
};
