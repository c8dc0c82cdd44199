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
