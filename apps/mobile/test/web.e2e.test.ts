// The app's web build in Debian's Chromium (playwright-core, no browser download) against the real server and
// worker: the viewer by public id (friendly NOT_FOUND, also in Russian once chosen, offline screen, the fallback player
// for a seeded AR content item, view sessions reaching the server, also after being offline), and the operator flow
// (sign in, projects, AR content with status, an upload with progress, processing watched live, a preview).
// Screenshots go to apps/mobile/test-results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { busyImage, registerUser, startTestPlatform, type TestUser } from '@arvlite/integration-tests';
import { waitUntil } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveExport } from './support/static-server.ts';
import { appDir, webExport } from './support/web-export.ts';

const shots = path.join(appDir, 'test-results');
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let web: Awaited<ReturnType<typeof serveExport>>;
let owner: TestUser;
let projectId: string;
let content: { id: string; publicId: string };
let context: BrowserContext;
let page: Page;
let work: string;
let clip: string;

const poll = { timeout: 90_000 };

const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), animations: 'disabled' });

/** Ended view sessions of the seeded item, read straight from Postgres. */
const endedSessions = () =>
  platform.deps.orm
    .fork()
    .execute<{ watched_ms: number; tracking_lost_count: number; platform: string; completed: boolean }[]>(
      `select s.watched_ms, s.tracking_lost_count, s.platform, s.completed from view_session s join ar_content c on c.id = s.ar_content_id
        where c.public_id = ? and s.ended_at is not null and s.end_reason = 'client' order by s.started_at`,
      [content.publicId],
    );

beforeAll(async () => {
  const [dir] = await Promise.all([
    webExport(),
    (async () => {
      work = mkdtempSync(path.join(tmpdir(), 'arvlite-mobile-e2e-'));
      clip = path.join(work, 'harbour.mp4');
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x180:rate=15',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440',
        '-t',
        '3',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        '-shortest',
        '-movflags',
        '+faststart',
        clip,
      ]);
    })(),
  ]);
  web = await serveExport(dir);
  platform = await startTestPlatform({
    worker: true,
    env: { CORS_ORIGINS: web.url, MEDIA_X264_PRESET: 'ultrafast', MEDIA_ENCODE_CONCURRENCY: '1', LOG_LEVEL: 'error' },
  });
  web.setApi(platform.baseUrl);

  owner = await registerUser(platform.client, 'Ada Operator');
  const companyId = (await owner.client.company.create.mutate({ name: 'Harbour Prints' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Posters', description: 'Summer campaign' }))
    .id;
  // The AR content item, its marker compiling in the worker while the operator test uploads its video.
  content = await owner.client.arContent.create.mutate({ projectId, title: 'Harbour at dusk', widthMm: 150 });
  const marker = await busyImage(640, 480);
  const upload = await owner.client.arContent.createMarkerUpload.mutate({
    id: content.id,
    contentType: 'image/png',
    size: marker.length,
  });
  expect((await fetch(upload.url, { method: 'PUT', body: new Uint8Array(marker), headers: upload.headers })).ok).toBe(
    true,
  );
  await owner.client.arContent.completeMarkerUpload.mutate({ id: content.id });

  mkdirSync(shots, { recursive: true });
  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 420, height: 820 },
    // The app follows the browser's language; the English assertions below need an English browser.
    locale: 'en-US',
    args: ['--disable-gpu'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => console.error('[page error]', e.message));

  // Registered after the platform's own cleanup, so it runs first.
  afterAll(async () => {
    await context?.close();
    await web?.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

describe('viewer (no account)', () => {
  it('shows a friendly screen for an unknown code, opened as a link', async () => {
    await page.goto(`${web.url}/v/NoSuchCode_12345`);
    await page.getByTestId('reason-NOT_FOUND').waitFor();
    await page.getByRole('heading', { name: 'We don’t know this code' }).waitFor();
    await shot('01-not-found');
    await page.getByRole('button', { name: 'Back to start' }).click();
    await page.getByRole('button', { name: 'Scan a code' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('switches that screen to Russian when the visitor picks Русский, and remembers the choice', async () => {
    await page.goto(`${web.url}/v/NoSuchCode_12345`);
    await page.getByRole('heading', { name: 'We don’t know this code' }).waitFor();
    await page.getByRole('radio', { name: 'Русский' }).click();
    await page.getByRole('heading', { name: 'Мы не знаем этот код' }).waitFor();
    // A new page load: the choice comes back from storage, over the browser's English.
    await page.reload();
    await page.getByTestId('reason-NOT_FOUND').waitFor();
    await page.getByRole('heading', { name: 'Мы не знаем этот код' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');
    await shot('01-not-found-ru');
    await page.getByRole('button', { name: 'На главную' }).click();
    await page.getByRole('button', { name: 'Сканировать код' }).waitFor();
    await page.getByRole('radio', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Scan a code' }).waitFor();
  });

  it('says it is offline, rather than failing, when a code was never opened before', async () => {
    await context.setOffline(true);
    try {
      await page.getByLabel('Code or link').fill(`arvlite://v/${content.publicId}`);
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByTestId('reason-OFFLINE').waitFor();
      await shot('02-offline');
    } finally {
      await context.setOffline(false);
    }
    await page.getByRole('button', { name: 'Back to start' }).click();
  });
});

describe('operator', () => {
  let videoId: string;

  it('signs in and lists projects, AR content with status, and videos', async () => {
    await page.getByRole('button', { name: 'Operator sign in' }).click();
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await shot('03-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByText(`Signed in as ${owner.email}`).waitFor();
    await page.getByRole('button', { name: 'Project Posters' }).waitFor();
    await shot('04-projects');
    await page.getByRole('button', { name: 'Project Posters' }).click();
    await page.getByRole('heading', { name: 'Posters' }).waitFor();
    await page.getByText('Harbour at dusk').waitFor();
    const status = await page
      .getByTestId(`ar-content-${content.id}`)
      .locator('[data-testid^="status-"]')
      .getAttribute('data-testid');
    expect(status).toMatch(/^status-(MARKER_PROCESSING|READY)$/);
    await page.getByText('No videos yet.').waitFor();
  });

  it('uploads a picked video with a progress bar and follows its processing live to READY', async () => {
    // Hold the PUT to storage until the progress bar has been seen, so the test does not race a tiny upload.
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    await page.route(
      (url) => url.origin !== web.url,
      async (route) => {
        if (route.request().method() === 'PUT') await released;
        await route.continue();
      },
    );
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload a video' }).click();
    await (await chooser).setFiles(clip);
    const bar = page.getByRole('progressbar', { name: 'Upload of harbour.mp4' });
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('0');
    await shot('05-uploading');
    release();
    await page.getByRole('button', { name: 'Video harbour' }).waitFor({ timeout: 30_000 });
    await bar.waitFor({ state: 'detached' });
    await page.unrouteAll({ behavior: 'wait' });
    videoId = (await owner.client.video.list.query({ projectId })).items[0]!.id;
    await shot('06-uploaded');

    await page.getByRole('button', { name: 'Video harbour' }).click();
    await page.getByRole('progressbar', { name: 'Processing' }).waitFor();
    await shot('07-processing-live');
    await page.getByTestId('status-READY').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('button', { name: 'Play with sound' }).click();
    const video = page.locator('video');
    await expect
      .poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(0.3);
    expect(await video.evaluate((el: HTMLVideoElement) => el.muted)).toBe(false);
    await shot('08-preview');
    await page.getByRole('button', { name: 'Close' }).click();
  }, 180_000);

  it('plays a scanned AR content item in the fallback player and reports the session, also after being offline', async () => {
    await waitUntil(
      'the marker',
      () => owner.client.arContent.byId.query({ id: content.id }),
      (c) => c.status === 'READY',
      poll,
    );
    await owner.client.playlist.set.mutate({ id: content.id, videoIds: [videoId], defaultVideoId: videoId });
    await waitUntil(
      'a playable manifest',
      () => platform.client().viewer.manifest.query({ publicId: content.publicId }),
      (m) => m.ok,
      poll,
    );

    await page.goto(`${web.url}/v/${content.publicId}`);
    await page.getByRole('heading', { name: 'Harbour at dusk' }).waitFor();
    await page.getByText('Open this code in the ARVlite app to see the video on your photo.').waitFor();
    await shot('09-viewer-tap-to-play');
    await page.getByRole('button', { name: 'Play with sound' }).click();
    const video = page.locator('video');
    await expect
      .poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(1);
    await shot('10-viewer-playing');
    await page.getByRole('button', { name: 'Close' }).click();
    const [first] = await waitUntil('the first session to end', endedSessions, (rows) => rows.length === 1, {
      timeout: 20_000,
    });
    expect(first).toMatchObject({ platform: 'web', tracking_lost_count: 0 });
    expect(first!.watched_ms).toBeGreaterThan(800);

    // Again, but the connection drops before the end is sent: it goes out when the browser is back online.
    await page.goto(`${web.url}/v/${content.publicId}`);
    await page.getByRole('button', { name: 'Play with sound' }).click();
    await expect
      .poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(0.5);
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForTimeout(1_500);
    expect(await endedSessions()).toHaveLength(1);
    const queued = await page.evaluate(
      () =>
        JSON.parse(localStorage.getItem('arvlite.viewer.sessions.queue') ?? '[]') as {
          ended: boolean;
          lastError: string | null;
        }[],
    );
    // The ended session waits in the queue with the network error (an acknowledged entry may still be leaving it).
    expect(queued).toContainEqual(expect.objectContaining({ ended: true, lastError: expect.any(String) }));
    await context.setOffline(false);
    await waitUntil('the queued session to be sent', endedSessions, (rows) => rows.length === 2, { timeout: 20_000 });
    expect(await page.evaluate(() => localStorage.getItem('arvlite.viewer.sessions.queue'))).toBe('[]');
  }, 120_000);
});
