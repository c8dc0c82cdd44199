// The business loop end to end in Debian's Chromium against the real server and worker: bulk import of AR content
// from CSV (a bad row shown by the dry run, then the fixed file with its photo), the project edit and invoice details
// pages, a product with a decimal price, an order for a new AR item placed and marked paid with a bank reference (its
// invoice PDF downloaded), the order list's filters, a second order paid online through Stripe in test mode (the
// payments package's local fake, a signed notification), then the AR item the first payment created: its photo
// uploaded and compiled, the order's print sheet downloaded as a PDF, the customer's video uploaded from a phone by the
// upload link and approved by the operator, and the photo playing it in the viewer on Chromium's fake camera.
// Screenshots go to apps/web/test-results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteNodeClient, type ArvliteClient } from '@arvlite/client/node';
import { busyImage, registerUser, type TestUser } from '@arvlite/integration-tests';
import { startFakeStripe, type FakeStripe } from '@arvlite/payments/fakes';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort, waitUntil } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');
/** WebGL without a GPU (SwiftShader), which MindAR's TensorFlow.js backend needs. */
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

let baseUrl: string;
let work: string;
let context: BrowserContext;
let page: Page;
let operator: TestUser;
let companyId: string;
let projectId: string;
let photoPng: string;
let clip: string;
let stripe: FakeStripe;
const pageErrors: string[] = [];

const poll = { timeout: 180_000 };

beforeAll(async () => {
  // The current source, built into a directory of this file's own (other e2e files build at the same time).
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-orders-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });

  // Stripe in test mode: a local server implementing the API calls ARVlite makes (the payments package's fake).
  stripe = await startFakeStripe();
  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({
    PAYMENTS_STRIPE_API_URL: stripe.url,
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'error',
    WORKER_POLL_INTERVAL_MS: '200',
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_ENCODE_CONCURRENCY: '1',
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });

  const client = (getAccessToken?: () => string | null): ArvliteClient =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  operator = await registerUser(client, 'Olga Operator');
  companyId = (await operator.client.company.create.mutate({ name: 'Moments Print Lab', language: 'en' })).id;
  projectId = (await operator.client.project.create.mutate({ companyId, name: 'Wedding prints' })).id;

  // The customer's photo (a busy texture MindAR tracks well) and their video.
  photoPng = path.join(work, 'anna-ben.png');
  writeFileSync(photoPng, await busyImage(640, 480, 11));
  clip = path.join(work, 'first-dance.mp4');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440'],
    ...['-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip],
  ]);

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
    await stripe.close();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

const shot = (name: string, p: Page = page) =>
  p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

const itemsOfProject = async () =>
  (await operator.client.arContent.list.query({ projectId, limit: 100 })).items.map((i) => i.title).sort();

async function choose(label: string, option: string | RegExp) {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

describe('running the AR-print business in a real browser', () => {
  let orderUrl = '';
  let arItemId = '';

  it(
    'signs in and imports AR content from CSV: the dry run shows the bad row and nothing is created until it is fixed',
    { timeout: 120_000 },
    async () => {
      await page.goto(`${baseUrl}/sign-in`);
      await page.getByLabel('Email').fill(operator.email);
      await page.locator('input[type=password]').fill(operator.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      await page.getByRole('link', { name: 'Wedding prints' }).click();
      await page.getByRole('link', { name: 'Import from CSV' }).click();
      await page.getByRole('heading', { name: 'Import AR content from CSV' }).waitFor();

      const bad = path.join(work, 'bad.csv');
      writeFileSync(
        bad,
        [
          'title,customer_name,customer_email,order_ref,photo',
          'Maria & Ivan,Maria K,maria@example.com,SHOP-2001,anna-ben.png',
          ',Pyotr,not-an-email,SHOP-2002,',
        ].join('\n'),
      );
      await page.locator('input[type=file][accept=".csv,text/csv"]').setInputFiles(bad);
      await page.locator('input[type=file][accept="image/jpeg,image/png,image/webp"]').setInputFiles(photoPng);
      await page.getByRole('button', { name: 'Check the file' }).click();
      const errors = page.getByTestId('import-errors');
      await errors.waitFor();
      await page.getByRole('heading', { name: '2 problems to fix' }).waitFor();
      const rows = await errors.locator('tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t').map((c) => c.trim()))).toEqual([
        ['3', 'title', 'Required.'],
        ['3', 'customer_email', 'Not a valid value.'],
      ]);
      expect(await page.getByRole('button', { name: /^Import \d+ item/ }).isDisabled()).toBe(true);
      await shot('orders-01-csv-dry-run-errors');
      expect(await itemsOfProject()).toEqual([]);

      const good = path.join(work, 'good.csv');
      writeFileSync(
        good,
        [
          'title,customer_name,customer_email,order_ref,photo',
          'Maria & Ivan,Maria K,maria@example.com,SHOP-2001,anna-ben.png',
          'Pyotr’s birthday,Pyotr,pyotr@example.com,SHOP-2002,',
        ].join('\n'),
      );
      await page.locator('input[type=file][accept=".csv,text/csv"]').setInputFiles(good);
      await page.getByRole('button', { name: 'Check the file' }).click();
      await page.getByRole('heading', { name: 'The file is ready: 2 items' }).waitFor();
      await page.getByRole('button', { name: 'Import 2 items' }).click();
      await page.getByRole('status').filter({ hasText: 'Imported 2 items.' }).waitFor();
      await shot('orders-02-csv-imported');
      expect(await itemsOfProject()).toEqual(['Maria & Ivan', 'Pyotr’s birthday']);
      // The photo went through the marker upload: the item with a photo is compiling (or done), the other waits for one.
      const items = (await operator.client.arContent.list.query({ projectId, limit: 100 })).items;
      const maria = items.find((i) => i.title === 'Maria & Ivan')!;
      expect(['MARKER_PROCESSING', 'READY']).toContain(maria.status);
      expect(maria.customer).toMatchObject({ name: 'Maria K', email: 'maria@example.com', orderRef: 'SHOP-2001' });
      expect(items.find((i) => i.title === 'Pyotr’s birthday')!.status).toBe('DRAFT');

      await page.getByRole('link', { name: 'Back to the project' }).click();
      await page.getByRole('link', { name: 'Maria & Ivan' }).waitFor();
      // The AR content list finds items by customer and order reference.
      await page.getByLabel('Search AR content').fill('shop-2002');
      await page.getByRole('link', { name: 'Maria & Ivan' }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'Pyotr’s birthday' }).waitFor();
      await page.getByLabel('Search AR content').fill('nobody@nowhere');
      await page.getByText('No AR content matches.').waitFor();
    },
  );

  it(
    'edits the project and fills in the company’s invoice details on the settings page',
    { timeout: 120_000 },
    async () => {
      await page.getByRole('link', { name: 'Edit project' }).click();
      await page.getByRole('heading', { name: 'Edit project' }).waitFor();
      await page.getByLabel('Project name').fill('Wedding prints 2026');
      await page.getByLabel('Description').fill('Photos that play the first dance');
      await page.getByRole('button', { name: 'Save project' }).click();
      await page.getByRole('heading', { name: 'Wedding prints 2026' }).waitFor();
      expect(await operator.client.project.byId.query({ id: projectId })).toMatchObject({
        name: 'Wedding prints 2026',
        description: 'Photos that play the first dance',
      });

      await page.getByRole('link', { name: 'Company settings' }).click();
      await page.getByRole('heading', { name: 'Invoice details' }).waitFor();
      await page.getByLabel('Legal name').fill('Moments Print Lab LLC');
      await page.getByLabel('Address', { exact: true }).fill('1 Harbour Street, Riga');
      await page.getByLabel('Tax ID (INN, VAT number)').fill('LV40003000000');
      await page.getByLabel('Bank details').fill('IBAN LV00 BANK 0000 0000 0000 0');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved').waitFor();
      expect((await operator.client.company.byId.query({ id: companyId })).billing).toEqual({
        legalName: 'Moments Print Lab LLC',
        address: '1 Harbour Street, Riga',
        taxId: 'LV40003000000',
        bankDetails: 'IBAN LV00 BANK 0000 0000 0000 0',
      });
      await shot('orders-03-invoice-details');
    },
  );

  it('creates a product with a decimal price, stored as exact minor units', { timeout: 120_000 }, async () => {
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await page.getByRole('button', { name: 'New product' }).click();
    await page.getByLabel('Name').fill('AR card 10×15');
    await page.getByRole('textbox', { name: 'Price' }).fill('1 490,50');
    await page.getByLabel('Tax rate, %').fill('20');
    await page.getByLabel('Storage term, months').fill('12');
    await page.getByRole('button', { name: 'Save product' }).click();
    const row = page.getByRole('table', { name: 'Products' }).locator('tr', { hasText: 'AR card 10×15' });
    await row.waitFor();
    await row.getByText('20 % included').waitFor();
    await row.getByText('12 months').waitFor();
    expect(await row.textContent()).toContain('1,490.50');
    const [product] = (await operator.client.product.list.query({ companyId })).items;
    expect(product).toMatchObject({ priceMinor: 149050, currency: 'RUB', taxRateBp: 2000, taxInclusive: true });
    await shot('orders-04-product');
  });

  it(
    'creates an order for a new AR item, places it and marks it paid with a bank reference; the invoice is issued',
    { timeout: 180_000 },
    async () => {
      await page.getByRole('link', { name: 'Orders', exact: true }).click();
      await page.getByRole('heading', { name: 'Orders' }).waitFor();
      await page.getByRole('button', { name: 'New order' }).click();
      await page.getByLabel('Customer name').fill('Anna Berg');
      await page.getByLabel('Customer email').fill('anna@example.com');
      await page.getByLabel('Your order reference').fill('SHOP-1001');
      await page.getByRole('button', { name: 'Create order' }).click();
      await page.getByRole('heading', { name: 'Order #1' }).waitFor();
      orderUrl = page.url();

      await choose('Product', /AR card 10×15/);
      await page.getByLabel('Title of the new AR item').fill('Anna & Ben');
      await page.getByRole('button', { name: 'Add item' }).click();
      const line = page.getByRole('table', { name: 'Items' }).locator('tbody tr', { hasText: 'AR card 10×15' });
      await line.getByText('New: “Anna & Ben” (created when paid)').waitFor();
      // Totals come from the server: 1,490.50 with 20 % included is 1,242.08 + 248.42.
      const totals = page.getByLabel('Totals');
      await totals.getByText('RUB 1,242.08').waitFor();
      await totals.getByText('RUB 248.42').waitFor();

      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByText('Placed', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Mark paid' }).click();
      await page.getByLabel('Payment reference').fill('BANK-77-2026');
      await page.getByRole('dialog').getByRole('button', { name: 'Mark paid' }).click();
      await page.getByText('Paid', { exact: true }).first().waitFor();
      await page.getByText('Paid by bank transfer or cash, reference BANK-77-2026').waitFor();
      const year = new Date().getUTCFullYear();
      const invoiceRow = page
        .getByRole('table', { name: 'Invoices and credit notes' })
        .locator('tbody tr', { hasText: `${year}-000001` });
      await invoiceRow.getByText('Invoice', { exact: true }).waitFor();
      // The worker renders the PDF; then the row offers it, and it downloads as a PDF.
      const [invoicePdf] = await Promise.all([
        page.waitForEvent('download'),
        invoiceRow.getByRole('button', { name: `Download ${year}-000001` }).click({ timeout: 60_000 }),
      ]);
      expect(invoicePdf.suggestedFilename()).toBe(`${year}-000001.pdf`);
      const invoiceBytes = readFileSync((await invoicePdf.path())!);
      expect(invoiceBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      await shot('orders-05-paid');

      // Paying created the AR item, with the customer and a validity of the product's 12 months.
      const order = await operator.client.order.byId.query({ id: orderUrl.split('/').pop()! });
      expect(order).toMatchObject({ state: 'PAID', paidMinor: 149050, totalMinor: 149050 });
      arItemId = order.items![0]!.arContentId!;
      expect(arItemId).toBeTruthy();
      const item = await operator.client.arContent.byId.query({ id: arItemId });
      expect(item.customer).toMatchObject({ name: 'Anna Berg', email: 'anna@example.com' });
      const months = (item.expiresAt!.getTime() - Date.now()) / (30.44 * 24 * 3600 * 1000);
      expect(Math.round(months)).toBe(12);
    },
  );

  it('finds the order by the list filters: customer search, state, dates', { timeout: 120_000 }, async () => {
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    const table = page.getByRole('table', { name: 'Orders' });
    await table.getByRole('link', { name: 'Order #1' }).waitFor();
    await page.getByLabel('Search').fill('anna@');
    await table.getByRole('link', { name: 'Order #1' }).waitFor();
    await page.getByLabel('Search').fill('nobody-like-this');
    await table.getByText('No orders match.').waitFor();
    await page.getByLabel('Search').fill('SHOP-1001');
    await choose('State', 'Paid');
    await table.getByRole('link', { name: 'Order #1' }).waitFor();
    await choose('State', 'Shipped');
    await table.getByText('No orders match.').waitFor();
    await choose('State', 'Paid');
    const today = new Date();
    const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    const iso = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    await page.getByLabel('Created from').fill(iso(tomorrow));
    await table.getByText('No orders match.').waitFor();
    await page.getByLabel('Created from').fill(iso(today));
    await table.getByRole('link', { name: 'Order #1' }).waitFor();
    await shot('orders-06-list-filtered');
    await table.getByRole('link', { name: 'Order #1' }).click();
    await page.getByRole('heading', { name: 'Order #1' }).waitFor();
  });

  it(
    'takes a payment online through Stripe in test mode: checkout, the signed notification, the order paid',
    { timeout: 180_000 },
    async () => {
      // The company pays through Stripe (settings by API: the provider settings page is not part of this loop).
      await operator.client.paymentSettings.update.mutate({
        companyId,
        provider: 'stripe',
        stripe: { secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret },
      });
      const [product] = (await operator.client.product.list.query({ companyId })).items;
      const draft = await operator.client.order.create.mutate({
        projectId,
        currency: 'RUB',
        customer: { name: 'Boris Online', email: 'boris@example.com' },
        reference: 'SHOP-1002',
      });
      await operator.client.order.addItem.mutate({ orderId: draft.id, productId: product!.id, title: 'Boris & Vera' });
      await operator.client.order.place.mutate({ id: draft.id });

      // Stripe's hosted checkout cannot be reached from here: the browser gets a stand-in page at its address.
      await page.route('https://checkout.stripe.com/**', (route) =>
        route.fulfill({ contentType: 'text/html', body: '<title>Stripe Checkout (test)</title><h1>Checkout</h1>' }),
      );
      await page.goto(`${baseUrl}/c/${companyId}/orders/${draft.id}`);
      await page.getByRole('heading', { name: 'Order #2' }).waitFor();
      await page.getByRole('button', { name: 'Take payment online' }).click();
      await page.waitForURL(/^https:\/\/checkout\.stripe\.com\/c\/pay\//);
      const sessionId = page.url().split('/').pop()!;
      const session = stripe.sessions.get(sessionId)!;
      expect(session).toMatchObject({ amount_total: 149050, currency: 'rub', client_reference_id: draft.id });
      expect(session.success_url).toBe(`${baseUrl}/c/${companyId}/orders/${draft.id}`);

      // The payer pays; Stripe notifies the platform (signed), and sends the payer back to the order.
      stripe.complete(sessionId);
      const event = stripe.signedEvent('checkout.session.completed', stripe.sessions.get(sessionId));
      const notified = await fetch(`${baseUrl}/payments/stripe/${companyId}/webhook`, {
        method: 'POST',
        body: event.body,
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
      });
      expect(notified.status).toBe(200);
      await page.unroute('https://checkout.stripe.com/**');
      await page.goto(session.success_url);
      await page.getByText('Paid by Stripe, reference').waitFor();
      const year = new Date().getUTCFullYear();
      await page
        .getByRole('table', { name: 'Invoices and credit notes' })
        .locator('tbody tr', { hasText: `${year}-000002` })
        .waitFor();
      expect(await operator.client.order.byId.query({ id: draft.id })).toMatchObject({
        state: 'PAID',
        paidMinor: 149050,
        payment: { provider: 'stripe', reference: sessionId },
      });
      await shot('orders-07-paid-online');
    },
  );

  it(
    'uploads the customer’s photo on the AR item the payment created, compiles it, and downloads the order’s print sheet',
    { timeout: 300_000 },
    async () => {
      await page.goto(orderUrl);
      await page.getByRole('heading', { name: 'Order #1' }).waitFor();
      await page.getByRole('table', { name: 'Items' }).getByRole('link', { name: 'Anna & Ben' }).click();
      await page.getByLabel('Marker image to upload').setInputFiles(photoPng);
      const ready = await waitUntil(
        'the marker to compile',
        () => operator.client.arContent.byId.query({ id: arItemId }),
        (c) => c.status !== 'MARKER_PROCESSING' && c.status !== 'DRAFT',
        poll,
      );
      expect(ready.status).toBe('READY');
      await page.getByRole('img', { name: 'Marker image' }).waitFor();
      await shot('orders-08-marker');

      // The lab's print sheet of the order, now that its item has a photo: rendered by the worker, downloaded as a PDF.
      await page.goto(orderUrl);
      await page.getByRole('button', { name: 'Prepare the print sheet (PDF)' }).click();
      const [sheet] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download the print sheet' }).click({ timeout: 120_000 }),
      ]);
      expect(sheet.suggestedFilename()).toBe('order-1-print.pdf');
      expect(
        readFileSync((await sheet.path())!)
          .subarray(0, 5)
          .toString('latin1'),
      ).toBe('%PDF-');
      await shot('orders-09-print-sheet');
      await page.getByRole('table', { name: 'Items' }).getByRole('link', { name: 'Anna & Ben' }).click();
      await page.getByRole('img', { name: 'Marker image' }).waitFor();
    },
  );

  it('the customer uploads their video by the link, and the operator approves it', { timeout: 300_000 }, async () => {
    await page.getByRole('button', { name: 'Create link' }).click();
    const url = (await page.getByTestId('upload-link-url').textContent())!.trim();
    expect(url).toMatch(new RegExp(`^${baseUrl}/u#[A-Za-z0-9_-]{40,}$`));
    await shot('orders-10-upload-link');

    // The customer: a phone with no session, only the link.
    const phone = await launchChromium(path.join(work, 'customer-phone'), {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      args: ['--disable-gpu'],
    });
    try {
      const customer = phone.pages()[0] ?? (await phone.newPage());
      customer.setDefaultTimeout(20_000);
      await customer.goto(url);
      await customer.getByRole('heading', { name: 'Your video for “Anna & Ben”' }).waitFor();
      await customer.locator('input[type=file]').setInputFiles(clip);
      await customer.getByRole('button', { name: 'Upload' }).click();
      await customer.getByTestId('customer-upload-done').waitFor({ timeout: 60_000 });
      await shot('orders-11-customer-uploaded', customer);
    } finally {
      await phone.close();
    }

    // The operator reviews it once processed, and approves: it becomes the item's video.
    const link = await waitUntil(
      'the customer video to be processed',
      () => operator.client.arContent.uploadLinks.query({ id: arItemId }),
      (r) =>
        r.items.some((l) => l.state === 'UPLOADED' && (l.video?.status === 'READY' || l.video?.status === 'FAILED')),
      poll,
    );
    expect(link.items[0]!.video!.status).toBe('READY');
    await page.reload();
    const row = page.getByTestId('upload-link-row').filter({ hasText: 'To review' });
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('upload-link-row').filter({ hasText: 'Approved' }).waitFor();
    await shot('orders-12-approved');
    const playlist = await operator.client.playlist.get.query({ id: arItemId });
    expect(playlist.current.videoId).toBe(link.items[0]!.video!.id);
  });

  it(
    'plays the customer’s video on the photo in the viewer, on Chromium’s fake camera',
    { timeout: 300_000 },
    async () => {
      const { publicId } = await operator.client.arContent.byId.query({ id: arItemId });
      await playsOnFakeCamera(publicId, 'orders-13-viewer-tracking');
    },
  );

  it('left no errors on the dashboard pages', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** Opens the viewer in a phone-sized Chromium whose camera films the printed photo; the video must play on it. */
async function playsOnFakeCamera(publicId: string, screenshot: string) {
  const feed = path.join(work, 'camera.y4m');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-loop', '1', '-t', '6', '-i', photoPng],
    ...['-vf', 'scale=512:384,pad=640:480:64:48:color=0x808080,fps=15,format=yuv420p,setsar=1', feed],
  ]);
  const camera = await launchChromium(path.join(work, 'fake-camera'), {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${feed}`,
      ...WEBGL_ARGS,
    ],
  });
  try {
    await camera.grantPermissions(['camera'], { origin: baseUrl });
    const arPage = camera.pages()[0] ?? (await camera.newPage());
    arPage.setDefaultTimeout(20_000);
    await arPage.goto(`${baseUrl}/v/${publicId}`);
    const stage = () => arPage.getByTestId('ar-stage').getAttribute('data-stage');
    await expect.poll(stage, { timeout: 120_000, interval: 200 }).toBe('tracking');
    const playing = await waitUntil(
      'the video on the photo to play',
      () =>
        arPage
          .getByTestId('ar-video')
          .evaluate((v: HTMLVideoElement) => ({ t: v.currentTime, paused: v.paused, width: v.videoWidth })),
      (v) => v.t > 0.3 && !v.paused,
      { timeout: 30_000 },
    );
    expect(playing.width).toBe(320);
    await shot(screenshot, arPage);
  } finally {
    await camera.close();
  }
}
