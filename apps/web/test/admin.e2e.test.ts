// The installation's admin pages end to end in Debian's Chromium against the real server and a real worker: an
// operator (made one through the service the CLI uses) sees a job that failed for real in the queue page, with its
// error, retries it from the dashboard, and the worker runs it again. The workers page shows the live worker, and a
// member of a company sees nothing of it. Screenshots go to apps/web/test-results/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { admin as adminService } from '@arvlite/api';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { registerUser, type TestUser } from '@arvlite/integration-tests';
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
let operator: TestUser;
let member: TestUser;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let failedJobId: string;
const pageErrors: string[] = [];

interface JobRow {
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  updated_at: Date;
}
const jobRow = async (id: string): Promise<JobRow | undefined> =>
  (
    await deps.orm
      .fork()
      .execute<JobRow[]>(
        'select attempts, max_attempts, last_error, updated_at from graphile_worker.jobs where id = ?',
        [id],
      )
  )[0];

beforeAll(async () => {
  // The current source, built into a directory of this file's own (other e2e files build at the same time).
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-admin-e2e-'));
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
    LOG_LEVEL: 'error',
    WORKER_POLL_INTERVAL_MS: '200',
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 1 });
  mkdirSync(shots, { recursive: true });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  operator = await registerUser(client, 'Olga Operator');
  member = await registerUser(client, 'Mark Member');
  await member.client.company.create.mutate({ name: 'Member Prints' });
  // As `pnpm arvlite create-admin` does it.
  await adminService.grantPlatformAdmin(
    { em: deps.orm.fork(), config: deps.config, actor: { userId: null, requestId: 'cli:e2e' } },
    { email: operator.email },
  );

  // A job that fails for real: a video:process job whose input cannot be read (a payload an older release could
  // have queued). The worker runs it, the task refuses the payload, and graphile-worker keeps it failed with the error.
  const [job] = await deps.orm
    .fork()
    .execute<{ id: string }[]>(
      `select (graphile_worker.add_job('video:process', json_build_object('videoId', 'not-a-video-id'))).id::text as id`,
    );
  failedJobId = job!.id;
  // (expect.poll is for tests; this is setup.)
  for (let i = 0; ; i++) {
    const row = await jobRow(failedJobId);
    if (row && row.attempts >= row.max_attempts && row.last_error !== null) break;
    if (i > 150) throw new Error(`the job did not fail: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 200));
  }

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
}, 180_000);

const shot = (name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

async function signIn(user: TestUser) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(user.email);
  await page.locator('input[type=password]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('installation admin in a real browser', () => {
  it('shows the failed job with its error, retries it from the dashboard, and the worker runs it again', async () => {
    await signIn(operator);
    await page.getByRole('navigation', { name: 'Sections' }).getByText('Installation').click();
    await page.getByRole('link', { name: 'Job queue' }).click();
    await page.getByRole('heading', { name: 'Job queue' }).waitFor();

    const counts = page.getByRole('table', { name: 'Jobs per task and state' });
    const countsRow = counts.locator('tr', { hasText: 'video:process' });
    await countsRow.waitFor();
    // Columns: task, queued, scheduled, running, retrying, failed.
    await expect.poll(() => countsRow.locator('td').nth(5).textContent()).toBe('1');

    const before = (await jobRow(failedJobId))!;
    const row = page.getByRole('table', { name: 'Jobs with errors' }).locator(`tr[data-job-id="${failedJobId}"]`);
    await row.waitFor();
    await row.getByText(`#${failedJobId} · Failed`).waitFor();
    // The error graphile-worker recorded, as the worker threw it.
    const shownError = (await row.locator('td').nth(2).textContent()) ?? '';
    expect(shownError.length).toBeGreaterThan(10);
    expect(shownError).toContain('Invalid payload for video:process');
    expect(before.last_error!.startsWith(shownError.slice(0, 40))).toBe(true);
    await shot('admin-01-queue-failed-job');

    await row.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('The job will run again shortly.').waitFor();

    // Rescheduled with fresh attempts, the worker picks it up and runs it again (it fails again: its input is still
    // unreadable), so its attempts are spent once more and its row was updated after the retry.
    await expect
      .poll(
        async () => {
          const now = await jobRow(failedJobId);
          return !!now && now.attempts >= now.max_attempts && new Date(now.updated_at) > new Date(before.updated_at);
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    const [audit] = await deps.orm
      .fork()
      .execute<{ actor_id: string }[]>(
        `select actor_id from audit_log where action = 'admin.job.retry' and target_id = ?`,
        [failedJobId],
      );
    expect(audit?.actor_id).toBe(operator.userId);

    await page.reload();
    await page.getByRole('table', { name: 'Jobs with errors' }).locator(`tr[data-job-id="${failedJobId}"]`).waitFor();
    await shot('admin-02-queue-after-retry');
  });

  it('shows the live worker with its tasks and load', async () => {
    await page.getByRole('link', { name: 'Workers' }).click();
    await page.getByRole('heading', { name: 'Workers' }).waitFor();
    await page.getByText('1 worker is running.').waitFor();
    await page.getByText('of 1 job slots busy', { exact: false }).waitFor();
    await page.getByText('video:process', { exact: false }).first().waitFor();
    await shot('admin-03-workers');
  });

  it('lists companies and users to the operator', async () => {
    await page.getByRole('link', { name: 'All companies' }).click();
    const companies = page.getByRole('table', { name: 'All companies' });
    await companies.locator('tr', { hasText: 'Member Prints' }).getByText('Free').waitFor();
    await page.getByRole('link', { name: 'All users' }).click();
    const users = page.getByRole('table', { name: 'All users' });
    await users.locator('tr', { hasText: member.email }).waitFor();
    await users.locator('tr', { hasText: operator.email }).getByText('Operator').waitFor();
    await shot('admin-04-users');
  });

  it('shows nothing of it to a company member', async () => {
    await page.evaluate(() => window.localStorage.clear());
    await signIn(member);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByText('Installation').count()).toBe(0);
    await page.goto(`${baseUrl}/admin/queue`);
    await page.getByText('Page not found').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
