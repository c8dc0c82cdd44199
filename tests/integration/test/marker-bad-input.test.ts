// Odd marker photos end to end: uploaded, completed (completeMarkerUpload), refused by the marker:compile job with
// their own reason code and message; the item goes back to DRAFT and nothing of the revision stays in storage.
import { crc32 } from 'node:zlib';
import type { RouterOutputs } from '@arvlite/client';
import { waitUntil } from '@arvlite/test-utils';
import sharp from 'sharp';
import { beforeAll, expect, it } from 'vitest';
import { busyImage, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

type Content = RouterOutputs['arContent']['byId'];

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let companyId: string;
let projectId: string;

beforeAll(async () => {
  platform = await startTestPlatform({ worker: true, env: { LOG_LEVEL: 'error' } });
  owner = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Odd photos' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Prints' })).id;
});

const poll = { timeout: 120_000 };

async function uploadMarker(title: string, bytes: Buffer, contentType: 'image/png' | 'image/webp'): Promise<Content> {
  const { id } = await owner.client.arContent.create.mutate({ projectId, title });
  const upload = await owner.client.arContent.createMarkerUpload.mutate({ id, contentType, size: bytes.length });
  const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(bytes), headers: upload.headers });
  expect(put.ok).toBe(true);
  expect((await owner.client.arContent.completeMarkerUpload.mutate({ id })).status).toBe('MARKER_PROCESSING');
  return waitUntil(
    `marker of ${title}`,
    () => owner.client.arContent.byId.query({ id }),
    (c) => c.status !== 'MARKER_PROCESSING',
    poll,
  );
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([head, typeAndData, crc]);
}

it(
  'an animated WebP and a decompression bomb get ANIMATED_IMAGE and IMAGE_TOO_LARGE',
  { timeout: 300_000 },
  async () => {
    const frames = await Promise.all([1, 2].map((seed) => busyImage(640, 480, seed)));
    const animated = await sharp(frames, { join: { animated: true } })
      .webp({ loop: 0, delay: [100, 100] })
      .toBuffer();
    // A 90 byte PNG whose header claims 50 000 × 50 000 px (2.5 gigapixels).
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(50_000, 0);
    ihdr.writeUInt32BE(50_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
      chunk('IEND', Buffer.alloc(0)),
    ]);

    const [animatedDone, bombDone] = await Promise.all([
      uploadMarker('Animated', animated, 'image/webp'),
      uploadMarker('Bomb', bomb, 'image/png'),
    ]);
    expect(animatedDone).toMatchObject({
      status: 'DRAFT',
      marker: { published: false, failure: { code: 'ANIMATED_IMAGE' } },
    });
    expect(animatedDone.marker.failure!.message).toMatch(/animated.*still JPEG, PNG or WebP/);
    expect(bombDone).toMatchObject({
      status: 'DRAFT',
      marker: { published: false, failure: { code: 'IMAGE_TOO_LARGE' } },
    });
    expect(bombDone.marker.failure!.message).toMatch(/50000×50000 px.*100 megapixels/);
    for (const c of [animatedDone, bombDone]) {
      const prefix = `${companyId}/${projectId}/ar/${c.id}/`;
      const left = await waitUntil(
        `cleanup of ${prefix}`,
        () => platform.deps.storage.listKeys(prefix),
        (keys) => keys.length === 0,
        poll,
      ).catch(() => platform.deps.storage.listKeys(prefix));
      expect(left).toEqual([]);
    }
  },
);
