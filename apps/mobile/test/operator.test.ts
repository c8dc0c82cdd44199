// The operator's logic against the real server (Postgres, S3 through s3rver): silent token refresh with tokens in
// (here in-memory) secure storage, and uploads that resume after the app stopped part-way.
import { withRefreshOnUnauthorized } from '@arvlite/client';
import { createArvliteNodeClient, type ArvliteClient, type UploadSource } from '@arvlite/client/node';
import { paddedMp4, registerUser, startTestPlatform, tinyMp4, type TestUser } from '@arvlite/integration-tests';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../src/lib/key-value-store.ts';
import { createOperatorSession } from '../src/operator/operator-session.ts';
import { UploadQueue, type PickedVideo, type UploadEvent } from '../src/operator/upload-queue.ts';

const MiB = 1024 * 1024;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;

const ipFetch =
  (ip: string): typeof fetch =>
  (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), 'x-forwarded-for': ip },
    });

beforeAll(async () => {
  platform = await startTestPlatform({
    env: {
      UPLOAD_MULTIPART_THRESHOLD_BYTES: String(8 * MiB),
      UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
      LOG_LEVEL: 'error',
    },
  });
  owner = await registerUser(platform.client, 'Mobile Operator');
  const companyId = (await owner.client.company.create.mutate({ name: 'Harbour Prints' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Posters' })).id;
});

describe('operator session', () => {
  function signedInApp(secrets = memoryStore(), clock = { now: Date.now() }) {
    const publicClient = createArvliteNodeClient({ url: `${platform.baseUrl}/trpc`, fetch: ipFetch('10.8.0.1') });
    let refreshes = 0;
    const session = createOperatorSession({
      secrets,
      now: () => clock.now,
      refresh: (refreshToken) => {
        refreshes++;
        return publicClient.auth.refresh.mutate({ refreshToken });
      },
    });
    const client = createArvliteNodeClient({
      url: `${platform.baseUrl}/trpc`,
      getAccessToken: () => session.getAccessToken(),
      fetch: withRefreshOnUnauthorized(session, ipFetch('10.8.0.1')),
    });
    return { publicClient, session, client, secrets, clock, refreshes: () => refreshes };
  }

  it('signs in, keeps tokens in secure storage, and refreshes once for concurrent calls when the token expires', async () => {
    const app = signedInApp();
    await app.session.start(await app.publicClient.auth.login.mutate({ email: owner.email, password: owner.password }));
    expect(JSON.parse((await app.secrets.get('operator.session'))!)).toMatchObject({
      refreshToken: expect.any(String),
      user: { email: owner.email },
    });
    const before = await app.session.getAccessToken();
    expect(
      (await app.client.project.list.query({ companyId: (await app.client.company.list.query())[0]!.id })).items,
    ).toHaveLength(1);
    expect(app.refreshes()).toBe(0);

    // Past expiry: three callers at once rotate the refresh token once (a second rotation would revoke the session).
    app.clock.now += 24 * 3_600_000;
    const [t1, t2, companies] = await Promise.all([
      app.session.getAccessToken(),
      app.session.getAccessToken(),
      app.client.company.list.query(),
    ]);
    expect(companies).toHaveLength(1);
    expect(app.refreshes()).toBe(1);
    expect(t1).toBe(t2);
    expect(t1).not.toBe(before);

    // App restart: the stored session works without signing in again.
    const restarted = signedInApp(app.secrets, app.clock);
    expect(await restarted.session.restore()).toBe(true);
    expect((await restarted.client.auth.me.query()).user.email).toBe(owner.email);
  });

  it('retries once after an UNAUTHORIZED answer, and ends the session when the refresh token is refused', async () => {
    const app = signedInApp();
    const tokens = await app.publicClient.auth.login.mutate({ email: owner.email, password: owner.password });
    await app.session.start({ ...tokens, accessToken: 'not-a-valid-token' });
    expect((await app.client.auth.me.query()).user.email).toBe(owner.email);
    expect(app.refreshes()).toBe(1);

    await app.publicClient.auth.logout.mutate({ refreshToken: app.session.refreshToken! });
    app.clock.now += 24 * 3_600_000;
    const ended = new Promise<unknown>((resolve) => app.session.subscribe(resolve));
    await expect(app.client.auth.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(await ended).toEqual({ signedIn: false, user: null });
    expect(await app.secrets.get('operator.session')).toBeNull();
    expect(await app.session.getAccessToken()).toBeNull();
  });
});

describe('upload queue', () => {
  /** Files "on the phone", and storage PUTs that can be made to fail like a dropped connection. */
  function phone(files: Record<string, Uint8Array>) {
    const sentParts: number[] = [];
    let failPart: number | null = null;
    const openSource = async (v: PickedVideo): Promise<UploadSource | null> => {
      const bytes = files[v.uri];
      return bytes ? { size: bytes.length, slice: (s, e) => bytes.subarray(s, e) } : null;
    };
    const storageFetch: typeof fetch = async (input, init) => {
      const part = Number(new URL(String(input)).searchParams.get('partNumber') ?? 0);
      if (part && part === failPart) throw new TypeError('network connection was lost');
      if (init?.method === 'PUT' && failPart === 0) throw new TypeError('network connection was lost');
      const res = await fetch(input, init);
      if (part && res.ok) sentParts.push(part);
      return res;
    };
    const released: string[] = [];
    const release = async (v: PickedVideo) => {
      released.push(v.uri);
    };
    return { openSource, storageFetch, sentParts, released, release, failPart: (n: number | null) => (failPart = n) };
  }

  const queue = (
    store: ReturnType<typeof memoryStore>,
    device: ReturnType<typeof phone>,
    client: ArvliteClient = owner.client,
  ) =>
    new UploadQueue({
      store,
      client,
      openSource: device.openSource,
      fetch: device.storageFetch,
      concurrency: 1,
      retries: 0,
      release: device.release,
    });

  it('resumes a multipart upload after the app stopped part-way, sending only the missing parts', async () => {
    const bytes = paddedMp4(12 * MiB);
    const video: PickedVideo = {
      uri: 'file:///docs/uploads/harbour.mp4',
      name: 'harbour.mp4',
      size: bytes.length,
      contentType: 'video/mp4',
    };
    const device = phone({ [video.uri]: bytes });
    const store = memoryStore();

    device.failPart(2);
    await expect(queue(store, device).start(projectId, video)).rejects.toThrow('network connection was lost');
    const [pending] = await queue(store, device).pending();
    expect(pending).toMatchObject({ name: 'harbour.mp4', kind: 'multipart', projectId, size: 12 * MiB });
    const stored = await owner.client.video.listUploadedParts.query({ videoId: pending!.videoId });
    expect(stored).toMatchObject({ kind: 'multipart', partCount: 3, uploadedBytes: 5 * MiB });

    // A new app run: same storage, network back.
    device.failPart(null);
    device.sentParts.length = 0;
    const resumed = queue(store, device);
    const events: UploadEvent[] = [];
    resumed.subscribe((e) => events.push(e));
    expect(await resumed.resumeAll()).toEqual([
      { videoId: pending!.videoId, fileName: 'harbour.mp4', outcome: 'done', resumed: true },
    ]);
    expect(device.sentParts.sort()).toEqual([2, 3]);
    expect(events[0]).toMatchObject({
      phase: 'uploading',
      uploadedBytes: 5 * MiB,
      totalBytes: 12 * MiB,
      resumed: true,
    });
    expect(events.at(-1)).toMatchObject({ phase: 'done', uploadedBytes: 12 * MiB });
    expect(await resumed.pending()).toEqual([]);
    expect(device.released).toEqual([video.uri]);
    expect((await owner.client.video.byId.query({ id: pending!.videoId })).status).not.toBe('AWAITING_UPLOAD');
  });

  it('starts a small single-request upload over when it was cut off, and drops records of uploads the server no longer waits for', async () => {
    const bytes = tinyMp4(1);
    const video: PickedVideo = {
      uri: 'file:///docs/uploads/tiny.mp4',
      name: 'tiny.mp4',
      size: bytes.length,
      contentType: 'video/mp4',
    };
    const device = phone({ [video.uri]: bytes });
    const store = memoryStore();

    device.failPart(0);
    await expect(queue(store, device).start(projectId, video)).rejects.toThrow('network connection was lost');
    const [cut] = await queue(store, device).pending();
    expect(cut).toMatchObject({ kind: 'single' });

    device.failPart(null);
    const [outcome] = await queue(store, device).resumeAll();
    expect(outcome).toMatchObject({ outcome: 'done', resumed: true, fileName: 'tiny.mp4' });
    expect(device.released).toEqual([video.uri]); // kept for the restart, freed once done
    expect(outcome!.videoId).not.toBe(cut!.videoId);
    expect((await owner.client.video.byId.query({ id: outcome!.videoId })).status).not.toBe('AWAITING_UPLOAD');
    expect((await owner.client.video.byId.query({ id: cut!.videoId })).status).not.toBe('AWAITING_UPLOAD');
    expect(await queue(store, device).pending()).toEqual([]);

    // A record whose video was deleted meanwhile (e.g. from the dashboard) is dropped, not retried forever.
    device.failPart(0);
    await expect(queue(store, device).start(projectId, video)).rejects.toThrow('network connection was lost');
    const [orphan] = await queue(store, device).pending();
    await owner.client.video.delete.mutate({ id: orphan!.videoId });
    device.failPart(null);
    expect(await queue(store, device).resumeAll()).toEqual([
      {
        videoId: orphan!.videoId,
        fileName: 'tiny.mp4',
        outcome: 'gone',
        message: expect.any(String),
        error: expect.anything(),
      },
    ]);
    expect(await queue(store, device).pending()).toEqual([]);
  });

  it('keeps the record when the file cannot be read any more, and continues it from the same file picked again', async () => {
    const bytes = paddedMp4(9 * MiB);
    const video: PickedVideo = {
      uri: 'file:///docs/uploads/gone.mp4',
      name: 'gone.mp4',
      size: bytes.length,
      contentType: 'video/mp4',
    };
    const store = memoryStore();
    const device = phone({ [video.uri]: bytes });
    device.failPart(1);
    await expect(queue(store, device).start(projectId, video)).rejects.toThrow('network connection was lost');
    const [outcome] = await queue(store, phone({})).resumeAll();
    expect(outcome).toMatchObject({ outcome: 'waiting', message: expect.stringContaining('cannot be read') });
    expect(await queue(store, device).pending()).toHaveLength(1);

    // Picked again (a reloaded web page, a file restored): it continues the same upload.
    const again: PickedVideo = { ...video, uri: 'blob:http://app/5f1c' };
    const picker = phone({ [again.uri]: bytes });
    const q = queue(store, picker);
    const earlier = await q.matching(projectId, again);
    expect(earlier?.videoId).toBe(outcome!.videoId);
    expect(await q.resumeWith(earlier!.videoId, again)).toEqual({
      videoId: outcome!.videoId,
      fileName: 'gone.mp4',
      outcome: 'done',
      resumed: true,
    });
    expect(picker.sentParts.sort()).toEqual([1, 2]);
    expect(await q.pending()).toEqual([]);
  });
});
