// The API keys page end to end in Debian's Chromium (playwright-core, no browser download) against the real server: an
// admin creates a key on the page and sees it once, the key answers a REST call as `Authorization: Bearer`, its last
// use shows in the list, and after revoking it on the page the same call is refused; both changes are in the audit log.
// Screenshots go to apps/web/test-results/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { API_KEY_PREFIX } from '@arvlite/client';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { registerUser, type TestUser } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');

let baseUrl: string;
let work: string;
let context: BrowserContext;
let page: Page;
let admin: TestUser;
let projectId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  // The current source, built into a directory of this file's own (other e2e files build at the same time).
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-api-keys-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({ PORT: String(port), PUBLIC_URL: baseUrl, LOG_LEVEL: 'error' });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  mkdirSync(shots, { recursive: true });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  admin = await registerUser(client, 'Ada Admin');
  const companyId = (await admin.client.company.create.mutate({ name: 'Harbour Prints' })).id;
  projectId = (await admin.client.project.create.mutate({ companyId, name: 'Shop orders' })).id;

  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 1440, height: 900 },
    args: ['--disable-gpu'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // Registered after createTestDeps' own cleanup, so it runs before the database and storage close.
  afterAll(async () => {
    await context?.close();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 120_000);

const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

/** A REST list call made with the key, as an integrator's code would make it. */
const listVideos = (key: string) =>
  fetch(`${baseUrl}/api/v1/videos?projectId=${projectId}&limit=5`, { headers: { authorization: `Bearer ${key}` } });

describe('API keys page in a real browser', () => {
  let key = '';

  it('creates a key that is shown once and works as a Bearer token for REST', async () => {
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(admin.email);
    await page.locator('input[type=password]').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByText('No API keys yet.').waitFor();

    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByLabel('Name').fill('Online shop');
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Viewer' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByLabel('API key Online shop');
    await shown.waitFor();
    await page.getByText('This key is shown only once.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Copy key' }).waitFor();
    key = (await shown.textContent()) ?? '';
    expect(key).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    await page.waitForTimeout(300); // let the dialog finish opening for the screenshot
    await shot('api-keys-01-shown-once');
    await page.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });

    // Once closed, the page shows the prefix only.
    const row = page.getByRole('table', { name: 'API keys' }).locator('tr', { hasText: 'Online shop' });
    await expect.poll(() => row.getAttribute('data-state')).toBe('active');
    await row.getByText(`${key.slice(0, API_KEY_PREFIX.length + 8)}…`).waitFor();
    await row.getByText('Viewer').waitFor();
    await row.getByText('Not used yet').waitFor();
    expect(await page.content()).not.toContain(key);

    const ok = await listVideos(key);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ items: [], nextCursor: null });

    // The list records the use.
    await page.reload();
    await row.getByText('Active').waitFor();
    expect(await row.getByText('Not used yet').count()).toBe(0);
    await shot('api-keys-02-list');
  });

  it('revokes the key after confirmation, and the key stops working at once', async () => {
    const row = page.getByRole('table', { name: 'API keys' }).locator('tr', { hasText: 'Online shop' });
    await row.getByRole('button', { name: 'Revoke the key Online shop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this API key?' });
    await dialog.waitFor();
    await shot('api-keys-03-confirm-revoke');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.getAttribute('data-state')).toBe('revoked');
    await row.getByText('Revoked').waitFor();
    expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);

    const refused = await listVideos(key);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED' });

    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.getByText('api-key.create').waitFor();
    await log.getByText('api-key.revoke').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
