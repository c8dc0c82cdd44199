import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OriginalCache, prepareCacheDir } from './original-cache.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arvlite-original-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A download of `bytes` that counts its calls. */
function downloader(bytes: string) {
  const calls: string[] = [];
  return {
    calls,
    fn: async (path: string) => {
      calls.push(path);
      await new Promise((r) => setTimeout(r, 5));
      await writeFile(path, bytes);
    },
  };
}

describe('OriginalCache', () => {
  it('downloads an original once for the jobs of one worker, also when they ask at the same time', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 1000);
    const d = downloader('x'.repeat(100));
    await Promise.all([1, 2, 3].map((i) => cache.place('a/original', 'etag-1', 100, join(dir, `job${i}`), d.fn)));
    await cache.place('a/original', 'etag-1', 100, join(dir, 'job4'), d.fn);
    expect(d.calls).toHaveLength(1);
    for (const i of [1, 2, 3, 4]) expect(await readFile(join(dir, `job${i}`), 'utf8')).toBe('x'.repeat(100));
    expect({ hits: cache.hits, misses: cache.misses, bytes: cache.bytes }).toEqual({ hits: 1, misses: 1, bytes: 100 });
  });

  it('adopts a copy a job already has: the next job of the video gets it without a download', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 1000);
    await mkdir(join(dir, 'reader'));
    const copy = join(dir, 'reader', 'original-read');
    await writeFile(copy, 'z'.repeat(50));
    await cache.adopt('a/original', 'etag-1', copy);
    const d = downloader('wrong');
    await cache.place('a/original', 'etag-1', 50, join(dir, 'job1'), d.fn);
    expect(d.calls).toEqual([]);
    expect(await readFile(join(dir, 'job1'), 'utf8')).toBe('z'.repeat(50));
    expect(await readdir(join(dir, 'reader'))).toEqual([]);
    expect({ hits: cache.hits, bytes: cache.bytes }).toEqual({ hits: 1, bytes: 50 });
  });

  it('adopts nothing without an ETag, or larger than the cache; the copy is removed either way', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 10);
    await mkdir(join(dir, 'reader'));
    for (const [etag, bytes] of [
      [null, 5],
      ['etag-1', 11],
    ] as const) {
      const copy = join(dir, 'reader', 'original-read');
      await writeFile(copy, 'z'.repeat(bytes));
      await cache.adopt('a/original', etag, copy);
      expect(await readdir(join(dir, 'reader'))).toEqual([]);
    }
    expect(cache.bytes).toBe(0);
  });

  it('keys by ETag: another ETag of the same key is downloaded again', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 1000);
    const d = downloader('y');
    await cache.place('k', 'etag-1', 1, join(dir, 'j1'), d.fn);
    await cache.place('k', 'etag-2', 1, join(dir, 'j2'), d.fn);
    expect(d.calls).toHaveLength(2);
  });

  it('stays within its bytes, least recently used out first, without taking a file from a job that has it', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 250);
    const d = downloader('z'.repeat(100));
    await cache.place('a', 'e', 100, join(dir, 'a1'), d.fn);
    await cache.place('b', 'e', 100, join(dir, 'b1'), d.fn);
    await cache.place('a', 'e', 100, join(dir, 'a2'), d.fn); // a is now the most recently used
    await cache.place('c', 'e', 100, join(dir, 'c1'), d.fn); // b goes
    expect(cache.bytes).toBe(200);
    expect(await readdir(join(dir, 'cache'))).toHaveLength(2);
    expect(await readFile(join(dir, 'b1'), 'utf8')).toBe('z'.repeat(100)); // the job's link survives
    await cache.place('a', 'e', 100, join(dir, 'a3'), d.fn);
    expect(d.calls).toHaveLength(3);
    await cache.place('b', 'e', 100, join(dir, 'b2'), d.fn);
    expect(d.calls).toHaveLength(4);
  });

  it('downloads straight to the job an original larger than the cache, or one without an ETag', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 50);
    const d = downloader('w'.repeat(100));
    await cache.place('big', 'e', 100, join(dir, 'big1'), d.fn);
    await cache.place('big', 'e', 100, join(dir, 'big2'), d.fn);
    await cache.place('small', null, 1, join(dir, 'small'), d.fn);
    expect(d.calls).toEqual([join(dir, 'big1'), join(dir, 'big2'), join(dir, 'small')]);
    expect(cache.bytes).toBe(0);
  });

  it('a failed download caches nothing and the next job tries again', async () => {
    const cache = new OriginalCache(join(dir, 'cache'), 1000);
    await expect(
      cache.place('k', 'e', 1, join(dir, 'j1'), async () => {
        throw new Error('storage away');
      }),
    ).rejects.toThrow('storage away');
    const d = downloader('v');
    await cache.place('k', 'e', 1, join(dir, 'j2'), d.fn);
    expect(d.calls).toHaveLength(1);
    expect(await readdir(join(dir, 'cache'))).toHaveLength(1);
  });
});

describe('prepareCacheDir', () => {
  it('clears the folders of processes gone and an earlier one of the same pid, and keeps live ones and other files', async () => {
    const root = join(dir, 'original-cache');
    for (const name of ['100', '200', '300']) {
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, 'orig'), 'x');
    }
    await writeFile(join(root, 'notes.txt'), 'kept');
    // 300 is this process; 200 is alive; 100 is gone.
    expect(await prepareCacheDir(root, 300, (pid) => pid === 200)).toBe(join(root, '300'));
    expect((await readdir(root)).sort()).toEqual(['200', 'notes.txt']);
  });

  it('asks the OS whether a pid runs: this process does, a pid past the limit does not', async () => {
    const root = join(dir, 'original-cache');
    const gone = 2 ** 22 + 1; // above Linux's pid_max limit
    for (const pid of [process.pid, gone]) await mkdir(join(root, String(pid)), { recursive: true });
    await prepareCacheDir(root, 1);
    expect(await readdir(root)).toEqual([String(process.pid)]);
  });
});
