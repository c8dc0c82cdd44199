// Compute and quota abuse (security review, finding 7): companies per user are capped, processed outputs count against
// the quota before they are kept, duration and pixel rate are limited at probe, reprocessing is rate-limited per company,
// and one tenant's flood of videos does not starve another tenant's video (per-company media queues).
import { TRPCClientError, type AppRouter, type ArvliteClient } from '@arvlite/client';
import { Company, Video } from '@arvlite/db';
import { waitUntil } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { clips, registerUser, startTestPlatform, tinyMp4, type TestUser } from '../../src/index.ts';
import { readFileSync } from 'node:fs';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: {
      COMPANY_MAX_PER_USER: '3',
      MEDIA_X264_PRESET: 'ultrafast',
      MEDIA_ENCODE_CONCURRENCY: '2',
      MEDIA_ANALYZERS: 'silence-black',
      MEDIA_COMPANY_CONCURRENCY: '1',
      MEDIA_MAX_DURATION_S: '3',
      // 640×360 at 30 fps: the tiny clips pass, a 720p one does not.
      MEDIA_MAX_PIXEL_RATE: String(640 * 360 * 30),
      VIDEO_REPROCESS_PER_HOUR: '3',
    },
  });
});

async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  // The error data the router's formatter sends (code, details, …), typed from the router itself.
  return (err as TRPCClientError<AppRouter>).data;
}

async function tenant(name: string): Promise<{ user: TestUser; companyId: string; projectId: string }> {
  const user = await registerUser(platform.client);
  const companyId = (await user.client.company.create.mutate({ name })).id;
  const projectId = (await user.client.project.create.mutate({ companyId, name: 'Clips' })).id;
  return { user, companyId, projectId };
}

async function upload(client: ArvliteClient, projectId: string, bytes: Uint8Array): Promise<string> {
  const created = await client.video.createUpload.mutate({
    projectId,
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  const put = await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
  expect(put.ok).toBe(true);
  await client.video.completeUpload.mutate({ videoId: created.videoId });
  return created.videoId;
}

async function statuses(ids: string[]) {
  const rows = await platform.deps.orm.fork().find(Video, { id: { $in: ids } }, { fields: ['status', 'readyAt'] });
  return rows;
}

const settled = (id: string, timeout = 120_000) =>
  waitUntil(
    `video ${id} READY or FAILED`,
    () => platform.deps.orm.fork().findOneOrFail(Video, { id }, { refresh: true }),
    (v) => v.status === 'READY' || v.status === 'FAILED',
    { timeout },
  );

describe('compute and quota limits', () => {
  it('caps the companies one user may own: the next one is FORBIDDEN with reason COMPANY_LIMIT', async () => {
    const user = await registerUser(platform.client);
    for (let i = 0; i < 3; i++) await user.client.company.create.mutate({ name: `Co ${i}` });
    const refused = await failure(user.client.company.create.mutate({ name: 'One too many' }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'COMPANY_LIMIT' } });
    expect(await user.client.company.list.query()).toHaveLength(3);
  });

  it('outputs that would pass the quota end the video FAILED with QUOTA_EXCEEDED, and none of them stay', async () => {
    const { user, companyId, projectId } = await tenant('Small quota');
    const bytes = tinyMp4(1);
    // Room for the original and a few hundred bytes more: the first rendition cannot fit.
    await platform.deps.orm.fork().nativeUpdate(Company, { id: companyId }, { storageQuotaBytes: bytes.length + 500 });
    const id = await upload(user.client, projectId, bytes);
    const v = await settled(id);
    expect(v.status).toBe('FAILED');
    expect(v.failureCode).toBe('QUOTA_EXCEEDED');
    const detail = await user.client.video.byId.query({ id });
    expect(detail.playback).toBeFalsy();
    const company = await platform.deps.orm.fork().findOneOrFail(Company, { id: companyId }, { refresh: true });
    expect(company.storageUsedBytes).toBe(bytes.length);
    expect(v.storedBytes).toBe(bytes.length);
    // Nothing but the original is left in storage for this video.
    const keys = await platform.deps.storage.listKeys(`${companyId}/`);
    expect(keys.filter((k) => !k.endsWith('/original') && k.includes(id))).toEqual([]);
  }, 60_000);

  it('refuses videos longer than MEDIA_MAX_DURATION_S and above MEDIA_MAX_PIXEL_RATE at probe, with typed reasons', async () => {
    const { user, projectId } = await tenant('Limits');
    const long = await settled(await upload(user.client, projectId, tinyMp4(4)));
    expect(long).toMatchObject({ status: 'FAILED', failureCode: 'VIDEO_TOO_LONG' });
    const big = await settled(
      await upload(user.client, projectId, new Uint8Array(readFileSync(clips.landscape720(1)))),
    );
    expect(big).toMatchObject({ status: 'FAILED', failureCode: 'VIDEO_TOO_LARGE' });
  }, 60_000);

  it('rate-limits reprocessing per company: past VIDEO_REPROCESS_PER_HOUR the answer is TOO_MANY_REQUESTS', async () => {
    const { user, projectId } = await tenant('Reprocessor');
    const id = await upload(user.client, projectId, tinyMp4(1));
    expect((await settled(id)).status).toBe('READY');
    for (let i = 0; i < 3; i++) {
      // Each call counts, whether or not the video can be reprocessed right then.
      await user.client.video.reprocess.mutate({ id }).catch(() => undefined);
    }
    const limited = await failure(user.client.video.reprocess.mutate({ id }));
    expect(limited).toMatchObject({ code: 'TOO_MANY_REQUESTS', details: { reason: 'REPROCESS_LIMIT' } });
    // Another company's reprocessing is not affected.
    const other = await tenant('Other reprocessor');
    const otherId = await upload(other.user.client, other.projectId, tinyMp4(1));
    expect((await settled(otherId)).status).toBe('READY');
    await other.user.client.video.reprocess.mutate({ id: otherId });
    await settled(id);
    await settled(otherId);
  }, 120_000);

  it("one tenant's flood of 20 videos does not hold back another tenant's video", async () => {
    const flooder = await tenant('Flooder');
    const victim = await tenant('Victim');
    const bytes = tinyMp4(1);

    // One video alone on an idle worker is READY (the pipeline works for this tenant before the flood).
    const alone = await upload(victim.user.client, victim.projectId, bytes);
    expect((await settled(alone)).status).toBe('READY');

    const flood: string[] = [];
    for (let i = 0; i < 20; i++) flood.push(await upload(flooder.user.client, flooder.projectId, bytes));
    // The victim's video is queued after all 20 flood videos.
    const victimId = await upload(victim.user.client, victim.projectId, bytes);
    const victimVideo = await settled(victimId);
    expect(victimVideo.status).toBe('READY');
    const floodLeft = (await statuses(flood)).filter((v) => v.status !== 'READY').length;
    for (const id of flood) expect((await settled(id, 300_000)).status).toBe('READY');
    // Fairness as an order, not a time: with one media job per company at a time, the victim's video (queued last)
    // became READY before at least half of the flood — in the status seen at that moment and in the DB's readyAt.
    const victimReadyAt = victimVideo.readyAt!.getTime();
    const floodAfter = (await statuses(flood)).filter((v) => v.readyAt!.getTime() > victimReadyAt).length;
    console.info(
      `fairness: flood videos not yet READY when the victim's was: ${floodLeft}/20; READY after it: ${floodAfter}/20`,
    );
    expect(floodLeft).toBeGreaterThanOrEqual(10);
    expect(floodAfter).toBeGreaterThanOrEqual(10);
  }, 400_000);
});
