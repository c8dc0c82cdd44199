// The dashboard end to end in Debian's Chromium (playwright-core, no browser download) against the real server and
// worker: sign up, company, project, upload through the page's file input, processing to READY, playback, and an
// upload resumed after a page reload. Screenshots go to apps/web/test-results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildServer } from '@arvlite/server';
import { createTestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');
const MiB = 1024 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let baseUrl: string;
let context: BrowserContext;
let page: Page;
let work: string;
let clip: string;

beforeAll(async () => {
  // The server serves whatever apps/web/dist holds, so build the current source first (about a second).
  await build({ root: webRoot, logLevel: 'warn', build: { sourcemap: false } });

  const port = await freePort();
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
  const app = await buildServer(deps);
  await app.listen({ host: '127.0.0.1', port });
  const worker = await startWorker(deps, { concurrency: 2 });

  work = mkdtempSync(path.join(tmpdir(), 'arvlite-web-e2e-'));
  clip = path.join(work, 'harbour-tour.mp4');
  execFileSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-shortest', clip,
  ]);
  mkdirSync(shots, { recursive: true });

  context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
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

const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

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
    expect((await page.request.get(`${baseUrl}${asset}`)).headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    const deepLink = await page.request.get(`${baseUrl}/c/any/projects`);
    expect([deepLink.status(), deepLink.headers()['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await page.request.get(`${baseUrl}/assets/missing.js`)).status()).toBe(404);
    expect((await page.request.get(`${baseUrl}/trpc/nope.nothing`)).status()).toBe(404);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Operator');
    await page.getByLabel('Email').fill(`ada+${Date.now()}@example.com`);
    await page.locator('input[type=password]').fill('a long enough passphrase 42');
    await shot('01-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'New company' }).or(page.getByRole('heading', { name: /Create your company/ })).waitFor();
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
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/UPLOADED|PROCESSING|READY/);
    await shot('05-project-uploaded');

    await page.getByRole('link', { name: 'harbour-tour', exact: true }).click();
    await page.getByRole('heading', { name: 'Processing' }).waitFor();
    await shot('06-video-processing');
    const badge = page.locator('h1 + [data-status], h1 ~ [data-status]').first();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('READY');
    await page.getByLabel('Video: harbour-tour').waitFor();
    const steps = await page.locator('[data-step]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-step-status')]));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every(([, s]) => s === 'done' || s === 'skipped')).toBe(true);

    const video = page.getByLabel('Video: harbour-tour');
    await video.evaluate((el: HTMLVideoElement) => {
      el.muted = true;
      return el.play();
    });
    await expect.poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 20_000 }).toBeGreaterThan(0.5);
    await video.evaluate((el: HTMLVideoElement) => el.pause());
    await shot('07-video-ready');
  }, 180_000);

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
    await page.route((url) => partOf(url) >= 2, (route) => void held.push(route));
    page.on('request', (r) => {
      const n = partOf(new URL(r.url()));
      if (n && r.method() === 'PUT') sentParts.push(n);
    });
    const partOneDone = page.waitForResponse((r) => partOf(new URL(r.url())) === 1 && r.request().method() === 'PUT' && r.ok());
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
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/UPLOADED|PROCESSING|READY|FAILED/);
    await shot('10-resumed-upload');
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  }, 120_000);
});
