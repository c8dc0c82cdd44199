// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { viewerCatalogs } from '../i18n/viewer.ts';
import { arSupport, cameraFailure, hasWebGl, type ArFailure } from './capabilities.ts';

/** A window as far as arSupport looks at it. */
function fakeWindow(opts: { secure?: boolean; getUserMedia?: boolean; webgl?: boolean }): Window {
  const document = {
    createElement: () => ({ getContext: (kind: string) => (opts.webgl && kind === 'webgl' ? {} : null) }),
  };
  const mediaDevices = opts.getUserMedia ? { getUserMedia: () => Promise.reject(new Error('unused')) } : undefined;
  return { isSecureContext: opts.secure ?? true, navigator: { mediaDevices }, document } as unknown as Window;
}

describe('arSupport', () => {
  it('needs a secure context, the camera API and WebGL (1 is enough), checked in that order', () => {
    expect(arSupport(fakeWindow({ secure: false, getUserMedia: true, webgl: true }))).toEqual({
      ok: false,
      reason: 'insecure',
    });
    expect(arSupport(fakeWindow({ getUserMedia: false, webgl: true }))).toEqual({ ok: false, reason: 'no-camera-api' });
    expect(arSupport(fakeWindow({ getUserMedia: true, webgl: false }))).toEqual({ ok: false, reason: 'no-webgl' });
    expect(arSupport(fakeWindow({ getUserMedia: true, webgl: true }))).toEqual({ ok: true });
  });

  it('finds no WebGL where a canvas has none (happy-dom) or creating one throws', () => {
    expect(hasWebGl(document)).toBe(false);
    expect(
      hasWebGl({
        createElement: () => {
          throw new Error('no canvas');
        },
      } as unknown as Document),
    ).toBe(false);
  });
});

describe('cameraFailure', () => {
  it('turns getUserMedia’s errors into what a visitor can act on', () => {
    const cases: [string, ArFailure][] = [
      ['NotAllowedError', 'denied'],
      ['SecurityError', 'denied'],
      ['NotFoundError', 'no-camera'],
      ['OverconstrainedError', 'no-camera'],
      ['NotReadableError', 'busy'],
      ['AbortError', 'busy'],
      ['TypeError', 'failed'],
    ];
    for (const [name, failure] of cases) expect(cameraFailure(new DOMException('x', name)), name).toBe(failure);
    expect(cameraFailure({ name: 'NotAllowedError' })).toBe('denied');
    expect(cameraFailure('weird')).toBe('failed');
    expect(cameraFailure(undefined)).toBe('failed');
  });

  it('says, for every failure, that the video plays here instead', () => {
    for (const message of Object.values(viewerCatalogs.en.failure)) {
      expect(message).toContain('so the video plays here instead');
    }
    for (const message of Object.values(viewerCatalogs.ru.failure)) {
      expect(message).toContain('поэтому видео показывается здесь');
    }
  });
});
