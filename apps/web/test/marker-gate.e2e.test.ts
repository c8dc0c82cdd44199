// The marker detection gate in the dashboard, in Debian's Chromium against the real server and worker: a detailed
// photo to be printed 2 cm wide compiles, fails the gate (not detected head-on at 30 cm at that size) and is not
// published; the page says why, shows "Measuring detection…" until the report arrives, then the measured range, the
// heatmap and the advice; "Publish anyway" (behind a confirmation) publishes it. Screenshots go to
// apps/web/test-results/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { busyImage } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');

let baseUrl: string;
let context: BrowserContext;
let page: Page;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-web-gate-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });
  const reserved = await reservePort();
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({ PORT: String(port), PUBLIC_URL: baseUrl, WORKER_POLL_INTERVAL_MS: '200' });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });

  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 1280, height: 900 },
    args: ['--disable-gpu'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => console.error('[page error]', e.message));

  afterAll(async () => {
    await context?.close();
    await worker.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

describe('a marker below the detection gate', () => {
  it('signs up and creates an AR item printed 2 cm wide', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Operator');
    await page.getByLabel('Email').fill(`ada+gate${Date.now()}@example.com`);
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
    await page.getByLabel('Project name').fill('Stickers');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Stickers' }).click();
    await page.getByRole('heading', { name: 'AR content' }).waitFor();
    // The page settled first: the email banner and the lists above the button load on their own, and a click aimed
    // before one of them pushed it down would land beside it. That is the likely cause of ci58's failure (the click
    // returned, no dialog opened, under load); it was not reproduced here.
    await page.getByText('Verify your email address').waitFor();
    await page.getByText('No videos yet.').waitFor();
    await page.getByText(/^No AR content yet/).waitFor();
    await page.getByRole('button', { name: 'New AR content' }).click();
    await page.getByLabel('AR content title').fill('Tiny sticker');
    await page.getByRole('button', { name: 'Create AR content' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tiny sticker' }).waitFor();
    await page.getByLabel('Printed width of the marker (mm)').fill('20');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByText('Details saved').waitFor();
  });

  it('holds the compiled marker back, measures it, and publishes it once confirmed', async () => {
    const marker = path.join(work, 'sticker.png');
    writeFileSync(marker, await busyImage(800, 600));
    await page.getByLabel('Marker image to upload').setInputFiles(marker);

    // Compiled but not published: the page says why and offers Publish anyway.
    const held = page.locator('[data-awaiting-confirmation]');
    await held.waitFor({ timeout: 120_000 });
    expect(await held.getAttribute('data-awaiting-confirmation')).toBe('1');
    await page.getByText('Not published: phones may not detect this marker').waitFor();
    await page
      .getByText(/At its printed size \(20 mm\) the new marker was detected head-on at 30 cm in \d+% of the views/)
      .waitFor();
    expect(await page.locator('h1 ~ [data-status]').first().getAttribute('data-status')).toBe('DRAFT');
    await page.getByText('Awaiting confirmation', { exact: true }).waitFor();

    // The report: measuring first (the page polls), then the measured range, advice and heatmap.
    const report = held.locator('[data-report]');
    const measuring = held.locator('[data-report-measuring]');
    await measuring.or(report).first().waitFor();
    if (await measuring.isVisible()) {
      expect(await measuring.textContent()).toBe('Measuring detection…');
      await shot('15-marker-measuring');
    }
    await report.waitFor({ timeout: 240_000 });
    const range = report.locator('[data-range]');
    const sentence = (await range.textContent())!;
    if ((await range.getAttribute('data-range')) === 'none')
      expect(sentence).toBe('Not detected at its printed size (20 mm) from any distance measured');
    else expect(sentence).toMatch(/^Detected from \d+ cm to \d+ cm at its printed size \(20 mm\)/);
    const advice = report.getByRole('list', { name: 'What to do' }).getByRole('listitem');
    expect(await advice.count()).toBeGreaterThan(0);
    const heatmap = report.locator('svg[data-heatmap]');
    const [cols, rows] = (await heatmap.getAttribute('data-heatmap'))!.split('x').map(Number);
    expect(await heatmap.locator('rect:not([data-weak-region])').count()).toBe(cols! * rows!);
    await shot('16-marker-awaiting-confirmation');

    // Publish anyway: a confirmation first, then READY with the marker in service.
    await held.getByRole('button', { name: 'Publish anyway' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish a marker that may not be detected?' });
    await dialog.getByText(/detected head-on at 30 cm in only \d+% of the views/).waitFor();
    await dialog.getByRole('button', { name: 'Publish anyway' }).click();
    await page.getByText('Marker published', { exact: true }).first().waitFor();
    await expect.poll(() => page.locator('h1 ~ [data-status]').first().getAttribute('data-status')).toBe('READY');
    expect(await page.locator('[data-awaiting-confirmation]').count()).toBe(0);
    await page.getByText('Published', { exact: true }).waitFor();
    // The published marker keeps its report.
    await page.locator('[data-report="1"] [data-range]').waitFor();
    await page.getByRole('meter', { name: 'Detection score' }).first().waitFor();
    await shot('17-marker-published-anyway');
  }, 420_000);
});
