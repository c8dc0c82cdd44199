// The dashboard's upload on local-disk storage (STORAGE_PROVIDER=local), in Debian's Chromium against the real server
// and worker: the dashboard learns the store's upload kind ('tus', from auth.me) and builds its uploader with @uppy/tus
// before the first batch (never PUTting through the S3 plugin); a small file goes to READY and plays
// from the server's signed /storage URLs (the player's Range requests); a larger one goes as several tus PATCHes and
// completes. No CSP or CORS errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildServer } from '@arvlite/server';
import { createStorage } from '@arvlite/integration-tests';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const MiB = 1024 * 1024;

let baseUrl: string;
let context: BrowserContext;
let page: Page;
let work: string;
let clip: string;
const storageRequests: { method: string; url: string; status?: number }[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-web-local-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const reserved = await reservePort();
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
    STORAGE_PROVIDER: 'local',
    LOCAL_STORAGE_DIR: path.join(work, 'objects'),
  });
  const platformDeps = { ...deps, storage: createStorage(deps.config) };
  const app = await buildServer(platformDeps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(platformDeps, { concurrency: 2 });

  clip = path.join(work, 'harbour-tour.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=15',
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);

  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 1280, height: 800 },
    args: ['--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/storage/'))
      storageRequests.push({ method: r.request().method(), url: r.url(), status: r.status() });
  });

  afterAll(async () => {
    await context?.close();
    await worker.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

describe('dashboard uploads on local-disk storage', () => {
  const consoleErrors: string[] = [];

  it('signs up and opens a project', async () => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Operator');
    await page.getByLabel('Email').fill(`ada+local${Date.now()}@example.com`);
    await page.locator('input[type=password]').fill('a long enough passphrase 42');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .getByRole('heading', { name: 'New company' })
      .or(page.getByRole('heading', { name: /Create your company/ }))
      .waitFor();
    await page.getByLabel('Company name').fill('Blue Harbour');
    await page.getByRole('button', { name: 'Create company' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Project name').fill('Local campaign');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Local campaign' }).click();
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
  });

  it('uploads a small video over tus, follows it to READY and plays it from signed /storage URLs', async () => {
    await page.getByLabel('Video files to upload').setInputFiles(clip);
    const row = page.getByRole('listitem', { name: 'Upload of harbour-tour.mp4' });
    await expect.poll(() => row.getAttribute('data-upload-phase'), { timeout: 30_000 }).toMatch(/done|failed/);
    if ((await row.getAttribute('data-upload-phase')) !== 'done')
      console.error('[upload failed]', await row.innerText(), JSON.stringify(storageRequests), consoleErrors);
    expect(await row.getAttribute('data-upload-phase')).toBe('done');
    const tus = storageRequests.filter((r) => new URL(r.url).pathname.startsWith('/storage/tus'));
    expect(tus.some((r) => r.method === 'POST' && r.status === 201)).toBe(true);
    expect(tus.some((r) => r.method === 'PATCH' && r.status === 204)).toBe(true);
    expect(tus.filter((r) => r.method === 'PUT')).toEqual([]); // nothing went through the S3 plugin

    await page.getByRole('link', { name: 'harbour-tour', exact: true }).click();
    const badge = page.locator('h1 + [data-status], h1 ~ [data-status]').first();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toBe('READY');
    const video = page.getByLabel('Video: harbour-tour');
    await video.evaluate((el: HTMLVideoElement) => {
      el.muted = true;
      return el.play();
    });
    await expect
      .poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(0.5);
    // The player read its media from the server's signed object URLs.
    expect(storageRequests.some((r) => r.method === 'GET' && /^\/storage\/o\//.test(new URL(r.url).pathname))).toBe(
      true,
    );
    await page.goBack();
  }, 180_000);

  it('uploads a larger file in several tus PATCHes and completes it', async () => {
    const big = path.join(work, 'long-take.mp4');
    const bytes = Buffer.alloc(12 * MiB);
    readFileSync(clip).copy(bytes);
    writeFileSync(big, bytes);
    storageRequests.length = 0;
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
    await page.getByLabel('Video files to upload').setInputFiles(big);
    const row = page.getByRole('listitem', { name: 'Upload of long-take.mp4' });
    await expect.poll(() => row.getAttribute('data-upload-phase'), { timeout: 60_000 }).toBe('done');
    const patches = storageRequests.filter((r) => r.method === 'PATCH' && r.status === 204);
    expect(patches.length).toBe(2); // 12 MiB in 8 MiB chunks
    const status = page.locator('tr', { hasText: 'long-take' }).locator('[data-status]');
    await expect
      .poll(() => status.getAttribute('data-status'), { timeout: 30_000 })
      .toMatch(/UPLOADED|PROCESSING|READY|FAILED/);
    expect(consoleErrors.filter((e) => /Content Security Policy|CORS/i.test(e))).toEqual([]);
  }, 120_000);
});
