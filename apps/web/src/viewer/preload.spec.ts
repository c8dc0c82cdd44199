import { describe, expect, it } from 'vitest';
import { cameraLikely, preloadTarget, TargetFetchError } from './preload.ts';

describe('preloadTarget', () => {
  it('fetches each URL once, and forgets a failure so the next camera view tries again', async () => {
    let calls = 0;
    let fail = true;
    const fetchImpl = (async () => {
      calls++;
      if (fail) return new Response('no', { status: 403 });
      return new Response(new Uint8Array([1, 2, 3]));
    }) as unknown as typeof fetch;
    const url = 'https://storage.example/a.mind?1';
    await expect(preloadTarget(url, fetchImpl)).rejects.toMatchObject({ status: 403 });
    await expect(preloadTarget(url, fetchImpl)).rejects.toBeInstanceOf(TargetFetchError);
    expect(calls).toBe(2);
    fail = false;
    const [a, b] = await Promise.all([preloadTarget(url, fetchImpl), preloadTarget(url, fetchImpl)]);
    expect(new Uint8Array(a)).toEqual(new Uint8Array([1, 2, 3]));
    expect(b).toBe(a);
    expect(calls).toBe(3);
  });

  it('turns a network error into a TargetFetchError', async () => {
    const fetchImpl = (() => Promise.reject(new TypeError('offline'))) as unknown as typeof fetch;
    await expect(preloadTarget('https://storage.example/b.mind', fetchImpl)).rejects.toMatchObject({
      message: 'the tracking data could not be fetched',
    });
  });
});

describe('cameraLikely', () => {
  const nav = (kinds: MediaDeviceKind[], state?: PermissionState | 'throws') =>
    ({
      mediaDevices: { enumerateDevices: async () => kinds.map((kind) => ({ kind })) },
      permissions:
        state === undefined
          ? undefined
          : {
              query: async () => {
                if (state === 'throws') throw new TypeError('camera is not a permission name here');
                return { state };
              },
            },
    }) as unknown as Navigator;

  it('is true with a camera listed and the permission not refused', async () => {
    expect(await cameraLikely(nav(['audioinput', 'videoinput'], 'prompt'))).toBe(true);
    expect(await cameraLikely(nav(['videoinput'], 'granted'))).toBe(true);
    expect(await cameraLikely(nav(['videoinput'], 'throws'))).toBe(true);
    expect(await cameraLikely(nav(['videoinput']))).toBe(true);
  });

  it('is false without a camera, or with the camera already refused', async () => {
    expect(await cameraLikely(nav(['audioinput'], 'prompt'))).toBe(false);
    expect(await cameraLikely(nav(['videoinput'], 'denied'))).toBe(false);
    expect(
      await cameraLikely({
        mediaDevices: { enumerateDevices: () => Promise.reject(new Error('no')) },
      } as unknown as Navigator),
    ).toBe(false);
  });
});
