// The notification centre end to end in Debian's Chromium (playwright-core, no browser download) against the real
// server and worker: another admin invites a member, the member.invited event goes through the outbox and the
// notifications consumer, and the owner's bell shows it live (SSE over Postgres NOTIFY); the drawer lists it and
// mark-all-read clears the count. Screenshots go to apps/web/test-results/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { markEmailVerified, registerUser, type TestUser } from '@arvlite/integration-tests';
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
let work: string;
let context: BrowserContext;
let page: Page;
let owner: TestUser;
let admin: TestUser;
let companyId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  // The current source, built into a directory of this file's own (other e2e files build at the same time).
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-notifications-e2e-'));
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
    LOG_LEVEL: 'error',
    WORKER_POLL_INTERVAL_MS: '200',
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  owner = await registerUser(client, 'Olga Owner');
  admin = await registerUser(client, 'Ada Admin');
  await markEmailVerified(deps, owner.userId);
  await markEmailVerified(deps, admin.userId);
  companyId = (await owner.client.company.create.mutate({ name: 'Harbour Prints' })).id;
  await deps.orm
    .fork()
    .execute(
      `insert into membership (id, company_id, user_id, role, created_at, updated_at) values (gen_random_uuid(), ?, ?, 'admin', now(), now())`,
      [companyId, admin.userId],
    );

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
    await worker.stop();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 120_000);

const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

describe('notification centre in a real browser', () => {
  it('shows a new notification live on the bell, lists it, and mark-all-read clears the count', async () => {
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('input[type=password]').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByRole('button', { name: 'Notifications (0 unread)' }).waitFor();

    // Another admin invites someone: the owner hears of it (the inviter does not).
    await admin.client.member.invite.mutate({ companyId, email: 'new.printer@example.com', role: 'viewer' });
    await page.getByRole('button', { name: 'Notifications (1 unread)' }).waitFor({ timeout: 30_000 });
    await shot('notifications-01-bell');

    await page.getByRole('button', { name: 'Notifications (1 unread)' }).click();
    const drawer = page.getByRole('dialog', { name: 'Notifications' });
    await drawer.getByRole('link', { name: 'new.printer@example.com was invited (viewer)' }).waitFor();
    await drawer.getByText('Unread: 1').waitFor();
    await shot('notifications-02-list');

    await drawer.getByRole('button', { name: 'Mark all read' }).click();
    await drawer.getByText('Unread: 0').waitFor();
    await page.getByRole('button', { name: 'Notifications (0 unread)' }).waitFor();
    expect((await owner.client.notification.unreadCount.query()).unread).toBe(0);
    expect((await admin.client.notification.list.query({})).items).toHaveLength(0);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
