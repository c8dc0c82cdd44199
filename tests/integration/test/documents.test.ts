// Invoices, credit notes and print files end to end with a real worker: paying an order stores the invoice PDF once and
// mails the customer a capability link; a refund stores a credit note; an AR item with a compiled marker gets print
// files (page size, call to action in the customer's language, the low-resolution warning) and the order a print sheet.
// Every PDF is downloaded from storage through the answers' presigned URLs and read back with unpdf.
import { createHash } from 'node:crypto';
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { busyImage } from '@arvlite/marker/testing';
import { waitUntil } from '@arvlite/test-utils';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { mailLink, mailsTo, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let stranger: TestUser;
let companyId: string;
let projectId: string;
const { mailDir } = inject('testServices');
const email = `olga-${Date.now()}@example.com`;
const MM = 72 / 25.4;

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected the call to fail');
}
const reasonOf = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details?.reason;

const poll = { timeout: 120_000 };

/** The invoice's download once the worker has stored its PDF (PRECONDITION_FAILED until then). */
function invoiceReady(invoiceId: string) {
  return waitUntil(
    `PDF of ${invoiceId}`,
    () =>
      owner.client.order.invoiceDownload.query({ invoiceId }).catch((e: unknown) => {
        if (e instanceof TRPCClientError && reasonOf(e) === 'INVOICE_NOT_RENDERED') return null;
        throw e;
      }),
    (v) => v !== null,
    poll,
  ).then((v) => v!);
}

async function bytesOf(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function pdfPages(pdf: Buffer) {
  const { text } = await extractText(new Uint8Array(pdf), { mergePages: false });
  const proxy = await getDocumentProxy(new Uint8Array(pdf));
  const sizes = [];
  for (let i = 1; i <= proxy.numPages; i++) {
    const [x0, y0, x1, y1] = (await proxy.getPage(i)).view as [number, number, number, number];
    sizes.push({ width: x1 - x0, height: y1 - y0 });
  }
  return { text: text.map((t) => t.replace(/\s+/g, ' ').replace(/\u00a0|\u202f/g, ' ')), sizes };
}

let orderId: string;
let orderNumber: number;
let arContentId: string;
let invoice: { id: string; number: string };

beforeAll(async () => {
  platform = await startTestPlatform({ worker: true });
  owner = await registerUser(platform.client);
  stranger = await registerUser(platform.client);
  const company = await owner.client.company.create.mutate({ name: 'Фотолаб' });
  companyId = company.id;
  await stranger.client.company.create.mutate({ name: 'Other lab' });
  await owner.client.company.update.mutate({
    id: companyId,
    billing: {
      legalName: 'ООО «Живое фото»',
      address: 'Москва, ул. Тверская, д. 1',
      taxId: '7701234567',
      bankDetails: 'р/с 40702810900000000001, БИК 044525000',
    },
  });
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Заказы' })).id;
}, 120_000);

describe('invoices', () => {
  it('stores the PDF of a paid order’s invoice once, with the company, customer, lines and totals', async () => {
    const card = await owner.client.product.create.mutate({
      companyId,
      kind: 'AR_CARD',
      name: 'AR-открытка',
      priceMinor: 150_000,
      currency: 'RUB',
      taxRateBp: 2000,
      taxInclusive: true,
      termMonths: 12,
    });
    const order = await owner.client.order.create.mutate({
      projectId,
      currency: 'RUB',
      customer: { name: 'Ольга Смирнова', email, language: 'ru' },
    });
    orderId = order.id;
    orderNumber = order.number;
    await owner.client.order.addItem.mutate({ orderId, productId: card.id, quantity: 2, title: 'Свадьба' });
    await owner.client.order.place.mutate({ id: orderId });
    const paid = await owner.client.order.markPaid.mutate({ id: orderId, reference: 'BANK-42' });
    invoice = paid.invoice;

    const download = await invoiceReady(invoice.id);
    expect(download).toMatchObject({ invoiceId: invoice.id, number: invoice.number, kind: 'INVOICE' });
    expect(download.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    const pdf = await bytesOf(download.url);
    const { text } = await pdfPages(pdf);
    const all = text.join(' ');
    for (const expected of [
      `Счёт № ${invoice.number}`,
      `#${orderNumber}`,
      'ООО «Живое фото»',
      'ИНН: 7701234567',
      'р/с 40702810900000000001',
      'Ольга Смирнова',
      email,
      'AR-открытка: Свадьба',
      '1 500,00 ₽',
      '20 % вкл.',
      '3 000,00 ₽',
      'Без налога 2 500,00 ₽',
      'Налог 500,00 ₽',
      'Итого 3 000,00 ₽',
    ]) {
      expect(all).toContain(expected);
    }

    // Stored at the invoice's own key, and that key is what the row points to.
    const key = `${companyId}/orders/${orderId}/invoices/${invoice.id}.pdf`;
    const [row] = await platform.deps.orm
      .fork()
      .execute<{ pdf_key: string }[]>('select pdf_key from invoice where id = ?', [invoice.id]);
    expect(row!.pdf_key).toBe(key);
    expect(Buffer.from(await platform.deps.storage.getBytes(key)).equals(pdf)).toBe(true);
  });

  it('mails the customer a link that outlives presigned URLs and opens only that PDF; its token is stored hashed', async () => {
    const mails = await waitUntil(
      'the invoice mail',
      () => mailsTo(mailDir, email, 1, 1000),
      // A mail is read while the SMTP server may still be writing it: wait for its text part too.
      (ms) => ms.some((m) => m.subject === `Счёт ${invoice.number}` && m.text?.includes('/d?token=')),
      poll,
    );
    const mail = mails.find((m) => m.subject === `Счёт ${invoice.number}` && m.text?.includes('/d?token='))!;
    expect(mail.text!.replace(/\u00a0|\u202f/g, ' ')).toContain('на сумму 3 000,00 ₽');
    const link = mailLink(mail, platform.baseUrl, '/d?token=');
    const token = new URL(link).searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const sql = platform.deps.orm.fork();
    const links = await sql.execute<{ token_hash: string }[]>(
      'select token_hash from document_link where invoice_id = ?',
      [invoice.id],
    );
    expect(links).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex') }]);
    const logged = await sql.execute<{ params: unknown }[]>(
      `select params from email_message where kind = 'invoice' and recipient = ?`,
      [email],
    );
    expect(JSON.stringify(logged)).not.toContain(token);

    const redirect = await fetch(link, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const target = redirect.headers.get('location')!;
    expect(new URL(target).searchParams.get('X-Amz-Expires')).toBe('300');
    const pdf = await bytesOf(target);
    expect((await pdfPages(pdf)).text.join(' ')).toContain(`Счёт № ${invoice.number}`);

    // One character changed (the last, to one it is not: it may already be 'A'), a short one, none.
    const changed = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [changed, 'short', '']) {
      const res = await fetch(`${platform.baseUrl}/d?token=${encodeURIComponent(bad)}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
    }
    // An expired link opens nothing.
    await sql.execute(`update document_link set expires_at = now() - interval '1 second' where invoice_id = ?`, [
      invoice.id,
    ]);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(404);
  });

  it('answers NOT_FOUND for another company’s invoice and refuses bad input', async () => {
    expect((await failure(stranger.client.order.invoiceDownload.query({ invoiceId: invoice.id }))).data?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (
        await failure(
          owner.client.order.invoiceDownload.query({ invoiceId: invoice.id, extra: 1 } as { invoiceId: string }),
        )
      ).data?.code,
    ).toBe('BAD_REQUEST');
  });

  it('stores a credit note for a refund, naming the invoice it corrects', async () => {
    const refunded = await owner.client.order.refund.mutate({
      id: orderId,
      amountMinor: 50_000,
      reason: 'Повреждённая печать',
    });
    const download = await invoiceReady(refunded.creditNote.id);
    expect(download.kind).toBe('CREDIT_NOTE');
    const all = (await pdfPages(await bytesOf(download.url))).text.join(' ');
    for (const expected of [
      `Кредит-нота № ${refunded.creditNote.number}`,
      `К счёту: ${invoice.number}`,
      'Повреждённая печать',
      'Итого к возврату 500,00 ₽',
      'ООО «Живое фото»',
      'Ольга Смирнова',
    ]) {
      expect(all).toContain(expected);
    }
  });
});

describe('print files', () => {
  const statusOf = (printFileId: string) =>
    waitUntil(
      `print file ${printFileId}`,
      () => owner.client.arContent.printFileStatus.query({ printFileId }),
      (s) => s.status !== 'PENDING',
      poll,
    );

  beforeAll(async () => {
    const order = await owner.client.order.byId.query({ id: orderId });
    arContentId = order.items!.find((i) => i.arContentId)!.arContentId!;
    // 1400 × 1900 px: about 313 dpi on A6 with bleed, 159 dpi on A4.
    const photo = await busyImage(1400, 1900);
    const upload = await owner.client.arContent.createMarkerUpload.mutate({
      id: arContentId,
      contentType: 'image/png',
      size: photo.length,
    });
    const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(photo), headers: upload.headers });
    expect(put.ok).toBe(true);
    await owner.client.arContent.completeMarkerUpload.mutate({ id: arContentId });
    await waitUntil(
      'the marker compile',
      () => owner.client.arContent.byId.query({ id: arContentId }),
      (c) => c.status !== 'MARKER_PROCESSING',
      { timeout: 180_000 },
    );
  }, 240_000);

  it('renders an item at A6 with bleed, the call to action in the customer’s language, and no warning', async () => {
    const requested = await owner.client.arContent.printFile.mutate({ id: arContentId, format: 'A6' });
    expect(requested).toMatchObject({ arContentId, format: 'A6' });
    const done = await statusOf(requested.id);
    expect(done).toMatchObject({ status: 'READY', warnings: [], failureCode: null });
    const { text, sizes } = await pdfPages(await bytesOf(done.url!));
    expect(sizes).toHaveLength(3);
    expect(sizes[1]!.width).toBeCloseTo((105 + 20) * MM, 1);
    expect(sizes[1]!.height).toBeCloseTo((148 + 20) * MM, 1);
    expect(text[0]).toContain('Print job ticket (not for printing)');
    expect(text[0]).toContain('Photo: 1400 × 1900 px');
    expect(text[0]).toContain('No warnings.');
    expect(text[2]).toContain('Наведите камеру телефона на фото');

    // The same revision and format answer the same file.
    const again = await owner.client.arContent.printFile.mutate({ id: arContentId, format: 'A6' });
    expect(again.id).toBe(requested.id);
  });

  it('warns when the photo is below 300 dpi at the size, on the ticket and in the answer', async () => {
    const requested = await owner.client.arContent.printFile.mutate({ id: arContentId, format: 'A4' });
    const done = await statusOf(requested.id);
    expect(done.status).toBe('READY');
    expect(done.warnings).toEqual([{ code: 'LOW_RESOLUTION', itemId: arContentId, dpi: 159, minDpi: 300 }]);
    const { text, sizes } = await pdfPages(await bytesOf(done.url!));
    expect(sizes[1]!.width).toBeCloseTo((210 + 20) * MM, 1);
    expect(text[0]).toContain('the photo has 159 dpi at A4 (at least 300 dpi is needed for a sharp print)');
    expect(text[1]).not.toContain('dpi');
  });

  it('packs the order’s items on a print sheet; other companies get NOT_FOUND; bad input is refused', async () => {
    const sheet = await owner.client.order.printSheet.mutate({ id: orderId });
    const done = await waitUntil(
      'the print sheet',
      () => owner.client.order.printSheetStatus.query({ printFileId: sheet.id }),
      (s) => s.status !== 'PENDING',
      poll,
    );
    expect(done.status).toBe('READY');
    const { text } = await pdfPages(await bytesOf(done.url!));
    expect(text[0]).toContain(`Print sheet for order #${orderNumber}`);
    expect(text[0]).toContain('Copies: 2');
    expect(text[2]).toContain('Наведите камеру телефона на фото');

    const notFound = async (p: Promise<unknown>) => expect((await failure(p)).data?.code).toBe('NOT_FOUND');
    await notFound(stranger.client.order.printSheetStatus.query({ printFileId: sheet.id }));
    await notFound(stranger.client.arContent.printFileStatus.query({ printFileId: sheet.id }));
    await notFound(owner.client.arContent.printFileStatus.query({ printFileId: sheet.id }));
    await notFound(stranger.client.order.printSheet.mutate({ id: orderId }));
    await notFound(stranger.client.arContent.printFile.mutate({ id: arContentId, format: 'A6' }));
    const bad = await failure(owner.client.arContent.printFile.mutate({ id: arContentId, format: 'A3' as 'A4' }));
    expect(bad.data?.code).toBe('BAD_REQUEST');
    const custom = await failure(owner.client.arContent.printFile.mutate({ id: arContentId, format: 'CUSTOM' }));
    expect(reasonOf(custom)).toBe('PRINT_WIDTH_MISSING');
  });
});
