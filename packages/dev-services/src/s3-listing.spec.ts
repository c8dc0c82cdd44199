// The embedded S3 (patched s3rver) lists a prefix of more than 1000 objects page by page. s3rver 3.7.1 made its
// continuation tokens with DES, which Node's OpenSSL 3 no longer offers: the second page of every listing answered
// 500 InternalError (chaos scenario "many processes" found it: 100 videos' outputs are over 1000 objects).
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, startS3 } from './s3.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'arvlite-s3-listing-'));
const s3 = await startS3({ dir, port: await freePort() });
const client = new S3Client({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: S3RVER_CREDENTIALS,
});
afterAll(async () => {
  client.destroy();
  await s3.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

it('lists more than 1000 objects across pages (continuation tokens)', async () => {
  await client.send(new CreateBucketCommand({ Bucket: 'listing' }));
  const keys = Array.from({ length: 1005 }, (_, i) => `pub/${String(i).padStart(4, '0')}`);
  for (let i = 0; i < keys.length; i += 50)
    await Promise.all(
      keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: 'x' }))),
    );
  const listed: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'pub/', ContinuationToken: token }),
    );
    pages++;
    for (const o of page.Contents ?? []) listed.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  expect(pages).toBe(2);
  expect(listed).toEqual(keys);
  // A token that was not ours is refused as a bad argument, not a server error.
  await expect(
    client.send(new ListObjectsV2Command({ Bucket: 'listing', ContinuationToken: 'bm90LWEtdG9rZW4=' })),
  ).rejects.toMatchObject({ name: 'InvalidArgument' });
}, 120_000);
