// The dashboard's upload on Azure Blob Storage (Azurite), in Debian's Chromium against the real server and worker
// with STORAGE_PROVIDER=azure: a small file through one Put Blob SAS goes to READY and plays; a larger one goes as
// Put Block parts (the uploader reports each part's block ID, since Put Block answers no ETag) and completes. The
// page's CSP must allow the Blob endpoint and Azurite's CORS must allow the page.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestAzurite } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
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
const blobRequests: { method: string; url: string }[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-web-azure-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const reserved = await reservePort();
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const azure = await startTestAzurite([baseUrl]);
  const endpoint = new URL(azure.store.service.url);
  const deps = await createTestDeps({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
    UPLOAD_MULTIPART_THRESHOLD_BYTES: String(8 * MiB),
    UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
    STORAGE_PROVIDER: 'azure',
    AZURE_STORAGE_ENDPOINT: `${endpoint.origin}${endpoint.pathname.replace(/\/$/, '')}`,
    AZURE_STORAGE_ACCOUNT: azure.store.service.accountName,
    AZURE_STORAGE_KEY: Buffer.alloc(64).toString('base64'), // only the CSP reads config.azure; the store is Azurite's
  });
  const platformDeps = { ...deps, storage: azure.store };
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
  page.on('request', (r) => {
    if (r.url().startsWith(endpoint.origin)) blobRequests.push({ method: r.method(), url: r.url() });
  });

  afterAll(async () => {
    await context?.close();
    await worker.stop();
    await app.close();
    await azure.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

describe('dashboard uploads on Azure Blob Storage', () => {
  const consoleErrors: string[] = [];

  it('signs up and opens a project', async () => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Operator');
    await page.getByLabel('Email').fill(`ada+azure${Date.now()}@example.com`);
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
    await page.getByLabel('Project name').fill('Azure campaign');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Azure campaign' }).click();
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
  });

  it('uploads a small video with one Put Blob SAS, follows it to READY and plays it', async () => {
    await page.getByLabel('Video files to upload').setInputFiles(clip);
    const row = page.getByRole('listitem', { name: 'Upload of harbour-tour.mp4' });
    await expect.poll(() => row.getAttribute('data-upload-phase'), { timeout: 30_000 }).toBe('done');
    expect(blobRequests.some((r) => r.method === 'PUT' && r.url.includes('sig='))).toBe(true);

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
    await page.goBack();
  }, 180_000);

  it('uploads a larger file as Put Block parts and completes it', async () => {
    const big = path.join(work, 'long-take.mp4');
    const bytes = Buffer.alloc(12 * MiB);
    readFileSync(clip).copy(bytes);
    writeFileSync(big, bytes);
    blobRequests.length = 0;
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
    await page.getByLabel('Video files to upload').setInputFiles(big);
    const row = page.getByRole('listitem', { name: 'Upload of long-take.mp4' });
    await expect.poll(() => row.getAttribute('data-upload-phase'), { timeout: 60_000 }).toBe('done');
    const blocks = blobRequests
      .filter((r) => r.method === 'PUT' && new URL(r.url).searchParams.get('comp') === 'block')
      .map((r) => new URL(r.url).searchParams.get('blockid'))
      .sort();
    expect(blocks).toEqual(['part00000001', 'part00000002', 'part00000003']);
    const status = page.locator('tr', { hasText: 'long-take' }).locator('[data-status]');
    await expect
      .poll(() => status.getAttribute('data-status'), { timeout: 30_000 })
      .toMatch(/UPLOADED|PROCESSING|READY|FAILED/);
    expect(consoleErrors.filter((e) => /Content Security Policy|CORS/i.test(e))).toEqual([]);
  }, 120_000);
});
