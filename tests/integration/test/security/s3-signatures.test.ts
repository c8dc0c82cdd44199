// The embedded S3 (patched s3rver) checks SigV4 like S3: the AWS SDK's own requests and presigned URLs work, and a
// wrong secret, a tampered URL, a size other than the signed Content-Length, an expired URL and an unsigned request
// are refused with S3's 403 errors. Without this, tests that rely on S3 refusing a request would prove nothing.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ObjectStorage } from '@arvlite/storage';
import { createTestDeps, type TestDeps } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

// The SDK is a dependency of @arvlite/storage, not of this package: load it from there.
type Command = Parameters<ObjectStorage['client']['send']>[0];
interface Sdk {
  CopyObjectCommand: new (input: { Bucket: string; Key: string; CopySource: string }) => Command;
  GetObjectCommand: new (input: { Bucket: string; Key: string }) => Command;
  PutObjectCommand: new (input: { Bucket: string; Key: string; ContentLength?: number }) => Command;
}
type GetSignedUrl = (
  client: ObjectStorage['client'],
  command: Command,
  options: { expiresIn: number; signingDate?: Date },
) => Promise<string>;
const sdkRequire = createRequire(join(import.meta.dirname, '../../../../packages/storage/package.json'));
const sdk = sdkRequire('@aws-sdk/client-s3') as Sdk;
const { getSignedUrl } = sdkRequire('@aws-sdk/s3-request-presigner') as { getSignedUrl: GetSignedUrl };

let deps: TestDeps;
let storage: ObjectStorage;
const key = 'sig/a clip (1)+ü.txt';

beforeAll(async () => {
  deps = await createTestDeps();
  storage = deps.storage;
  await storage.put(key, 'hello world', 'text/plain');
});

async function s3Error(res: Response): Promise<{ status: number; code?: string; message?: string }> {
  const body = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1],
  };
}

describe('the embedded S3 verifies SigV4', () => {
  it('accepts the SDK: put, head, get, list, copy, multipart with presigned parts, delete many, CORS preflight', async () => {
    expect(await storage.head(key)).toMatchObject({ size: 11 });
    expect(Buffer.from(await storage.getBytes(key)).toString()).toBe('hello world');
    expect(await storage.listKeys('sig/')).toEqual([key]);
    await storage.client.send(
      new sdk.CopyObjectCommand({
        Bucket: storage.bucket,
        Key: 'sig/copy.txt',
        CopySource: `${storage.bucket}/${key}`,
      }),
    );
    expect(Buffer.from(await storage.getBytes('sig/copy.txt')).toString()).toBe('hello world');

    const uploadId = await storage.createMultipartUpload('sig/multi.bin', 'application/octet-stream');
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')];
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const res = await fetch(await storage.presignUploadPart('sig/multi.bin', uploadId, i + 1, 60), {
        method: 'PUT',
        body,
      });
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag')!);
    }
    expect(await storage.listParts('sig/multi.bin', uploadId)).toHaveLength(2);
    await storage.completeMultipartUpload(
      'sig/multi.bin',
      uploadId,
      etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    );
    expect(await storage.head('sig/multi.bin')).toMatchObject({ size: 5 * 1024 * 1024 + 4 });

    const get = await fetch(await storage.presignGet(key, 60));
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('hello world');

    // Browsers never sign a preflight.
    const preflight = await fetch(new URL(`/${storage.bucket}/sig/x`, deps.config.s3.endpoint), {
      method: 'OPTIONS',
      headers: {
        Origin: deps.config.http.corsOrigins[0]!,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();

    expect(await storage.deletePrefix('sig/')).toBeGreaterThanOrEqual(3);
    await storage.put(key, 'hello world', 'text/plain');
  });

  it('refuses a request signed with the wrong secret', async () => {
    const wrong = new ObjectStorage({ ...deps.config.s3, secretAccessKey: 'not-the-secret' });
    try {
      const failure = await wrong.getBytes(key).then(
        () => null,
        (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } },
      );
      expect(failure?.$metadata?.httpStatusCode).toBe(403);
      expect(failure?.name).toBe('SignatureDoesNotMatch');
      const url = await wrong.presignGet(key, 60);
      expect(await s3Error(await fetch(url))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    } finally {
      wrong.destroy();
    }
  });

  it('refuses a presigned URL whose path or query was changed, and a request without a signature', async () => {
    const url = new URL(await storage.presignGet(key, 60));
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace('.txt', '.mp4');
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    const extra = new URL(url);
    extra.searchParams.set('response-content-type', 'text/html');
    for (const tampered of [otherKey, longer, extra]) {
      expect(await s3Error(await fetch(tampered))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    }
    const unsigned = new URL(url.pathname, url.origin);
    expect(await s3Error(await fetch(unsigned))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await s3Error(await fetch(unsigned, { method: 'PUT', body: 'x' }))).toMatchObject({ status: 403 });
  });

  it('refuses a body of another size than the Content-Length a URL signs', async () => {
    const url = await getSignedUrl(
      storage.signer,
      new sdk.PutObjectCommand({ Bucket: storage.bucket, Key: 'sig/sized.bin', ContentLength: 5 }),
      { expiresIn: 60 },
    );
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    expect(await s3Error(await fetch(url, { method: 'PUT', body: 'ten bytes!' }))).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(await storage.head('sig/sized.bin')).toBeNull();
    expect((await fetch(url, { method: 'PUT', body: 'five!' })).status).toBe(200);
    expect(await storage.head('sig/sized.bin')).toMatchObject({ size: 5 });
  });

  it('refuses an expired presigned URL', async () => {
    const url = await getSignedUrl(storage.signer, new sdk.GetObjectCommand({ Bucket: storage.bucket, Key: key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 61_000),
    });
    expect(await s3Error(await fetch(url))).toMatchObject({
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
    const fresh = await getSignedUrl(storage.signer, new sdk.GetObjectCommand({ Bucket: storage.bucket, Key: key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 30_000),
    });
    expect((await fetch(fresh)).status).toBe(200);
  });
});
