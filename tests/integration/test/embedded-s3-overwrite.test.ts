// The embedded S3 (patched s3rver) overwrites an object atomically, as S3 does: a GET running while its key is written
// again reads the old or the new bytes whole. s3rver 3.7.1 truncates the file and rewrites its metadata in place, so
// such a reader could get a short body or a failed request: CI saw /media answer 503 for an HLS playlist that the
// worker was rewriting while a player read it (pipeline-progressive.test.ts, at a7cef48).
import type { ObjectStorage } from '@arvlite/storage';
import { createTestDeps } from '@arvlite/test-utils';
import { beforeAll, expect, it } from 'vitest';

let storage: ObjectStorage;

beforeAll(async () => {
  storage = (await createTestDeps()).storage;
});

it(
  'reads every object whole, old or new, while its key is overwritten again and again',
  { timeout: 120_000 },
  async () => {
    const key = 'atomic/pub/out/source.m3u8';
    const versions = [Buffer.alloc(256 * 1024, 'a'), Buffer.alloc(3 * 1024 * 1024, 'b')];
    await storage.put(key, versions[0]!, 'application/vnd.apple.mpegurl');
    let writing = true;
    const writes = (async () => {
      try {
        for (let i = 1; i <= 40; i++) await storage.put(key, versions[i % 2]!, 'application/vnd.apple.mpegurl');
      } finally {
        writing = false;
      }
    })();
    let reads = 0;
    const bad: string[] = [];
    const reader = async () => {
      while (writing) {
        try {
          const body = Buffer.from(await storage.getBytes(key));
          reads++;
          if (!versions.some((v) => v.equals(body))) bad.push(`a body of ${body.length} bytes`);
        } catch (err) {
          bad.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        }
      }
    };
    await Promise.all([writes, reader(), reader(), reader()]);
    expect(reads).toBeGreaterThan(10);
    expect(bad.slice(0, 5)).toEqual([]);
    // No temporary file is left behind or listed.
    expect(await storage.listKeys('atomic/')).toEqual([key]);
  },
);
