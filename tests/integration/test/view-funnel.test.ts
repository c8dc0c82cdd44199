// The view funnel over HTTP with a real worker: sessions from the page opening, stages reported once and in order
// (bounds, other tenants, deleted items, late delivery with the end), the view.first-frame event and its metric, and
// analytics.funnel's exact numbers over seeded sessions.
import { TRPCClientError, type AppRouter, type ArvliteClient } from '@arvlite/client';
import { ViewSession } from '@arvlite/db';
import { registry } from '@arvlite/telemetry';
import { waitUntil } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyImage, registerUser, startTestPlatform, tinyMp4, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let stranger: TestUser;
let companyId: string;
let projectId: string;
let itemId: string;
let publicId: string;
let ipCounter = 0;

/** A viewer with an address of its own, so the per-IP limit of one test does not touch another. */
function anonymous(): ArvliteClient {
  ipCounter++;
  return platform.client(undefined, `172.20.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`);
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected the call to fail');
}
const codeOf = async (p: Promise<unknown>) => (await failure(p)).data?.code;

const poll = { timeout: 300_000 };

const row = (id: string) => platform.deps.orm.fork().findOneOrFail(ViewSession, { id });

/** A page opened a second ago (so stages up to 1000 ms fit the session's age). */
async function openView(viewer = anonymous(), agoMs = 1000) {
  const { sessionId } = await viewer.viewer.startSession.mutate({
    publicId,
    device: { platform: 'web', os: 'Linux' },
    startedAgoMs: agoMs,
    from: 'open',
  });
  return { viewer, sessionId };
}

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: { MEDIA_X264_PRESET: 'ultrafast', MEDIA_ENCODE_CONCURRENCY: '1', LOG_LEVEL: 'error' },
  });
  owner = await registerUser(platform.client);
  stranger = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Funnel prints', timezone: 'Europe/Berlin' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Albums' })).id;
  await stranger.client.company.create.mutate({ name: 'Someone else' });

  const bytes = tinyMp4(1);
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
    title: 'Clip',
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
  await owner.client.video.completeUpload.mutate({ videoId: created.videoId });

  const item = await owner.client.arContent.create.mutate({ projectId, title: 'Harbour' });
  itemId = item.id;
  publicId = item.publicId;
  const image = await busyImage(640, 480);
  const upload = await owner.client.arContent.createMarkerUpload.mutate({
    id: itemId,
    contentType: 'image/png',
    size: image.length,
  });
  expect((await fetch(upload.url, { method: 'PUT', body: new Uint8Array(image), headers: upload.headers })).ok).toBe(
    true,
  );
  await owner.client.arContent.completeMarkerUpload.mutate({ id: itemId, widthMm: 150 });
  await waitUntil(
    'the video',
    () => owner.client.video.byId.query({ id: created.videoId }),
    (v) => v.status === 'READY' || v.status === 'FAILED',
    poll,
  );
  await owner.client.playlist.set.mutate({ id: itemId, videoIds: [created.videoId], defaultVideoId: created.videoId });
  const settled = await waitUntil(
    'the marker',
    () => owner.client.arContent.byId.query({ id: itemId }),
    (c) => c.status !== 'MARKER_PROCESSING',
    poll,
  );
  expect(settled.status).toBe('READY');
  expect((await anonymous().viewer.manifest.query({ publicId })).ok).toBe(true);
}, 600_000);

describe('stages of a view', () => {
  it('a session from the page opening is not a view until it plays; stages are recorded once, in order', async () => {
    const { viewer, sessionId } = await openView();
    let r = await row(sessionId);
    expect([r.fromOpen, r.played, r.cameraMs, r.detectedMs, r.playingMs]).toEqual([true, false, null, null, null]);

    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'camera', atMs: 120 });
    // Detected needs the camera, playing needs a detection or the plain player, completed needs playing.
    expect(await codeOf(viewer.viewer.reportStage.mutate({ sessionId, stage: 'completed', atMs: 900 }))).toBe(
      'BAD_REQUEST',
    );
    // Not earlier than the stage it follows.
    expect(await codeOf(viewer.viewer.reportStage.mutate({ sessionId, stage: 'detected', atMs: 100 }))).toBe(
      'BAD_REQUEST',
    );
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'detected', atMs: 400 });
    // Once per stage.
    expect(await codeOf(viewer.viewer.reportStage.mutate({ sessionId, stage: 'detected', atMs: 500 }))).toBe(
      'CONFLICT',
    );
    // Not later than the session is old (opened a second ago, a few seconds of slack).
    expect(await codeOf(viewer.viewer.reportStage.mutate({ sessionId, stage: 'playing', atMs: 3_600_000 }))).toBe(
      'BAD_REQUEST',
    );
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'playing', atMs: 650 });
    r = await row(sessionId);
    expect([r.cameraMs, r.detectedMs, r.playingMs, r.played, r.fallbackMs]).toEqual([120, 400, 650, true, null]);

    // The end closes it: no stage after that (the end carries them).
    await viewer.viewer.endSession.mutate({ sessionId, watchedMs: 300, trackingLostCount: 0, completed: false });
    expect(await codeOf(viewer.viewer.reportStage.mutate({ sessionId, stage: 'completed', atMs: 900 }))).toBe(
      'CONFLICT',
    );
  });

  it('refuses inputs outside the contract schemas, changing nothing', async () => {
    const { viewer, sessionId } = await openView();
    const bad: unknown[] = [
      { sessionId, stage: 'camera', atMs: -1 },
      { sessionId, stage: 'camera', atMs: 86_400_001 },
      { sessionId, stage: 'camera', atMs: 1.5 },
      { sessionId, stage: 'opened', atMs: 0 },
      { sessionId, stage: 'warp', atMs: 0 },
      { sessionId, stage: 'camera', atMs: 10, reason: 'denied' },
      { sessionId, stage: 'fallback', atMs: 10 },
      { sessionId, stage: 'fallback', atMs: 10, reason: 'because' },
      { sessionId, stage: 'camera', atMs: 10, extra: 1 },
      { sessionId: 'not-an-id', stage: 'camera', atMs: 10 },
    ];
    for (const input of bad)
      expect(await codeOf(viewer.viewer.reportStage.mutate(input as never)), JSON.stringify(input)).toBe('BAD_REQUEST');
    const stages = Array.from({ length: 6 }, () => ({ stage: 'camera' as const, atMs: 1 }));
    expect(
      await codeOf(
        viewer.viewer.endSession.mutate({ sessionId, watchedMs: 0, trackingLostCount: 0, completed: false, stages }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        viewer.viewer.startSession.mutate({ publicId, device: { platform: 'web' }, from: 'later' as never }),
      ),
    ).toBe('BAD_REQUEST');
    const r = await row(sessionId);
    expect([r.cameraMs, r.fallbackMs, r.endedAt]).toEqual([null, null, null]);
  });

  it('the plain player records its reason; sessions started at the first frame record no stages', async () => {
    const { viewer, sessionId } = await openView();
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'fallback', atMs: 30, reason: 'denied' });
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'playing', atMs: 700 });
    const r = await row(sessionId);
    expect([r.fallbackMs, r.fallbackReason, r.playingMs, r.detectedMs, r.played]).toEqual([
      30,
      'denied',
      700,
      null,
      true,
    ]);

    const legacy = await viewer.viewer.startSession.mutate({ publicId, device: { platform: 'ios' } });
    expect((await row(legacy.sessionId)).played).toBe(true);
    expect(
      await codeOf(viewer.viewer.reportStage.mutate({ sessionId: legacy.sessionId, stage: 'camera', atMs: 10 })),
    ).toBe('CONFLICT');
  });

  it('an end delivered late carries the stages that never arrived, skipping those that did', async () => {
    const { viewer, sessionId } = await openView(anonymous(), 5000);
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'camera', atMs: 200 });
    // The page died; the next one sends its end with every stage it saw.
    await anonymous().viewer.endSession.mutate({
      sessionId,
      watchedMs: 1500,
      trackingLostCount: 1,
      completed: true,
      endedAgoMs: 100,
      stages: [
        { stage: 'completed', atMs: 3900 },
        { stage: 'camera', atMs: 200 },
        { stage: 'playing', atMs: 1200 },
        { stage: 'detected', atMs: 900 },
      ],
    });
    const r = await row(sessionId);
    expect([r.cameraMs, r.detectedMs, r.playingMs, r.completedMs, r.completed, r.played]).toEqual([
      200,
      900,
      1200,
      3900,
      true,
      true,
    ]);
    // Out of order in an end: refused whole, and the session stays open.
    const other = await openView();
    expect(
      await codeOf(
        other.viewer.viewer.endSession.mutate({
          sessionId: other.sessionId,
          watchedMs: 0,
          trackingLostCount: 0,
          completed: false,
          stages: [{ stage: 'detected', atMs: 10 }],
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect((await row(other.sessionId)).endedAt).toBeNull();
  });

  it('unknown sessions answer NOT_FOUND; a session whose item was deleted too', async () => {
    const viewer = anonymous();
    expect(
      await codeOf(viewer.viewer.reportStage.mutate({ sessionId: crypto.randomUUID(), stage: 'camera', atMs: 10 })),
    ).toBe('NOT_FOUND');
    const { sessionId } = await openView(viewer);
    const em = platform.deps.orm.fork();
    await em.execute(`update ar_content set deleted_at = now() where id = ?`, [itemId]);
    try {
      expect(await codeOf(viewer.viewer.reportStage.mutate({ sessionId, stage: 'camera', atMs: 10 }))).toBe(
        'NOT_FOUND',
      );
    } finally {
      await em.execute(`update ar_content set deleted_at = null where id = ?`, [itemId]);
    }
    expect((await row(sessionId)).cameraMs).toBeNull();
  });

  it('a first frame announces one view.first-frame event', async () => {
    const { viewer, sessionId } = await openView();
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'camera', atMs: 100 });
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'detected', atMs: 300 });
    await viewer.viewer.reportStage.mutate({ sessionId, stage: 'playing', atMs: 800 });
    const events = await platform.deps.orm
      .fork()
      .execute<{ payload: Record<string, unknown> }[]>(
        `select payload from outbox_event where type = 'view.first-frame' and payload->>'sessionId' = ?`,
        [sessionId],
      );
    expect(events.map((e) => e.payload)).toEqual([
      {
        type: 'view.first-frame',
        companyId,
        projectId,
        arContentId: itemId,
        sessionId,
        platform: 'web',
        firstFrameMs: 800,
        detectedMs: 300,
      },
    ]);
    // The worker (in this process) delivers it to the view-metrics consumer: one observation on the camera path.
    await waitUntil(
      'the first frame in the metrics',
      () => registry.getSingleMetricAsString('arvlite_view_time_to_first_frame_seconds'),
      (text) => /arvlite_view_time_to_first_frame_seconds_count\{platform="web",path="ar"\} [1-9]/.test(text),
      { timeout: 60_000 },
    );
  });
});

describe('analytics.funnel', () => {
  it('counts each stage, conversions, fallback reasons and medians over seeded sessions', async () => {
    const em = platform.deps.orm.fork();
    const at = '2026-02-10T12:00:00Z';
    const add = (s: {
      camera?: number;
      fallback?: [number, string];
      detected?: number;
      playing?: number;
      completed?: number;
      fromOpen?: boolean;
      startedAt?: string;
    }) =>
      em.execute(
        `insert into view_session (id, ar_content_id, company_id, project_id, platform, device_hash, ip_hash, started_at,
           from_open, played, camera_ms, fallback_ms, fallback_reason, detected_ms, playing_ms, completed_ms)
         values (gen_random_uuid(), ?, ?, ?, 'web', 'd', 'x', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          itemId,
          companyId,
          projectId,
          s.startedAt ?? at,
          s.fromOpen ?? true,
          s.fromOpen === false || s.playing !== undefined,
          s.camera ?? null,
          s.fallback?.[0] ?? null,
          s.fallback?.[1] ?? null,
          s.detected ?? null,
          s.playing ?? null,
          s.completed ?? null,
        ],
      );
    // 10 opened: 2 never got further; 6 had the camera, of which 3 never detected the photo (one then chose the plain
    // player); 3 detected, 2 of them played (1 to the end); 2 went to the plain player without the camera (denied,
    // no WebGL), and with the one who chose it, 2 played there.
    await add({});
    await add({});
    await add({ camera: 100 });
    await add({ camera: 150 });
    await add({ camera: 200, fallback: [5000, 'chosen'], playing: 5400 });
    await add({ camera: 100, detected: 1000 });
    await add({ camera: 120, detected: 1400, playing: 2000, completed: 30_000 });
    await add({ camera: 90, detected: 2000, playing: 3000 });
    await add({ fallback: [10, 'denied'], playing: 900 });
    await add({ fallback: [20, 'no-webgl'] });
    // Outside the range, and a session that started at the first frame (no stages): neither counts.
    await add({ camera: 1, detected: 2, playing: 3, startedAt: '2026-03-01T00:00:00Z' });
    await add({ fromOpen: false });

    const from = new Date('2026-02-01T00:00:00Z');
    const to = new Date('2026-02-28T00:00:00Z');
    const funnel = await owner.client.analytics.funnel.query({ arContentId: itemId, from, to });
    expect(funnel).toEqual({
      scope: { arContentId: itemId },
      from,
      to,
      counts: { opened: 10, camera: 6, fallback: 3, detected: 3, playing: 4, completed: 1 },
      conversion: { camera: 0.6, detected: 0.5, playing: 0.6667, completed: 0.25 },
      neverDetected: { count: 3, share: 0.5 },
      fallbackReasons: [
        { reason: 'chosen', count: 1 },
        { reason: 'denied', count: 1 },
        { reason: 'no-webgl', count: 1 },
      ],
      medianDetectedMs: 1400,
      // 900, 2000, 3000, 5400 → (2000 + 3000) / 2
      medianFirstFrameMs: 2500,
    });
    // The project's funnel holds the same sessions (one item); the summary counts only views that played.
    const project = await owner.client.analytics.funnel.query({ projectId, from, to });
    expect(project.counts).toEqual(funnel.counts);
    const summary = await owner.client.analytics.summary.query({ arContentId: itemId, from, to, granularity: 'month' });
    expect(summary.totals.views).toBe(5);

    // An empty range: zeros, no shares, no medians.
    const empty = await owner.client.analytics.funnel.query({
      arContentId: itemId,
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-02T00:00:00Z'),
    });
    expect(empty).toMatchObject({
      counts: { opened: 0, camera: 0, fallback: 0, detected: 0, playing: 0, completed: 0 },
      conversion: { camera: null, detected: null, playing: null, completed: null },
      neverDetected: { count: 0, share: null },
      fallbackReasons: [],
      medianDetectedMs: null,
      medianFirstFrameMs: null,
    });
  });

  it("another company's item or project answers NOT_FOUND; bounds are checked", async () => {
    const from = new Date('2026-02-01T00:00:00Z');
    const to = new Date('2026-02-28T00:00:00Z');
    expect(await codeOf(stranger.client.analytics.funnel.query({ arContentId: itemId, from, to }))).toBe('NOT_FOUND');
    expect(await codeOf(stranger.client.analytics.funnel.query({ projectId, from, to }))).toBe('NOT_FOUND');
    expect(await codeOf(owner.client.analytics.funnel.query({ from, to } as never))).toBe('BAD_REQUEST');
    expect(await codeOf(owner.client.analytics.funnel.query({ projectId, from: to, to: from }))).toBe('BAD_REQUEST');
    expect(
      await codeOf(owner.client.analytics.funnel.query({ projectId, from: new Date('2020-01-01T00:00:00Z'), to })),
    ).toBe('BAD_REQUEST');
  });
});
