// An integrator's run, through REST only with an API key and a client generated from the served OpenAPI document
// (openapi-typescript types + openapi-fetch): AR content, a marker, a multipart video upload to presigned URLs,
// READY, the playlist, the public manifest.
import { busyImage } from '@arvlite/marker/testing';
import { waitUntil } from '@arvlite/test-utils';
import createClient from 'openapi-fetch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../src/generated/arvlite-api.d.ts';
import { registerUser, startTestPlatform, tinyMp4 } from '../src/index.ts';

const MiB = 1024 * 1024;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let api: ReturnType<typeof createClient<paths>>;
let projectId: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: {
      LOG_LEVEL: 'error',
      UPLOAD_MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
      UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
      MEDIA_X264_PRESET: 'ultrafast',
    },
  });
  // The dashboard part: an admin makes a project and an API key; everything after uses only the key.
  const admin = await registerUser(platform.client);
  const companyId = (await admin.client.company.create.mutate({ name: 'Photo Lab' })).id;
  projectId = (await admin.client.project.create.mutate({ companyId, name: 'Orders' })).id;
  const { key } = await admin.client.apiKey.create.mutate({ companyId, name: 'Shop', role: 'editor' });
  api = createClient<paths>({ baseUrl: `${platform.baseUrl}/api/v1`, headers: { authorization: `Bearer ${key}` } });
});

/** A playable MP4 made larger than one part with a trailing `free` box, so the upload is multipart. */
function mp4Of(size: number): Uint8Array {
  const head = tinyMp4(2);
  const out = new Uint8Array(size);
  out.set(head);
  const free = size - head.length;
  new DataView(out.buffer).setUint32(head.length, free);
  out.set(new TextEncoder().encode('free'), head.length + 4);
  return out;
}

const poll = { timeout: 120_000 };

describe('the AR content flow through REST with an API key', () => {
  it(
    'creates content, uploads a marker and a multipart video, waits for READY, sets the playlist, reads the manifest',
    { timeout: 240_000 },
    async () => {
      const created = await api.POST('/ar-content', {
        body: { projectId, title: 'Order 4711', customer: { orderRef: '4711' }, widthMm: 150 },
      });
      expect(created.response.status).toBe(200);
      const item = created.data!;
      expect(item.status).toBe('DRAFT');

      // The marker: a presigned PUT, then completion queues the compile.
      const marker = await busyImage(800, 600);
      const mu = await api.POST('/ar-content/{id}/marker-upload', {
        params: { path: { id: item.id } },
        body: { contentType: 'image/png', size: marker.length },
      });
      expect(mu.response.status).toBe(200);
      expect(
        (await fetch(mu.data!.url, { method: 'PUT', body: new Uint8Array(marker), headers: mu.data!.headers })).ok,
      ).toBe(true);
      const done = await api.POST('/ar-content/{id}/marker-upload/complete', {
        params: { path: { id: item.id } },
        body: {},
      });
      expect(done.response.status).toBe(200);

      // The video, in parts: sign, PUT each part (its size is signed), complete with the ETags.
      const bytes = mp4Of(5 * MiB + 300_000);
      const upload = await api.POST('/videos', {
        body: { projectId, fileName: 'order-4711.mp4', contentType: 'video/mp4', size: bytes.length },
      });
      expect(upload.response.status).toBe(200);
      const started = upload.data!;
      if (started.kind !== 'multipart') throw new Error(`expected multipart, got ${started.kind}`);
      expect(started.partCount).toBe(2);
      const signed = await api.POST('/videos/{videoId}/parts', {
        params: { path: { videoId: started.videoId } },
        body: { partNumbers: [1, 2] },
      });
      expect(signed.response.status).toBe(200);
      const parts = await Promise.all(
        signed.data!.parts.map(async (p) => {
          const body = bytes.subarray((p.partNumber - 1) * started.partSize, p.partNumber * started.partSize);
          const put = await fetch(p.url, { method: 'PUT', body, headers: p.headers });
          expect(put.status).toBe(200);
          return { partNumber: p.partNumber, etag: put.headers.get('etag')! };
        }),
      );
      const listed = await api.GET('/videos/{videoId}/parts', { params: { path: { videoId: started.videoId } } });
      expect(listed.data!.parts.map((p) => p.partNumber)).toEqual([1, 2]);
      const completed = await api.POST('/videos/{videoId}/complete', {
        params: { path: { videoId: started.videoId } },
        body: { parts },
      });
      expect(completed.response.status).toBe(200);
      expect(completed.data!.status).toBe('UPLOADED');

      const ready = await waitUntil(
        'video READY',
        async () => (await api.GET('/videos/{id}', { params: { path: { id: started.videoId } } })).data!,
        (v) => v.status === 'READY' || v.status === 'FAILED',
        poll,
      );
      expect(ready.status).toBe('READY');
      expect(ready.readyAt).toMatch(/Z$/);
      expect(ready.playback?.hlsUrl).toBeTruthy();
      const page = await api.GET('/videos', { params: { query: { projectId, limit: 10 } } });
      expect(page.data!.items.map((v) => v.id)).toContain(started.videoId);
      expect(page.data!.nextCursor).toBeNull();

      const compiled = await waitUntil(
        'marker compiled',
        async () => (await api.GET('/ar-content/{id}', { params: { path: { id: item.id } } })).data!,
        (c) => c.status !== 'MARKER_PROCESSING',
        poll,
      );
      expect(compiled.status).toBe('READY');

      const playlist = await api.PUT('/ar-content/{id}/playlist', {
        params: { path: { id: item.id } },
        body: { videoIds: [started.videoId], defaultVideoId: started.videoId },
      });
      expect(playlist.response.status).toBe(200);
      expect(playlist.data!.current.videoId).toBe(started.videoId);

      const qr = await api.GET('/ar-content/{id}/qr', { params: { path: { id: item.id }, query: { format: 'svg' } } });
      expect(qr.data!.svg).toContain('<svg');

      // The public manifest needs no key.
      const viewer = createClient<paths>({ baseUrl: `${platform.baseUrl}/api/v1` });
      const manifest = await viewer.GET('/viewer/{publicId}/manifest', {
        params: { path: { publicId: item.publicId } },
      });
      expect(manifest.response.status).toBe(200);
      const m = manifest.data!;
      if (!m.ok) throw new Error(`manifest refused: ${m.reason}`);
      expect(m.content.title).toBe('Order 4711');
      expect(m.video.hlsUrl).toBeTruthy();
      expect(m.marker.widthMm).toBe(150);

      const summary = await api.GET('/analytics/summary', {
        params: {
          query: {
            arContentId: item.id,
            from: new Date(Date.now() - 86_400_000).toISOString(),
            to: new Date().toISOString(),
            granularity: 'day',
          },
        },
      });
      expect(summary.response.status).toBe(200);
      expect(summary.data!.totals.views).toBe(0);
    },
  );
});
