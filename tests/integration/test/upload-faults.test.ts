// An upload's completion while S3 is down (issue 23, scenario 6): the server's storage goes through a TCP proxy the
// test cuts after the bytes were PUT. completeUpload answers 503 SERVICE_UNAVAILABLE with `retry-after`, the video
// stays AWAITING_UPLOAD with its upload open (nothing half-recorded, nothing lost), and completing again once S3 is
// back records it (UPLOADED, processing queued).
import { readFileSync } from 'node:fs';
import { ObjectStorage } from '@arvlite/storage';
import { createTestConfig } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../src/fault-proxy.ts';
import { clips, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let s3: FaultProxy;
let owner: TestUser;

beforeAll(async () => {
  // The file's own bucket on the shared s3rver, reached through the proxy by the server.
  const config = await createTestConfig();
  const endpoint = new URL(config.s3.endpoint);
  s3 = await startFaultProxy({ host: endpoint.hostname, port: Number(endpoint.port) });
  const proxied = `http://127.0.0.1:${s3.port}`;
  const storage = new ObjectStorage({ ...config.s3, endpoint: proxied, publicEndpoint: proxied });
  platform = await startTestPlatform({ storage, env: { S3_BUCKET: config.s3.bucket } });
  owner = await registerUser(platform.client);
});

describe('completing an upload while S3 is down', () => {
  it('answers 503 with retry-after, changes nothing, and completes once S3 is back', async () => {
    const companyId = (await owner.client.company.create.mutate({ name: 'Harbour prints' })).id;
    const projectId = (await owner.client.project.create.mutate({ companyId, name: 'Clips' })).id;
    const bytes = new Uint8Array(readFileSync(clips.oneSecond()));
    const created = await owner.client.video.createUpload.mutate({
      projectId,
      fileName: 'one.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (created.kind !== 'single') throw new Error('expected a single upload');
    expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);

    s3.down();
    try {
      const res = await fetch(`${platform.baseUrl}/trpc/video.completeUpload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ json: { videoId: created.videoId } }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { error: { json: { data: { code: string } } } };
      expect(body.error.json.data.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      s3.up();
    }
    const [row] = await platform.deps.orm
      .fork()
      .execute<{ status: string }[]>('select status from video where id = ?', [created.videoId]);
    expect(row?.status).toBe('AWAITING_UPLOAD');

    await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
    const after = await owner.client.video.byId.query({ id: created.videoId });
    expect(after.status).toBe('UPLOADED');
  });
});
