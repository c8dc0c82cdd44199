// The dashboard end to end in Debian's Chromium (playwright-core, no browser download) against the real server and
// worker: sign up, company, project, upload through the page's file input, processing to READY, playback, the video's
// chroma key, an upload resumed after a page reload, then AR content: create, marker upload compiled for real (feature
// points, the measured detection score, a refused image), QR downloads, the playlist and its calendar, analytics of
// recorded views, archive, delete.
// Screenshots go to apps/web/test-results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteClient } from '@arvlite/client';
import { busyImage, flatImage } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');
const MiB = 1024 * 1024;

let baseUrl: string;
let context: BrowserContext;
let page: Page;
let work: string;
let clip: string;
const email = `ada+${Date.now()}@example.com`;
const password = 'a long enough passphrase 42';

beforeAll(async () => {
  // The current source, built into a directory of this file's own (other e2e files build at the same time), which
  // the server then serves.
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-web-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
    // Small enough that a test file of a few MiB goes through the resumable multipart path.
    UPLOAD_MULTIPART_THRESHOLD_BYTES: String(8 * MiB),
    UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });

  clip = path.join(work, 'harbour-tour.mp4');
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
    '5',
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
    clip,
  ]);
  mkdirSync(shots, { recursive: true });

  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 1280, height: 800 },
    args: ['--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  page.on('console', (m) => m.type() === 'error' && console.error('[console]', m.text()));

  // Registered after createTestDeps' own cleanup, so it runs before the database and storage close.
  afterAll(async () => {
    await context?.close();
    await worker.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 120_000);

const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

describe('dashboard in a real browser', () => {
  const consoleErrors: string[] = [];
  let projectUrl = '';

  it('signs up, creates a company and a project', async () => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${baseUrl}/`);
    // Signed out: sent to sign in, from where sign-up is one link away.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const headers = (await page.request.get(`${baseUrl}/`)).headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['cache-control']).toBe('no-cache');
    const asset = await page.locator('script[type=module]').getAttribute('src');
    expect((await page.request.get(`${baseUrl}${asset}`)).headers()['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    const deepLink = await page.request.get(`${baseUrl}/c/any/projects`);
    expect([deepLink.status(), deepLink.headers()['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await page.request.get(`${baseUrl}/assets/missing.js`)).status()).toBe(404);
    expect((await page.request.get(`${baseUrl}/trpc/nope.nothing`)).status()).toBe(404);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Operator');
    await page.getByLabel('Email').fill(email);
    await page.locator('input[type=password]').fill(password);
    await shot('01-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page
      .getByRole('heading', { name: 'New company' })
      .or(page.getByRole('heading', { name: /Create your company/ }))
      .waitFor();
    await page.getByLabel('Company name').fill('Harbour Media');
    await page.getByRole('button', { name: 'Create company' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();

    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Project name').fill('Summer campaign');
    await page.getByLabel('Description').fill('Posters that come alive');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Summer campaign' }).waitFor();
    await shot('02-projects');

    // Members: an invitation's link is shown once, with the token only in the fragment.
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Invite by email').fill('grace@example.com');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByRole('button', { name: 'Copy link' }).waitFor();
    await page.waitForTimeout(300); // let the dialog finish opening for the screenshot
    const link = await page.getByLabel('Invitation link').textContent();
    expect(link).toMatch(new RegExp(`^${baseUrl}/invite#[A-Za-z0-9_-]{16,}$`));
    await shot('03-invitation-link');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'Pending invitations' }).getByText('grace@example.com').waitFor();

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit log' }).getByText('member.invite').waitFor();
    await shot('04-audit-log');

    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('link', { name: 'Summer campaign' }).click();
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
    projectUrl = page.url();
  });

  it('uploads a video through the file input and follows it to READY, then plays it', async () => {
    await page.getByLabel('Video files to upload').setInputFiles(clip);
    const row = page.getByRole('listitem', { name: 'Upload of harbour-tour.mp4' });
    await expect.poll(() => row.getAttribute('data-upload-phase'), { timeout: 30_000 }).toBe('done');
    const status = page.locator('tr', { hasText: 'harbour-tour' }).locator('[data-status]');
    await expect
      .poll(() => status.getAttribute('data-status'), { timeout: 30_000 })
      .toMatch(/UPLOADED|PROCESSING|READY/);
    await shot('05-project-uploaded');

    await page.getByRole('link', { name: 'harbour-tour', exact: true }).click();
    await page.getByRole('heading', { name: 'Processing' }).waitFor();
    await shot('06-video-processing');
    const badge = page.locator('h1 + [data-status], h1 ~ [data-status]').first();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('READY');
    await page.getByLabel('Video: harbour-tour').waitFor();
    const steps = await page
      .locator('[data-step]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-step-status')]));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every(([, s]) => s === 'done' || s === 'skipped')).toBe(true);

    const video = page.getByLabel('Video: harbour-tour');
    await video.evaluate((el: HTMLVideoElement) => {
      el.muted = true;
      return el.play();
    });
    await expect
      .poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(0.5);
    await video.evaluate((el: HTMLVideoElement) => el.pause());
    await shot('07-video-ready');
  }, 180_000);

  it('keys out a colour on the video page: colour and tolerance kept after a reload; bad input gets a typed error', async () => {
    // Still on the READY video's page.
    const card = page.locator('form').filter({ has: page.getByRole('heading', { name: 'Transparent background' }) });
    await card.waitFor();
    const enable = card.getByRole('switch', { name: 'Key out a background colour' });
    expect(await enable.isChecked()).toBe(false);
    await enable.check({ force: true });
    const colour = card.getByRole('textbox', { name: 'Background colour' });
    expect(await colour.inputValue()).toBe('#00FF00');
    const save = card.getByRole('button', { name: 'Save chroma key' });

    // A malformed colour: said at the field, and nothing can be sent.
    await colour.fill('#12345');
    await card.getByText('Choose a colour as #RRGGBB').waitFor();
    expect(await save.isDisabled()).toBe(true);
    await colour.fill('#0047bb');
    await colour.press('Escape'); // closes the colour picker's dropdown
    await expect.poll(() => colour.inputValue()).toBe('#0047BB');
    // Tolerance by keyboard on the slider: 25%.
    const tolerance = card.getByRole('slider').first();
    await tolerance.focus();
    await tolerance.press('Home');
    for (let i = 0; i < 25; i++) await tolerance.press('ArrowRight');
    await card.getByText('Tolerance: 25%').waitFor();

    // What the server refuses (a tolerance out of 0–1, sent as if the page had sent it): a typed BAD_REQUEST, shown
    // as a failed save, and nothing stored.
    await page.route('**/trpc/video.update**', (route) =>
      route.continue({
        postData: route
          .request()
          .postData()!
          .replace(/"tolerance":[0-9.]+/, '"tolerance":7'),
      }),
    );
    const refused = page.waitForResponse((r) => r.url().includes('video.update'));
    await save.click();
    const answer = await refused;
    expect(answer.status()).toBe(400);
    expect(await answer.text()).toContain('BAD_REQUEST');
    await page.getByText('Could not save the chroma key').first().waitFor();
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    await save.click();
    await page.getByText('Chroma key saved').first().waitFor();
    await shot('07a-video-chroma-key');
    await page.reload();
    await card.waitFor();
    await expect.poll(() => enable.isChecked()).toBe(true);
    expect(await colour.inputValue()).toBe('#0047BB');
    await card.getByText('Tolerance: 25%').waitFor();

    // Off again (the video plays in the AR item below without a key); kept after a reload too.
    await enable.uncheck({ force: true });
    await save.click();
    await page.getByText('Chroma key saved').first().waitFor();
    await page.reload();
    await card.waitFor();
    await expect.poll(() => enable.isChecked()).toBe(false);
  }, 90_000);

  it('resumes a multipart upload after a page reload, sending only the missing parts', async () => {
    // 12 MiB: three 5 MiB parts. A real MP4 header, then padding.
    const big = path.join(work, 'long-take.mp4');
    const head = readFileSync(clip);
    const bytes = Buffer.alloc(12 * MiB);
    head.copy(bytes);
    writeFileSync(big, bytes);

    await page.goto(projectUrl);
    const sentParts: number[] = [];
    const partOf = (url: URL) => Number(url.searchParams.get('partNumber') ?? 0);
    // Hold parts 2 and 3 so the page is reloaded with only part 1 in storage.
    const held: Route[] = [];
    await page.route(
      (url) => partOf(url) >= 2,
      (route) => void held.push(route),
    );
    page.on('request', (r) => {
      const n = partOf(new URL(r.url()));
      if (n && r.method() === 'PUT') sentParts.push(n);
    });
    const partOneDone = page.waitForResponse(
      (r) => partOf(new URL(r.url())) === 1 && r.request().method() === 'PUT' && r.ok(),
    );
    await page.getByLabel('Video files to upload').setInputFiles(big);
    await partOneDone;
    await shot('08-upload-in-progress');

    // Reload while they are still held: the page drops them, so storage keeps only part 1.
    await expect.poll(() => held.length).toBeGreaterThan(0);
    await page.reload();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    sentParts.length = 0;
    await page.getByText(/Drop “long-take.mp4” .* again to resume/).waitFor();
    await shot('09-interrupted-upload');

    await page.getByLabel('Video files to upload').setInputFiles(big);
    const row = page.getByRole('listitem', { name: 'Upload of long-take.mp4' });
    await expect.poll(() => row.getAttribute('data-upload-phase'), { timeout: 60_000 }).toBe('done');
    expect(sentParts.sort()).toEqual([2, 3]);
    expect(await row.textContent()).toContain('(resumed)');
    const status = page.locator('tr', { hasText: 'long-take' }).locator('[data-status]');
    await expect
      .poll(() => status.getAttribute('data-status'), { timeout: 30_000 })
      .toMatch(/UPLOADED|PROCESSING|READY|FAILED/);
    await shot('10-resumed-upload');
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  }, 120_000);

  it('shows why a corrupt file failed, with the failed step and a Retry that fails the same way', async () => {
    // The first 60% of a real MP4: it looks like a video (the type sniff passes), but cannot be decoded.
    const corrupt = path.join(work, 'broken-reel.mp4');
    const whole = readFileSync(clip);
    writeFileSync(corrupt, whole.subarray(0, Math.floor(whole.length * 0.6)));
    await page.goto(projectUrl);
    await page.getByRole('heading', { name: 'Videos' }).waitFor();
    await page.getByLabel('Video files to upload').setInputFiles(corrupt);
    const upload = page.getByRole('listitem', { name: 'Upload of broken-reel.mp4' });
    await expect.poll(() => upload.getAttribute('data-upload-phase'), { timeout: 30_000 }).toBe('done');
    const status = page.locator('tr', { hasText: 'broken-reel' }).locator('[data-status]');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 60_000 }).toBe('FAILED');

    await page.getByRole('link', { name: 'broken-reel', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: /^Failed: / });
    await alert.waitFor();
    const reason = (await alert.textContent())!;
    expect(reason).toMatch(/^Failed: [A-Z_]+/);
    expect(reason.length).toBeGreaterThan('Failed: '.length + 20); // a sentence, not just a code
    expect(await page.locator('[data-step-status="failed"]').count()).toBeGreaterThanOrEqual(1);
    await shot('11a-video-failed');

    // Retrying runs the failed step again; the file is still broken, so it ends FAILED again, not stuck.
    const retried = page.waitForResponse((r) => r.url().includes('video.retry') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Retry' }).click();
    expect((await retried).ok()).toBe(true);
    const badge = page.locator('h1 ~ [data-status]').first();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 60_000 }).toBe('FAILED');
    await alert.waitFor();
  }, 120_000);

  let arUrl = '';

  it('creates AR content in the project', async () => {
    await page.goto(projectUrl);
    await page.getByRole('heading', { name: 'AR content' }).waitFor();
    await page.getByRole('button', { name: 'New AR content' }).click();
    await page.getByLabel('AR content title').fill('Harbour poster');
    await page.getByLabel('Description').fill('A3 poster in the ferry terminal');
    await page.getByRole('button', { name: 'Create AR content' }).click();
    await page.getByRole('heading', { level: 1, name: 'Harbour poster' }).waitFor();
    arUrl = page.url();
    expect(arUrl).toMatch(/\/c\/[^/]+\/ar\/[0-9a-f-]{36}$/);
    expect(await page.locator('h1 ~ [data-status]').first().getAttribute('data-status')).toBe('DRAFT');
    // Viewer links and the QR code are there from the start; tokens never appear in them.
    const viewerLink = await page.getByRole('link', { name: 'Viewer link' }).getAttribute('href');
    expect(viewerLink).toMatch(new RegExp(`^${baseUrl}/v/[A-Za-z0-9_-]{16}$`));
    await page.getByRole('img', { name: /^QR code that opens / }).waitFor();

    // Details: customer fields and playback saved, then read back after a reload.
    await page.getByLabel('Customer name').fill('Harbour Ferries Ltd');
    await page.getByLabel('Customer email').fill('not-an-email');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByText('Enter an email address').waitFor();
    await page.getByLabel('Customer email').fill('ops@ferries.example');
    await page.getByLabel('Order reference').fill('PO-2026-117');
    await page.getByLabel('Muted').check();
    await page.getByLabel('Printed width of the marker (mm)').fill('297');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByText('Details saved').waitFor();
    await page.reload();
    await expect.poll(() => page.getByLabel('Order reference').inputValue()).toBe('PO-2026-117');
    expect(await page.getByLabel('Customer email').inputValue()).toBe('ops@ferries.example');
    expect(await page.getByLabel('Muted').isChecked()).toBe(true);
    await shot('11-ar-content-created');
  });

  it('uploads a marker through the file input, compiles it for real and shows its feature points and measured score', async () => {
    const marker = path.join(work, 'harbour-poster.png');
    writeFileSync(marker, await busyImage(800, 600));
    const flat = path.join(work, 'flat-grey.png');
    writeFileSync(flat, await flatImage(800, 600));

    const byIdCalls: number[] = [];
    page.on('request', (r) => r.url().includes('arContent.byId') && byIdCalls.push(Date.now()));
    await page.getByLabel('Marker image to upload').setInputFiles(marker);
    // While the worker compiles, the page shows it and polls.
    await page.locator('[data-marker-processing]').waitFor({ timeout: 15_000 });
    await page.getByRole('progressbar', { name: 'Marker compile progress' }).waitFor();
    await shot('12-marker-processing');

    await page.getByText('Feature points', { exact: true }).waitFor({ timeout: 90_000 });
    expect(byIdCalls.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('h1 ~ [data-status]').first().getAttribute('data-status')).toBe('READY');

    // The points sit exactly over the displayed (compiled, storage-served) image.
    const image = page.getByRole('img', { name: 'Marker image' });
    await expect
      .poll(() => image.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth))
      .toBeGreaterThan(0);
    expect(await image.getAttribute('src')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*\/marker\.jpg\?X-Amz-/);
    const overlay = page.locator('svg[data-keypoints]');
    const points = Number(await overlay.getAttribute('data-keypoints'));
    expect(points).toBeGreaterThan(50);
    expect(await overlay.locator('circle').count()).toBe(points);
    const [imgBox, svgBox] = [await image.boundingBox(), await overlay.boundingBox()];
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(imgBox![k] - svgBox![k])).toBeLessThan(1);
    expect(await overlay.getAttribute('viewBox')).toBe(
      `0 0 ${await image.evaluate((el: HTMLImageElement) => `${el.naturalWidth} ${el.naturalHeight}`)}`,
    );
    // The measured score (calibrated on the detection report) with the range sentence; the ORB feature score, which
    // does not predict detection, is not shown.
    const gauge = page.getByRole('meter', { name: 'Detection score' });
    await gauge.waitFor({ timeout: 240_000 });
    const score = Number(await gauge.getAttribute('aria-valuenow'));
    expect(score).toBeGreaterThanOrEqual(40);
    expect(score).toBeLessThanOrEqual(100);
    expect(await gauge.getAttribute('aria-valuetext')).toBe(`${score} of 100, measured`);
    expect(await page.locator('[data-report] [data-range]').textContent()).toMatch(
      /^Detected from \d+ cm to \d+ cm at its printed size \(\d+ mm\)/,
    );
    expect(await page.getByText(/Trackability/).count()).toBe(0);
    await shot('13-marker-scored');

    // A flat image has nothing to track: refused with the reason, and the published marker stays.
    await page.getByLabel('Marker image to upload').setInputFiles(flat);
    const refusal = page.locator('[data-failure]');
    await refusal.waitFor({ timeout: 60_000 });
    expect(await refusal.getAttribute('data-failure')).toBe('NO_FEATURES');
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.textContent()).toContain('The previous marker stays in use.');
    expect(Number(await gauge.getAttribute('aria-valuenow'))).toBe(score);
    await shot('14-marker-refused');
  }, 360_000);

  it('downloads the QR code as PNG and SVG', async () => {
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download PNG' }).click(),
    ]);
    expect(png.suggestedFilename()).toBe('harbour-poster-qr.png');
    const pngBytes = readFileSync((await png.path())!);
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    expect(pngBytes.readUInt32BE(16)).toBe(1024); // IHDR width
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download SVG' }).click(),
    ]);
    expect(svg.suggestedFilename()).toBe('harbour-poster-qr.svg');
    expect(readFileSync((await svg.path())!, 'utf8')).toMatch(/<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('puts the READY video in the playlist and previews the schedule in the calendar', async () => {
    await page.getByRole('heading', { name: 'Playlist and schedule' }).waitFor();
    await page.getByText('Nothing plays now: add a ready video.').waitFor();
    await page.getByRole('combobox', { name: 'Add a ready video' }).click();
    await page.getByRole('option', { name: 'harbour-tour', exact: true }).click();
    await page.getByRole('button', { name: 'Add to playlist' }).click();
    const videos = page.getByRole('list', { name: 'Videos' });
    await videos.getByRole('listitem').filter({ hasText: 'harbour-tour' }).waitFor();
    await page.getByText(/Playing now: harbour-tour \(default\)/).waitFor();

    // A rotation rule over the whole playlist.
    await page
      .getByRole('form', { name: 'Add a rule' })
      .locator('label', { hasText: /^Rotation$/ })
      .click();
    expect(await page.getByRole('radio', { name: 'Rotation' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page
      .getByRole('list', { name: 'Schedule rules' })
      .getByText(/^Rotation, a different video each day: all playlist videos$/)
      .waitFor();
    await page.getByText(/Playing now: harbour-tour \(rotation\)/).waitFor();

    // Every day of this month's calendar plays the video.
    const calendar = page.getByRole('table', { name: /^What plays each day in / });
    await expect
      .poll(() => calendar.locator('td[data-date] [data-video-id]').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(28);
    const today = calendar.locator('td:has([aria-current=date])');
    expect(await today.textContent()).toContain('harbour-tour');
    await page.getByRole('button', { name: 'Next month' }).click();
    await expect.poll(() => calendar.locator('td[data-date] [data-video-id]').count()).toBeGreaterThanOrEqual(28);
    await page.getByRole('button', { name: 'This month' }).click();
    await shot('15-playlist-calendar');
  });

  it('shows views recorded through the viewer API on the analytics page', async () => {
    const viewerLink = (await page.getByRole('link', { name: 'Viewer link' }).getAttribute('href'))!;
    const publicId = viewerLink.split('/v/')[1]!;
    const client = createArvliteClient({ url: `${baseUrl}/trpc` });
    const first = await client.viewer.startSession.mutate({
      publicId,
      device: { platform: 'ios', installId: 'e2e-device-aaaaaaaaaaaa' },
    });
    await client.viewer.startSession.mutate({
      publicId,
      device: { platform: 'android', installId: 'e2e-device-bbbbbbbbbbbb' },
    });
    await client.viewer.endSession.mutate({
      sessionId: first.sessionId,
      watchedMs: 3000,
      trackingLostCount: 0,
      completed: true,
    });

    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();
    // Opened from the item: only its views.
    await expect.poll(() => page.getByRole('combobox', { name: 'AR content' }).inputValue()).toBe('Harbour poster');
    const stat = (name: string) => page.locator(`[data-stat="${name}"]`);
    await expect.poll(() => stat('views').textContent()).toContain('2');
    expect(await stat('unique-devices').textContent()).toContain('2');
    expect(await stat('completion').textContent()).toContain('100%');
    expect(await stat('median-watch').textContent()).toMatch(/0:0[2-3]/);
    // Screen readers get the numbers as a table under each chart.
    const views = page.getByRole('table', { name: 'Views' });
    expect(await views.locator('tbody tr').count()).toBeGreaterThanOrEqual(30);
    expect(
      await views.locator('tbody td').evaluateAll((tds) => tds.reduce((n, td) => n + Number(td.textContent), 0)),
    ).toBe(2);
    // One day holds both views: one bar drawn, the rest flat.
    const drawn = (chart: string) =>
      page
        .locator(`figure[data-chart="${chart}"] svg rect`)
        .evaluateAll((rects) => rects.filter((r) => Number(r.getAttribute('height')) > 0).length);
    expect(await drawn('Views')).toBe(1);
    expect(await drawn('Unique devices')).toBe(1);
    // One view from each platform: half the views each.
    const devices = page.getByRole('table', { name: 'Devices', exact: true });
    expect(
      await devices
        .locator('tbody tr')
        .evaluateAll((rows) =>
          rows
            .map((r) => [
              r.getAttribute('data-platform'),
              r.querySelectorAll('td')[0]!.textContent,
              r.querySelectorAll('td')[1]!.textContent,
            ])
            .sort(),
        ),
    ).toEqual([
      ['android', '1', '50%'],
      ['ios', '1', '50%'],
    ]);
    await page.getByRole('combobox', { name: 'AR content' }).click();
    await page.getByRole('option', { name: 'All AR content in the project' }).click();
    await expect.poll(() => page.url()).not.toContain('item=');
    await expect.poll(() => stat('views').textContent()).toContain('2');
    await shot('16-analytics');

    // Back on the project: the item is listed with its status and its marker's measured detection score.
    await page.getByRole('link', { name: 'Summer campaign' }).click();
    const row = page.getByRole('table', { name: 'AR content' }).getByRole('row').filter({ hasText: 'Harbour poster' });
    await row.waitFor();
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('READY');
    expect(
      Number(await row.locator('[data-detection-score]').getAttribute('data-detection-score')),
    ).toBeGreaterThanOrEqual(40);
    expect(await row.textContent()).toContain('Harbour Ferries Ltd · PO-2026-117');
  });

  it('opens the viewer link: without a camera, the fallback player plays the scheduled video', async () => {
    await page.goto(arUrl);
    const viewerLink = (await page.getByRole('link', { name: 'Viewer link' }).getAttribute('href'))!;
    const viewer = await context.newPage();
    try {
      await viewer.goto(viewerLink);
      await viewer.getByRole('heading', { level: 1, name: 'Harbour poster' }).waitFor();
      // This browser has no camera: the page says so and plays the video instead.
      expect(await viewer.getByRole('alert').textContent()).toContain('so the video plays here instead');
      const video = viewer.getByTestId('fallback-video');
      await expect
        .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 })
        .toBeGreaterThan(0.3);
      const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).not.toBe(t0);
      await viewer.screenshot({ path: path.join(shots, '18-viewer-fallback.png'), animations: 'disabled' });
    } finally {
      await viewer.close();
    }
    await page.goto(projectUrl);
    await page.getByRole('heading', { name: 'AR content' }).waitFor();
  });

  it('archives and deletes AR content after confirming', async () => {
    await page.getByRole('button', { name: 'New AR content' }).click();
    await page.getByLabel('AR content title').fill('Old leaflet');
    await page.getByRole('button', { name: 'Create AR content' }).click();
    await page.getByRole('heading', { level: 1, name: 'Old leaflet' }).waitFor();

    await page.getByRole('button', { name: 'Archive' }).click();
    const archiveDialog = page.getByRole('dialog', { name: 'Archive AR content?' });
    await archiveDialog.getByRole('button', { name: 'Cancel' }).click();
    await archiveDialog.waitFor({ state: 'hidden' });
    expect(await page.locator('h1 ~ [data-status]').first().getAttribute('data-status')).toBe('DRAFT');
    await page.getByRole('button', { name: 'Archive' }).click();
    await archiveDialog.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => page.locator('h1 ~ [data-status]').first().getAttribute('data-status')).toBe('ARCHIVED');
    // Archived: read-only, no marker upload, no playlist changes.
    expect(await page.getByLabel('Marker image to upload').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save details' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add to playlist' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete AR content?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
    await page.getByLabel('Show archived').check();
    const table = page.getByRole('table', { name: 'AR content' });
    await table.getByText('Harbour poster').waitFor();
    expect(await table.getByText('Old leaflet').count()).toBe(0);
    await shot('17-project-ar-content');
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });

  it('works in Russian: a Russian browser signs in, reads its project in Russian, and switches to English', async () => {
    const ru = await launchChromium(path.join(work, 'profile-ru'), {
      locale: 'ru-RU',
      viewport: { width: 1280, height: 800 },
    });
    try {
      const p = ru.pages()[0] ?? (await ru.newPage());
      p.setDefaultTimeout(20_000);
      await p.goto(projectUrl);
      // Signed out: the sign-in page, in the browser's language.
      await p.getByRole('heading', { name: 'Вход' }).waitFor();
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('ru');
      await p.getByLabel('Эл. почта').fill(email);
      await p.locator('input[type=password]').fill(password);
      await p.getByRole('button', { name: 'Войти' }).click();

      await p.getByRole('heading', { name: 'Загрузка видео' }).waitFor();
      const row = p
        .getByRole('table', { name: 'Видео', exact: true })
        .getByRole('row')
        .filter({ hasText: 'harbour-tour' });
      await row.getByText('Готово', { exact: true }).waitFor();
      // Sizes in Russian units (кБ, МБ).
      expect(await row.textContent()).toMatch(/\d[\s\u00a0](кБ|МБ|Б)/);
      await p.getByRole('table', { name: 'AR-контент', exact: true }).getByText('Harbour poster').waitFor();
      await p.screenshot({ path: path.join(shots, '18-project-ru.png'), fullPage: true, animations: 'disabled' });

      await p.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Проекты' }).click();
      await p.getByRole('heading', { level: 1, name: 'Проекты' }).waitFor();
      await p.getByText(/^Занято .+ из .+Б$/).waitFor();

      // The language menu switches at once, and the choice outlives a reload.
      await p.getByRole('button', { name: 'Язык: Русский' }).click();
      await p.getByRole('menuitem', { name: 'English' }).click();
      await p.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
      await p.reload();
      await p.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('en');
    } finally {
      await ru.close();
    }
  });
});
