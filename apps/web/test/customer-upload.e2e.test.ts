// The customer upload link end to end in Debian's Chromium against the real server and worker: the operator creates a
// link on the AR content page, the customer opens /u#<token> on a phone-sized browser (Russian) and uploads a clip
// generated here, the operator previews and approves it, and the public viewer manifest then plays that video.
// Screenshots go to apps/web/test-results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { busyImage, registerUser, type TestUser } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort, waitUntil, type TestDeps } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');

let baseUrl: string;
let deps: TestDeps;
let owner: TestUser;
let companyId: string;
let work: string;
let clip: string;
let item: { id: string; publicId: string };
let operator: BrowserContext;
let phone: BrowserContext;
const consoleErrors: string[] = [];

const poll = { timeout: 120_000 };

const shot = (p: Page, name: string) =>
  p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

async function launch(name: string, options: Parameters<typeof launchChromium>[1] = {}) {
  const context = await launchChromium(path.join(work, name), options);
  context.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`[${name}] ${m.text()}`);
  });
  context.on('weberror', (e) => consoleErrors.push(`[${name}] [page error] ${e.error().message}`));
  return context;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-customer-upload-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  deps = await createTestDeps({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });
  afterAll(async () => {
    await operator?.close();
    await phone?.close();
    await worker.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  owner = await registerUser(client, 'Upload E2E');
  companyId = (await owner.client.company.create.mutate({ name: 'Фотостудия Север' })).id;
  const projectId = (await owner.client.project.create.mutate({ companyId, name: 'Weddings' })).id;

  // The item with a compiled marker, so the viewer can show it once a video plays.
  const created = await owner.client.arContent.create.mutate({ projectId, title: 'Anna & Ivan', widthMm: 150 });
  item = { id: created.id, publicId: created.publicId };
  const png = await busyImage(640, 480, 7);
  const marker = await owner.client.arContent.createMarkerUpload.mutate({
    id: item.id,
    contentType: 'image/png',
    size: png.length,
  });
  expect((await fetch(marker.url, { method: 'PUT', body: new Uint8Array(png), headers: marker.headers })).ok).toBe(
    true,
  );
  await owner.client.arContent.completeMarkerUpload.mutate({ id: item.id });

  // The customer's clip: 3 s with sound, as a phone would record it.
  clip = path.join(work, 'our-wedding.mp4');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=330'],
    ...['-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k'],
    ...['-shortest', clip],
  ]);
  writeFileSync(path.join(work, 'notes.txt'), 'not a video');

  operator = await launch('operator', { viewport: { width: 1280, height: 900 } });
  phone = await launch('phone', {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ru-RU',
  });
}, 240_000);

describe('the customer uploads their own video through a link', () => {
  let uploadUrl = '';
  let op: Page;

  it(
    'the operator creates the link on the AR content page: URL and QR code, shown once',
    { timeout: 180_000 },
    async () => {
      op = operator.pages()[0] ?? (await operator.newPage());
      op.setDefaultTimeout(20_000);
      await op.goto(`${baseUrl}/sign-in`);
      await op.getByLabel('Email').fill(owner.email);
      await op.locator('input[type=password]').fill(owner.password);
      await op.getByRole('button', { name: 'Sign in' }).click();
      await op.getByRole('heading', { name: 'Projects' }).waitFor();

      await op.goto(`${baseUrl}/c/${companyId}/ar/${item.id}`);
      const panel = op.getByTestId('upload-links');
      await panel.getByText('Customer upload link').waitFor();
      await panel.getByLabel('Valid for (days)').fill('3');
      await panel.getByLabel('Largest video (MiB)').fill('50');
      await panel.getByRole('button', { name: 'Create link' }).click();
      const url = op.getByTestId('upload-link-url');
      await url.waitFor();
      uploadUrl = (await url.textContent())!.trim();
      expect(uploadUrl).toMatch(new RegExp(`^${baseUrl.replace(/[.:/]/g, '\\$&')}/u#[A-Za-z0-9_-]{43}$`));
      await expect.poll(() => panel.getByRole('img', { name: 'QR code of the upload link' }).count()).toBe(1);
      await panel.locator('[data-testid=upload-link-row][data-state=OPEN]').waitFor();
      await shot(op, 'customer-upload-01-link-created');
    },
  );

  it(
    'the customer opens it on a phone (in Russian), is refused a non-video, and uploads the clip',
    { timeout: 180_000 },
    async () => {
      const page = phone.pages()[0] ?? (await phone.newPage());
      page.setDefaultTimeout(20_000);
      await page.goto(uploadUrl);
      await page.getByRole('heading', { name: 'Ваше видео для «Anna & Ivan»' }).waitFor();
      await page.getByText('Фотостудия Север просит прислать видео').waitFor();
      await expect.poll(() => page.getByTestId('customer-upload-limits').textContent()).toContain('50');
      await shot(page, 'customer-upload-02-phone');

      const input = page.locator('input[type=file]');
      await input.setInputFiles(path.join(work, 'notes.txt'));
      await page.getByText('Такое видео мы не примем').waitFor();
      expect(await page.getByRole('button', { name: 'Загрузить' }).isDisabled()).toBe(true);

      await input.setInputFiles(clip);
      await page.getByRole('button', { name: 'Загрузить' }).click();
      await page.getByTestId('customer-upload-done').waitFor({ timeout: 60_000 });
      await page.getByText('Спасибо!').waitFor();
      await shot(page, 'customer-upload-03-done');

      // The link is used up: opening it again says so.
      await page.reload();
      await page.locator('[data-testid=customer-upload-closed][data-reason=USED]').waitFor();
      // A link that does not exist reads as not found.
      await page.goto(`${baseUrl}/u#${'B'.repeat(43)}`);
      await page.locator('[data-testid=customer-upload-closed][data-reason=NOT_FOUND]').waitFor();
    },
  );

  it(
    'the operator previews the processed video and approves it; the viewer manifest then plays it',
    { timeout: 180_000 },
    async () => {
      const { items } = await owner.client.arContent.uploadLinks.query({ id: item.id });
      const videoId = items[0]!.video!.id;
      const ready = await waitUntil(
        'the customer video READY',
        () => owner.client.video.byId.query({ id: videoId }),
        (v) => v.status === 'READY' || v.status === 'FAILED',
        poll,
      );
      expect(ready.status).toBe('READY');
      // Not live yet: nothing plays on the item.
      const before = await owner.client.viewer.manifest.query({ publicId: item.publicId });
      expect(before.ok).toBe(false);

      const panel = op.getByTestId('upload-links');
      const row = panel.locator('[data-testid=upload-link-row][data-state=UPLOADED]');
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole('button', { name: 'Preview' }).click();
      await panel.locator('video').waitFor();
      await shot(op, 'customer-upload-04-review');
      await row.getByRole('button', { name: 'Approve' }).click();
      await panel.locator('[data-testid=upload-link-row][data-state=APPROVED]').waitFor();

      const playlist = await owner.client.playlist.get.query({ id: item.id });
      expect(playlist.defaultVideoId).toBe(videoId);
      const manifest = await waitUntil(
        'the viewer manifest to play the customer video',
        () => owner.client.viewer.manifest.query({ publicId: item.publicId }),
        (m) => m.ok,
        poll,
      );
      if (!manifest.ok) throw new Error('manifest not ok');
      expect(manifest.content.title).toBe('Anna & Ivan');
      expect(manifest.video.durationS).toBeGreaterThan(2.5);
      const hls = await fetch(manifest.video.hlsUrl);
      expect(hls.ok).toBe(true);
      expect(await hls.text()).toContain('#EXTM3U');
      expect(consoleErrors).toEqual([]);
    },
  );
});
