// `arvlite storage migrate` as a child process: every object of a local-disk store arrives in the S3 bucket (the test
// run's s3rver) byte for byte, a second run copies nothing, a target object of the wrong size is copied again, and a
// missing source directory fails with exit 1.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDiskStorage } from '@arvlite/storage';
import { createTestDeps, type TestDeps } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/index.ts';

const SLOW = { timeout: 240_000 };
let deps: TestDeps;
let env: Record<string, string>;
let local: LocalDiskStorage;
const dir = mkdtempSync(join(tmpdir(), 'arvlite-migrate-'));

const objects: Record<string, Buffer> = {
  'c1/p1/videos/v1/original': randomBytes(1_500_000),
  'c1/p1/videos/v1/out/master.m3u8': Buffer.from('#EXTM3U\n'),
  'c1/p1/videos/v1/out/poster.jpg': randomBytes(20_000),
  'c1/orders/o1/invoices/i1.pdf': randomBytes(3_000),
  'public/out1/empty.txt': Buffer.alloc(0),
};

beforeAll(async () => {
  deps = await createTestDeps();
  local = new LocalDiskStorage({
    root: join(dir, 'objects'),
    publicUrl: 'http://x',
    signingKey: randomBytes(32).toString('hex'),
  });
  for (const [key, bytes] of Object.entries(objects)) await local.put(key, bytes, 'application/octet-stream');
  env = {
    DATABASE_URL: deps.config.database.url,
    S3_ENDPOINT: deps.config.s3.endpoint,
    S3_BUCKET: deps.config.s3.bucket,
    DEV_SMTP_PORT: String(inject('testServices').smtpPort),
    DATA_DIR: dir,
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('arvlite storage migrate', () => {
  it('copies every object to S3 with sizes verified, and a second run copies nothing', SLOW, async () => {
    const first = await runCli(['storage', 'migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('[5/5]');
    expect(first.stdout).toContain('done: 5 objects, 5 copied (1523008 bytes, sizes verified), 0 already there');
    expect(await deps.storage.listKeys('')).toEqual(Object.keys(objects).sort());
    for (const [key, bytes] of Object.entries(objects)) {
      expect(Buffer.from(await deps.storage.getBytes(key)), key).toEqual(bytes);
      expect((await deps.storage.head(key))?.etag, key).toBe((await local.head(key))?.etag);
    }

    const again = await runCli(['storage', 'migrate', '--concurrency', '2'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('done: 5 objects, 0 copied (0 bytes, sizes verified), 5 already there');
  });

  it('copies again an object the target holds with another size, and leaves the others', SLOW, async () => {
    await deps.storage.put('c1/p1/videos/v1/out/poster.jpg', 'truncated');
    const res = await runCli(['storage', 'migrate', '--from', join(dir, 'objects')], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('copied c1/p1/videos/v1/out/poster.jpg (20000 bytes)');
    expect(res.stdout).toContain('done: 5 objects, 1 copied (20000 bytes, sizes verified), 4 already there');
    expect(Buffer.from(await deps.storage.getBytes('c1/p1/videos/v1/out/poster.jpg'))).toEqual(
      objects['c1/p1/videos/v1/out/poster.jpg'],
    );
  });

  it('fails with exit 1 for a missing source directory, and 2 for a bad option', SLOW, async () => {
    const missing = await runCli(['storage', 'migrate', '--from', join(dir, 'nothing-here')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no local objects directory at');
    const bad = await runCli(['storage', 'migrate', '--concurrency', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('concurrency');
  });
});
