// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_META, grantedCamera, noteGrantedCamera, prefetchEngine, prefetchEngineForCamera } from './preload.ts';

const links = () => [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]')];

function nameEngine(content: string): void {
  const meta = document.createElement('meta');
  meta.name = ENGINE_META;
  meta.content = content;
  document.head.append(meta);
}

/** A window as far as prefetchEngineForCamera looks at it, over this test's document. */
function fakeWindow(opts: { secure?: boolean; cameras?: number; permission?: PermissionState }): Window {
  const navigator = {
    mediaDevices: {
      getUserMedia: () => Promise.reject(new Error('unused')),
      enumerateDevices: async () => Array.from({ length: opts.cameras ?? 1 }, () => ({ kind: 'videoinput' })),
    },
    permissions: { query: async () => ({ state: opts.permission ?? 'prompt' }) },
  };
  return { isSecureContext: opts.secure ?? true, navigator, document } as unknown as Window;
}

afterEach(() => {
  document.head.innerHTML = '';
});

describe('prefetchEngine', () => {
  it('adds one modulepreload link for the chunk the page names, with the build scripts’ CORS mode', () => {
    nameEngine('/assets/ar-engine-yAyk6Q_H.js');
    expect(prefetchEngine(document)).toBe(true);
    expect(prefetchEngine(document)).toBe(false);
    expect(links().map((l) => [l.getAttribute('href'), l.getAttribute('crossorigin')])).toEqual([
      ['/assets/ar-engine-yAyk6Q_H.js', 'anonymous'],
    ]);
  });

  it('starts nothing when the page names no chunk (the dev server) or names anything but a script of its assets', () => {
    expect(prefetchEngine(document)).toBe(false);
    for (const bad of [
      'https://cdn.example/assets/ar-engine.js',
      '//cdn.example/assets/ar-engine.js',
      '/assets/../admin.js',
      '/assets/ar-engine.css',
      'javascript:alert(1)',
      `/assets/${'a'.repeat(200)}.js`,
    ]) {
      document.head.innerHTML = '';
      nameEngine(bad);
      expect(prefetchEngine(document), bad).toBe(false);
    }
    expect(links()).toEqual([]);
  });
});

describe('prefetchEngineForCamera', () => {
  it('downloads the engine from page open only where a camera will likely be granted', async () => {
    nameEngine('/assets/ar-engine-abc.js');
    expect(await prefetchEngineForCamera(fakeWindow({ secure: false }))).toBe(false);
    expect(await prefetchEngineForCamera(fakeWindow({ cameras: 0 }))).toBe(false);
    expect(await prefetchEngineForCamera(fakeWindow({ permission: 'denied' }))).toBe(false);
    expect(links()).toEqual([]);
    expect(await prefetchEngineForCamera(fakeWindow({ permission: 'prompt' }))).toBe(true);
    expect(links()).toHaveLength(1);
  });
});

describe('noteGrantedCamera', () => {
  const stream = (settings: MediaTrackSettings) =>
    ({ getVideoTracks: () => [{ getSettings: () => settings }] }) as unknown as MediaStream;

  it('keeps the granted camera’s size while the view lasts, and only a plausible one', () => {
    noteGrantedCamera(stream({ width: 480, height: 640 }));
    expect(grantedCamera()).toEqual({ width: 480, height: 640 });
    noteGrantedCamera(null);
    expect(grantedCamera()).toBeNull();
    for (const bad of [{}, { width: 0, height: 480 }, { width: 640.5, height: 480 }, { width: 100_000, height: 480 }]) {
      noteGrantedCamera(stream(bad));
      expect(grantedCamera(), JSON.stringify(bad)).toBeNull();
    }
    noteGrantedCamera({ getVideoTracks: () => [] });
    expect(grantedCamera()).toBeNull();
  });
});
