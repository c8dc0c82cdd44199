// The company logo end to end with a real worker: a presigned PUT of one size, the completion that checks the bytes
// (PNG or JPEG, at most 1 MiB) and copies them to a logo key, the short URL in the company read, the logo on the
// invoice PDF, refusals that change nothing, and another company's id answering NOT_FOUND.
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { waitUntil } from '@arvlite/test-utils';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let stranger: TestUser;
let companyId: string;
let strangerCompanyId: string;
let projectId: string;
/** The documented limit (LOGO_MAX_BYTES in @arvlite/contract). */
const LOGO_MAX_BYTES = 1024 * 1024;

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

async function logoKey(): Promise<string | null> {
  const [row] = await platform.deps.orm
    .fork()
    .execute<{ logo_key: string | null }[]>('select logo_key from company where id = ?', [companyId]);
  return row!.logo_key;
}

async function bytesOf(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** createLogoUpload, the PUT to its URL, completeLogoUpload. */
async function uploadLogo(bytes: Buffer, contentType: 'image/png' | 'image/jpeg') {
  const up = await owner.client.company.createLogoUpload.mutate({ companyId, contentType, size: bytes.length });
  const put = await fetch(up.url, { method: 'PUT', body: new Uint8Array(bytes), headers: up.headers });
  expect(put.status).toBe(200);
  return { up, done: await owner.client.company.completeLogoUpload.mutate({ companyId, key: up.key }) };
}

const poll = { timeout: 120_000 };

const png = () =>
  sharp({ create: { width: 300, height: 100, channels: 3, background: '#cc0033' } })
    .png()
    .toBuffer();
const jpeg = () =>
  sharp({ create: { width: 200, height: 200, channels: 3, background: '#0033cc' } })
    .jpeg()
    .toBuffer();

beforeAll(async () => {
  platform = await startTestPlatform({ worker: true });
  owner = await registerUser(platform.client);
  stranger = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Logo lab' })).id;
  strangerCompanyId = (await stranger.client.company.create.mutate({ name: 'Other lab' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Orders' })).id;
}, 120_000);

describe('company logo', () => {
  it('uploads a PNG, answers its bytes at the company read’s logo URL, and replaces it with a JPEG', async () => {
    expect((await owner.client.company.byId.query({ id: companyId })).logoUrl).toBeNull();
    const bytes = await png();
    const { up, done } = await uploadLogo(bytes, 'image/png');
    expect(done.contentType).toBe('image/png');
    const key = await logoKey();
    expect(key).toMatch(new RegExp(`^${companyId}/logo/[0-9a-f]{32}\\.png$`));
    // The upload key is emptied; only the copy (a key no URL can write) is the logo.
    expect(await platform.deps.storage.head(up.key)).toBeNull();
    const read = await owner.client.company.byId.query({ id: companyId });
    expect(new URL(read.logoUrl!).searchParams.get('X-Amz-Expires')).toBe('900');
    expect((await bytesOf(read.logoUrl!)).equals(bytes)).toBe(true);
    const listed = (await owner.client.company.list.query()).find((c) => c.id === companyId);
    expect(listed!.logoUrl).toBeTruthy();

    const second = await jpeg();
    await uploadLogo(second, 'image/jpeg');
    const next = await logoKey();
    expect(next).toMatch(/\.jpg$/);
    expect(await platform.deps.storage.head(key!)).toBeNull(); // the previous logo is deleted
    expect((await bytesOf((await owner.client.company.byId.query({ id: companyId })).logoUrl!)).equals(second)).toBe(
      true,
    );
  });

  it('draws the logo on a paid order’s invoice', async () => {
    const card = await owner.client.product.create.mutate({
      companyId,
      kind: 'AR_CARD',
      name: 'AR card',
      priceMinor: 100_000,
      currency: 'EUR',
      taxRateBp: 0,
      taxInclusive: true,
      termMonths: 12,
    });
    const order = await owner.client.order.create.mutate({
      projectId,
      currency: 'EUR',
      customer: { name: 'Olga', email: `olga-${Date.now()}@example.com`, language: 'en' },
    });
    await owner.client.order.addItem.mutate({ orderId: order.id, productId: card.id, quantity: 1 });
    await owner.client.order.place.mutate({ id: order.id });
    const paid = await owner.client.order.markPaid.mutate({ id: order.id, reference: 'BANK-1' });
    const download = await waitUntil(
      'the invoice PDF',
      () =>
        owner.client.order.invoiceDownload.query({ invoiceId: paid.invoice.id }).catch((e: unknown) => {
          if (e instanceof TRPCClientError && reasonOf(e) === 'INVOICE_NOT_RENDERED') return null;
          throw e;
        }),
      (v) => v !== null,
      poll,
    );
    const pdf = (await bytesOf(download!.url)).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf).toMatch(/\/Subtype \/Image/);
  });

  it('refuses a wrong type, a size over the limit and unknown keys at the start, changing nothing', async () => {
    const before = await logoKey();
    const bad = [
      { companyId, contentType: 'image/gif', size: 100 },
      { companyId, contentType: 'image/png', size: LOGO_MAX_BYTES + 1 },
      { companyId, contentType: 'image/png', size: 0 },
      { companyId, contentType: 'image/png', size: 100, extra: 1 },
    ];
    for (const input of bad) {
      const e = await failure(
        owner.client.company.createLogoUpload.mutate(
          input as { companyId: string; contentType: 'image/png'; size: number },
        ),
      );
      expect(e.data?.code).toBe('BAD_REQUEST');
    }
    expect(await logoKey()).toBe(before);
  });

  it('refuses a file that is not an image, or larger than 1 MiB, at completion: logo unchanged, upload deleted', async () => {
    const before = await logoKey();
    const text = Buffer.from('this is not an image at all\n'.repeat(10));
    const up = await owner.client.company.createLogoUpload.mutate({
      companyId,
      contentType: 'image/png',
      size: text.length,
    });
    expect((await fetch(up.url, { method: 'PUT', body: new Uint8Array(text), headers: up.headers })).status).toBe(200);
    const e = await failure(owner.client.company.completeLogoUpload.mutate({ companyId, key: up.key }));
    expect(e.data?.code).toBe('BAD_REQUEST');
    expect(reasonOf(e)).toBe('UNSUPPORTED_IMAGE');
    expect(await logoKey()).toBe(before);
    expect(await platform.deps.storage.head(up.key)).toBeNull();
    // The attempt is closed: completing it again finds no upload.
    expect(reasonOf(await failure(owner.client.company.completeLogoUpload.mutate({ companyId, key: up.key })))).toBe(
      'NO_UPLOAD',
    );

    // A store that ignored the signed length would hold a larger object: the completion checks the size itself.
    const big = await owner.client.company.createLogoUpload.mutate({ companyId, contentType: 'image/png', size: 1000 });
    const oversize = Buffer.alloc(LOGO_MAX_BYTES + 1);
    (await png()).copy(oversize);
    await platform.deps.storage.put(big.key, oversize, 'image/png');
    const e2 = await failure(owner.client.company.completeLogoUpload.mutate({ companyId, key: big.key }));
    expect(reasonOf(e2)).toBe('LOGO_TOO_LARGE');
    expect(await logoKey()).toBe(before);
    expect(await platform.deps.storage.head(big.key)).toBeNull();
  });

  it('gives a URL that storage refuses for a body of another length, and completes nothing that was not uploaded', async () => {
    const bytes = await png();
    const up = await owner.client.company.createLogoUpload.mutate({
      companyId,
      contentType: 'image/png',
      size: bytes.length - 10,
    });
    const put = await fetch(up.url, { method: 'PUT', body: new Uint8Array(bytes), headers: up.headers });
    expect(put.status).toBe(403);
    expect(await platform.deps.storage.head(up.key)).toBeNull();
    const e = await failure(owner.client.company.completeLogoUpload.mutate({ companyId, key: up.key }));
    expect(reasonOf(e)).toBe('NOT_UPLOADED');
    // A key no createLogoUpload opened is not an upload, even under the company's prefix.
    const forged = `${companyId}/logo/uploads/${crypto.randomUUID()}`;
    expect(reasonOf(await failure(owner.client.company.completeLogoUpload.mutate({ companyId, key: forged })))).toBe(
      'NO_UPLOAD',
    );
  });

  it('answers NOT_FOUND for another company, and another company’s upload key is no upload of one’s own', async () => {
    const before = await logoKey();
    // Started one at a time: a call started early and awaited later is an unhandled rejection meanwhile.
    const calls = [
      () => stranger.client.company.createLogoUpload.mutate({ companyId, contentType: 'image/png', size: 100 }),
      () => stranger.client.company.completeLogoUpload.mutate({ companyId, key: `${companyId}/logo/uploads/x` }),
      () => stranger.client.company.removeLogo.mutate({ companyId }),
      () => stranger.client.company.byId.query({ id: companyId }),
    ];
    for (const call of calls) expect((await failure(call())).data?.code).toBe('NOT_FOUND');
    const up = await owner.client.company.createLogoUpload.mutate({ companyId, contentType: 'image/png', size: 100 });
    const e = await failure(
      stranger.client.company.completeLogoUpload.mutate({ companyId: strangerCompanyId, key: up.key }),
    );
    expect(reasonOf(e)).toBe('NO_UPLOAD');
    expect(await logoKey()).toBe(before);
  });

  it('removes the logo: the read has no URL and the object is deleted', async () => {
    const key = await logoKey();
    expect(key).toBeTruthy();
    await owner.client.company.removeLogo.mutate({ companyId });
    expect(await logoKey()).toBeNull();
    expect((await owner.client.company.byId.query({ id: companyId })).logoUrl).toBeNull();
    expect(await platform.deps.storage.head(key!)).toBeNull();
    const [audit] = await platform.deps.orm
      .fork()
      .execute<{ n: string }[]>(
        `select count(*) as n from audit_log where company_id = ? and action in ('company.update-logo', 'company.remove-logo')`,
        [companyId],
      );
    expect(Number(audit!.n)).toBe(3);
  });
});
