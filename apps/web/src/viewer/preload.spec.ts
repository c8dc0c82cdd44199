import { describe, expect, it, vi } from 'vitest';
import {
  cameraLikely,
  MAX_CACHED_TARGETS,
  preloadTarget,
  TARGET_CACHE,
  TARGET_DIGEST_HEADER,
  targetCacheKey,
  TargetFetchError,
} from './preload.ts';

/** Cache Storage in memory, as much of it as preload.ts uses (keys in insertion order, as the spec says). */
function memoryCaches() {
  const caches = new Map<string, Map<string, Response>>();
  const open = async (name: string) => {
    let entries = caches.get(name);
    if (!entries) caches.set(name, (entries = new Map()));
    const e = entries;
    return {
      match: async (key: string) => e.get(key)?.clone(),
      put: async (key: string, res: Response) => {
        e.delete(key);
        e.set(key, res);
      },
      keys: async () => [...e.keys()].map((k) => new Request(k)),
      delete: async (req: Request | string) => e.delete(typeof req === 'string' ? req : req.url),
    };
  };
  return { store: { open } as unknown as CacheStorage, entries: (name: string) => caches.get(name) };
}

/** A fetch that counts its calls and answers the bytes of the URL's path. */
function countingFetch() {
  const calls: string[] = [];
  const fetchImpl = (async (url: string) => {
    calls.push(url);
    return new Response(new TextEncoder().encode(new URL(url).pathname));
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

const text = (b: ArrayBuffer) => new TextDecoder().decode(b);
/** Lets the background write to the cache finish (it hashes the bytes first). */
const settled = () => new Promise((r) => setTimeout(r, 0));
/** Waits for the background write of `key` to land. */
const keptAs = (entries: (name: string) => Map<string, Response> | undefined, key: string) =>
  vi.waitFor(() => expect(entries(TARGET_CACHE)?.has(key)).toBe(true));

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

describe('the tracking data in Cache Storage', () => {
  it('keys a .mind by its path: the signature is not part of it, the revision is', () => {
    const a = 'https://s3.example/bucket/pub/o1/marker/3/target.mind?X-Amz-Signature=aaa&X-Amz-Date=1';
    const b = 'https://s3.example/bucket/pub/o1/marker/3/target.mind?X-Amz-Signature=bbb&X-Amz-Date=2';
    expect(targetCacheKey(a)).toBe('https://s3.example/bucket/pub/o1/marker/3/target.mind');
    expect(targetCacheKey(b)).toBe(targetCacheKey(a));
    expect(targetCacheKey('https://s3.example/bucket/pub/o1/marker/4/target.mind?sig=x')).not.toBe(targetCacheKey(a));
    expect(targetCacheKey('https://s3.example/bucket/pub/o1/marker/3/marker.jpg?sig=x')).toBeNull();
    expect(targetCacheKey('data:application/octet-stream,x.mind')).toBeNull();
    expect(targetCacheKey('not a url')).toBeNull();
  });

  it('a later visit (re-signed URL) reads it from the cache and fetches nothing; a new revision is fetched', async () => {
    const { store, entries } = memoryCaches();
    const first = countingFetch();
    const url = (rev: number, sig: string) => `https://cache-test.example/b/pub/o/marker/${rev}/target.mind?sig=${sig}`;
    expect(text(await preloadTarget(url(1, 'one'), first.fetchImpl, store))).toBe('/b/pub/o/marker/1/target.mind');
    expect(first.calls).toHaveLength(1);
    await keptAs(entries, 'https://cache-test.example/b/pub/o/marker/1/target.mind');
    expect([...entries(TARGET_CACHE)!.keys()]).toEqual(['https://cache-test.example/b/pub/o/marker/1/target.mind']);

    // Another visit: a fresh page (a new module instance, so nothing in memory), with a newly signed URL.
    const second = countingFetch();
    vi.resetModules();
    const load = (await import('./preload.ts')).preloadTarget;
    expect(text(await load(url(1, 'two'), second.fetchImpl, store))).toBe('/b/pub/o/marker/1/target.mind');
    expect(second.calls).toEqual([]);

    // A new marker revision is a new path: fetched, and kept beside the first.
    expect(text(await load(url(2, 'three'), second.fetchImpl, store))).toBe('/b/pub/o/marker/2/target.mind');
    expect(second.calls).toEqual([url(2, 'three')]);
  });

  it('keeps a bounded number, dropping the oldest; a failed fetch stores nothing', async () => {
    const { store, entries } = memoryCaches();
    const { fetchImpl } = countingFetch();
    for (let i = 0; i < MAX_CACHED_TARGETS + 3; i++) {
      await preloadTarget(`https://bounded.example/m/${i}/target.mind?s=1`, fetchImpl, store);
      await keptAs(entries, `https://bounded.example/m/${i}/target.mind`);
      await settled(); // and the eviction after it
    }
    const kept = [...entries(TARGET_CACHE)!.keys()];
    expect(kept).toHaveLength(MAX_CACHED_TARGETS);
    expect(kept[0]).toBe('https://bounded.example/m/3/target.mind');

    const refused = (async () => new Response('no', { status: 403 })) as unknown as typeof fetch;
    await expect(preloadTarget('https://bounded.example/m/99/target.mind?s=1', refused, store)).rejects.toMatchObject({
      status: 403,
    });
    await settled();
    expect(entries(TARGET_CACHE)!.has('https://bounded.example/m/99/target.mind')).toBe(false);
  });

  it('checks a kept copy against its SHA-256: a damaged one (or one without its digest) is dropped and fetched anew', async () => {
    const { store, entries } = memoryCaches();
    const key = 'https://damaged.example/m/1/target.mind';
    const url = `${key}?sig=a`;
    const first = countingFetch();
    await preloadTarget(url, first.fetchImpl, store);
    await keptAs(entries, key);
    const good = entries(TARGET_CACHE)!.get(key)!;
    expect(good.headers.get(TARGET_DIGEST_HEADER)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const visit = async () => {
      vi.resetModules(); // a fresh page
      const fetched = countingFetch();
      const bytes = await (await import('./preload.ts')).preloadTarget(url, fetched.fetchImpl, store);
      return { bytes: text(bytes), fetched: fetched.calls.length };
    };
    // Intact: read from the cache.
    expect(await visit()).toEqual({ bytes: '/m/1/target.mind', fetched: 0 });
    // One byte changed (same length, digest kept): dropped, fetched, and kept again intact.
    const damaged = new TextEncoder().encode('/m/1/target.minD');
    entries(TARGET_CACHE)!.set(key, new Response(damaged, { headers: good.headers }));
    expect(await visit()).toEqual({ bytes: '/m/1/target.mind', fetched: 1 });
    await keptAs(entries, key);
    expect(await visit()).toEqual({ bytes: '/m/1/target.mind', fetched: 0 });
    // Truncated, and a copy kept without a digest: the same.
    entries(TARGET_CACHE)!.set(key, new Response(damaged.slice(0, 4), { headers: good.headers }));
    expect(await visit()).toEqual({ bytes: '/m/1/target.mind', fetched: 1 });
    await keptAs(entries, key);
    entries(TARGET_CACHE)!.set(key, new Response(new TextEncoder().encode('/m/1/target.mind')));
    expect(await visit()).toEqual({ bytes: '/m/1/target.mind', fetched: 1 });
  });

  it('works without Cache Storage (an insecure page, a refusing private mode)', async () => {
    const { calls, fetchImpl } = countingFetch();
    const broken = {
      open: () => Promise.reject(new DOMException('denied', 'SecurityError')),
    } as unknown as CacheStorage;
    const bytes = await preloadTarget('https://nocache.example/m/1/target.mind?s=1', fetchImpl, broken);
    expect(text(bytes)).toBe('/m/1/target.mind');
    expect(calls).toHaveLength(1);
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
