// The Webhooks page end to end in Debian's Chromium against the real server and worker: an admin adds an endpoint (its
// secret shown once), sends a test event that a local receiver gets, sees it delivered in the log, replays it, and a URL
// inside the network is refused with a translated reason. Screenshots go to apps/web/test-results/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { registerUser, type TestUser } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');
const { smtpPort } = inject('testServices');

let baseUrl: string;
let work: string;
let context: BrowserContext;
let page: Page;
let admin: TestUser;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-webhooks-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/arvlite-hooks`;

  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'error',
    WORKER_POLL_INTERVAL_MS: '200',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  admin = await registerUser(client, 'Ada Admin');
  await admin.client.company.create.mutate({ name: 'Harbour Prints' });

  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 1440, height: 900 },
    args: ['--disable-gpu'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => void d.accept());

  afterAll(async () => {
    await context?.close();
    await worker.stop();
    await app.close();
    receiver.closeAllConnections();
    receiver.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

describe('Webhooks page in a real browser', () => {
  it('adds an endpoint, shows its secret once, sends a test event and shows it delivered', async () => {
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(admin.email);
    await page.locator('input[type=password]').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No endpoints yet.').waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    await page.getByLabel('Description').fill('Order system');
    await page.getByRole('checkbox', { name: 'marker.published' }).check();
    await page.getByRole('button', { name: 'Save' }).click();

    const secret = page.locator('[data-secret]');
    await secret.waitFor();
    const value = (await secret.textContent()) ?? '';
    expect(value).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.waitForTimeout(300);
    await shot('webhooks-01-secret-once');
    await page.getByRole('button', { name: 'Done' }).click();
    await secret.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(value);

    const row = page.getByRole('table', { name: 'Webhooks' }).getByRole('row', { name: /Order system/ });
    await row.getByText('Enabled').waitFor();
    await row.getByText('marker.published').waitFor();

    await row.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => received.length).toBe(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'webhook.test', version: 1 });
    expect(received[0]!.headers['webhook-signature']).toMatch(/^v1,/);

    const log = page.getByRole('table', { name: 'Deliveries' });
    await log.getByText('Delivered').waitFor();
    await log.getByText(/#1: 200 in \d+ ms/).waitFor();
    await log.getByText('thanks').waitFor();
    await shot('webhooks-02-delivered');
  });

  it('replays a delivery and refuses a URL inside the network', async () => {
    const log = page.getByRole('table', { name: 'Deliveries' });
    await log.getByRole('button', { name: 'Replay' }).first().click();
    await expect.poll(() => received.length).toBe(2);
    expect(received[1]!.headers['webhook-id']).toBe(received[0]!.headers['webhook-id']);
    await log.getByText(/Replay · sequence 1/).waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill('https://169.254.169.254/latest/meta-data/');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('This address is inside a private network and cannot receive webhooks.').waitFor();
    await shot('webhooks-03-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();

    const row = page.getByRole('table', { name: 'Webhooks' }).getByRole('row', { name: /Order system/ });
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
