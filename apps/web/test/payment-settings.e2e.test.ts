// The Payments settings page end to end in Debian's Chromium against the real server: an admin chooses Stripe, enters a
// test secret key and webhook signing secret, saves, and after a reload sees Stripe chosen, the keys only as hints and
// the notification URL to give Stripe; a malformed key is refused before anything is sent; switching back to bank
// transfer keeps the keys; the stored row holds no plaintext secret; a viewer gets no form (and the API refuses them).
// Screenshots go to apps/web/test-results/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteNodeClient, errorCode, type ArvliteClient } from '@arvlite/client/node';
import { markEmailVerified, registerUser, type TestUser } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');

// Test-mode credentials in Stripe's documented shapes (never sent anywhere: saving settings calls no provider).
const STRIPE_KEY = 'sk_test_51PaymentsPageE2eKey0123456789abcdefWXYZ';
const WEBHOOK_SECRET = 'whsec_PaymentsPageE2eSigningSecret0123456789';

let baseUrl: string;
let work: string;
let context: BrowserContext;
let page: Page;
let admin: TestUser;
let viewer: TestUser;
let companyId: string;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
const pageErrors: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-payments-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  deps = await createTestDeps({ PORT: String(port), PUBLIC_URL: baseUrl, LOG_LEVEL: 'error' });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  mkdirSync(shots, { recursive: true });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  admin = await registerUser(client, 'Ada Admin');
  viewer = await registerUser(client, 'Vera Viewer');
  await markEmailVerified(deps, admin.userId);
  await markEmailVerified(deps, viewer.userId);
  companyId = (await admin.client.company.create.mutate({ name: 'Harbour Prints' })).id;
  await deps.orm
    .fork()
    .execute(
      `insert into membership (id, company_id, user_id, role, created_at, updated_at) values (gen_random_uuid(), ?, ?, 'viewer', now(), now())`,
      [companyId, viewer.userId],
    );

  context = await launchChromium(path.join(work, 'profile'), {
    viewport: { width: 1440, height: 900 },
    args: ['--disable-gpu'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // Registered after createTestDeps' own cleanup, so it runs before the database closes.
  afterAll(async () => {
    await context?.close();
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
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

async function storedRow() {
  const rows = await deps.orm
    .fork()
    .execute<Record<string, string | null>[]>(`select * from payment_settings where company_id = ?`, [companyId]);
  return rows[0];
}

describe('Payments settings page in a real browser', () => {
  it('sets Stripe up: keys saved, shown after a reload only as hints, with the webhook URL to give Stripe', async () => {
    await signIn(admin);
    await page.getByRole('link', { name: 'Payments', exact: true }).click();
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
    await page.getByText('New payments now go through: Bank transfer (manual).').waitFor();

    await page.getByRole('radio', { name: 'Stripe' }).check();
    const url = page.locator('[data-notification-url]');
    expect(await url.textContent()).toBe(`${baseUrl}/payments/stripe/${companyId}/webhook`);
    await page
      .getByText(/add an endpoint with this URL for the checkout\.session\.completed and charge\.refunded/)
      .waitFor();

    // Choosing Stripe without its keys is refused on the page, and nothing is stored.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Type both the secret key and the signing secret to change either of them.').first().waitFor();
    // A malformed key is refused with what is expected, before anything is sent.
    await page.getByLabel('Secret key', { exact: true }).fill('pk_test_notasecretkey123');
    await page.getByLabel('Webhook signing secret', { exact: true }).fill(WEBHOOK_SECRET);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('A secret key starts with sk_live_, sk_test_, rk_live_ or rk_test_.').waitFor();
    expect(await storedRow()).toBeUndefined();

    await page.getByLabel('Secret key', { exact: true }).fill(STRIPE_KEY);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Payment settings saved').waitFor();
    await page.getByText('New payments now go through: Stripe.').waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
    await page.getByText('New payments now go through: Stripe.').waitFor();
    expect(await page.getByRole('radio', { name: 'Stripe' }).isChecked()).toBe(true);
    await page.getByText(`Saved: sk_test_…${STRIPE_KEY.slice(-4)}.`, { exact: false }).waitFor();
    await page.getByText(`Saved: whsec_…${WEBHOOK_SECRET.slice(-4)}.`, { exact: false }).waitFor();
    expect(await page.getByLabel('Secret key', { exact: true }).inputValue()).toBe('');
    expect(await page.locator('[data-notification-url]').textContent()).toBe(
      `${baseUrl}/payments/stripe/${companyId}/webhook`,
    );
    const html = await page.content();
    expect(html).not.toContain(STRIPE_KEY);
    expect(html).not.toContain(WEBHOOK_SECRET);
    await shot('payments-01-stripe-saved');

    // The row holds the provider and ciphertext only.
    const row = await storedRow();
    expect(row).toMatchObject({ provider: 'stripe' });
    const stored = JSON.stringify(row);
    expect(row!.stripe_secret_key_encrypted).toBeTruthy();
    expect(row!.stripe_webhook_secret_encrypted).toBeTruthy();
    expect(stored).not.toContain(STRIPE_KEY);
    expect(stored).not.toContain(WEBHOOK_SECRET);
    expect(stored).not.toContain(STRIPE_KEY.slice(8));
    expect(stored).not.toContain(WEBHOOK_SECRET.slice(6));
  });

  it('shows the YooKassa URL, and switching back to bank transfer keeps the Stripe keys', async () => {
    await page.getByRole('radio', { name: 'YooKassa' }).check();
    expect(await page.locator('[data-notification-url]').textContent()).toBe(
      `${baseUrl}/payments/yookassa/${companyId}/notifications`,
    );
    await page.getByText(/open Integration → HTTP notifications, paste this URL/).waitFor();
    // YooKassa has no keys yet: the server's typed refusal is not reached, the page asks for them first.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Enter the shop ID: digits only.').waitFor();

    await page.getByRole('radio', { name: 'Bank transfer (manual)' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('New payments now go through: Bank transfer (manual).').waitFor();
    await page.reload();
    await page.getByText('New payments now go through: Bank transfer (manual).').waitFor();
    expect(await page.getByRole('radio', { name: 'Bank transfer (manual)' }).isChecked()).toBe(true);
    expect(await storedRow()).toMatchObject({ provider: 'manual' });

    // The API's own typed refusal: choosing YooKassa without credentials changes nothing.
    const refused = await admin.client.paymentSettings.update
      .mutate({ companyId, provider: 'yookassa' })
      .catch((e: unknown) => e);
    expect(errorCode(refused)).toBe('BAD_REQUEST');
    expect((refused as { data?: { details?: { reason?: string } } }).data?.details?.reason).toBe(
      'PAYMENT_PROVIDER_NOT_CONFIGURED',
    );
    expect(await storedRow()).toMatchObject({ provider: 'manual' });

    // The Stripe keys are still there for when it is chosen again.
    const settings = await admin.client.paymentSettings.get.query({ companyId });
    expect(settings.stripe?.secretKeyHint).toBe(`sk_test_…${STRIPE_KEY.slice(-4)}`);
    await shot('payments-02-manual');
  });

  it('gives a viewer no form, and the API refuses them', async () => {
    await page.getByRole('button', { name: /Ada Admin/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(viewer);
    expect(await page.getByRole('link', { name: 'Payments', exact: true }).count()).toBe(0);
    await page.goto(`${baseUrl}/c/${companyId}/payments`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Only the company’s admins and owners can set up payments.' })
      .waitFor();
    expect(await page.getByRole('radio').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await shot('payments-03-viewer');

    const refused = await viewer.client.paymentSettings.update
      .mutate({ companyId, provider: 'manual' })
      .catch((e: unknown) => e);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(pageErrors).toEqual([]);
  });
});
