import { GetObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { Presigner } from './presign.ts';
import { createS3Client } from './s3-client.ts';

const settings = {
  endpoint: 'http://127.0.0.1:54330',
  region: 'us-east-1',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  bucket: 'arvlite',
};
const sdk = createS3Client({ ...settings, forcePathStyle: true });
const presigner = new Presigner(settings);

describe('Presigner', () => {
  const dates = [new Date('2026-11-22T02:55:47Z'), new Date('2027-01-01T00:00:00Z')];
  const keys = ['c/p/videos/v/out/720p.mp4', 'a/b/c d+e (1)*!~.jpg', 'ümlaut/ключ/x.mind'];

  it('signs GET URLs exactly as the SDK does', async () => {
    for (const signingDate of dates) {
      for (const key of keys) {
        const expected = await getSignedUrl(sdk, new GetObjectCommand({ Bucket: settings.bucket, Key: key }), {
          expiresIn: 21600,
          signingDate,
        });
        expect(presigner.sign('GET', key, { 'x-id': 'GetObject' }, 21600, signingDate)).toBe(expected);
      }
    }
  });

  it('signs upload parts exactly as the SDK does', async () => {
    const signingDate = dates[0]!;
    const uploadId = 'ZjVkNjk4ZTUtNzE1Ny00ZjM1LWE1YTItNDVjOGU3MmI3MGJk/+=';
    const expected = await getSignedUrl(
      sdk,
      new UploadPartCommand({ Bucket: settings.bucket, Key: keys[0], UploadId: uploadId, PartNumber: 7 }),
      { expiresIn: 3600, signingDate },
    );
    expect(
      presigner.sign('PUT', keys[0]!, { partNumber: '7', uploadId, 'x-id': 'UploadPart' }, 3600, signingDate),
    ).toBe(expected);
  });

  it('signs an upload part with its Content-Length exactly as the SDK does', async () => {
    const signingDate = dates[1]!;
    const uploadId = 'abc123';
    const expected = await getSignedUrl(
      sdk,
      new UploadPartCommand({
        Bucket: settings.bucket,
        Key: keys[1],
        UploadId: uploadId,
        PartNumber: 3,
        ContentLength: 16 * 1024 * 1024,
      }),
      { expiresIn: 900, signingDate },
    );
    expect(new URL(expected).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    const query = { partNumber: '3', uploadId, 'x-id': 'UploadPart' };
    const headers = { 'content-length': String(16 * 1024 * 1024) };
    expect(presigner.sign('PUT', keys[1]!, query, 900, signingDate, headers)).toBe(expected);
  });
});
