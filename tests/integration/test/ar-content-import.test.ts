// Bulk import of AR content from CSV over HTTP: the dry run reports every row's errors and changes nothing, the import
// refuses while errors remain (nothing created), and a clean file creates every item in one go with a presigned
// marker upload per photo that the normal marker flow completes.
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { ArContent, AuditLog } from '@arvlite/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyImage, markEmailVerified, registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let companyId: string;
let projectId: string;

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected the call to fail');
}
const detailsOf = (e: TRPCClientError<AppRouter>) =>
  (e.data as { details?: { reason?: string; errors?: unknown[] } }).details;

const itemCount = () => platform.deps.orm.fork().count(ArContent, { project: projectId });

const HEADER =
  'Title,Customer name,customer_email,customer_phone,customer_language,order_ref,width_mm,expires_at,photo';
const GOOD_ROWS = [
  'Anna & Ben,Anna Berg,ANNA@example.com,+49 30 1234567,en,ORD-1,150,2099-12-31,anna.png',
  '"Свадьба, Ивановы",Иван Иванов,ivan@example.ru,,ru,ORD-2,"89,5",,ivan.png',
  'No photo yet,,,,,ORD-3,,,',
];

beforeAll(async () => {
  platform = await startTestPlatform({ env: { LOG_LEVEL: 'error' } });
  owner = await registerUser(platform.client);
  viewer = await registerUser(platform.client);
  outsider = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Photo lab' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Orders' })).id;
  const invite = await owner.client.member.invite.mutate({ companyId, email: viewer.email, role: 'viewer' });
  await markEmailVerified(platform.deps, viewer.userId);
  await viewer.client.auth.acceptInvite.mutate({ token: invite.token });
  await outsider.client.company.create.mutate({ name: 'Elsewhere' });
});

describe('arContent.importCsv', () => {
  it('a dry run lists each bad row with its column and reason, and the import refuses it: nothing is created', async () => {
    const csv = [
      HEADER,
      GOOD_ROWS[0],
      ',Nobody,not-an-email,call me,de,ORD-X,5,2001-01-01,missing.jpg',
      `${'x'.repeat(201)},,,,,,,,`,
    ].join('\n');
    const photos = [{ fileName: 'anna.png', contentType: 'image/png' as const, size: 1000 }];
    const dry = await owner.client.arContent.importCsv.mutate({ projectId, csv, dryRun: true, photos });
    expect(dry.dryRun).toBe(true);
    expect(dry.rowCount).toBe(3);
    expect(dry.rows.map((r) => r.row)).toEqual([2]);
    expect(dry.errors).toEqual([
      { row: 3, column: 'title', reason: 'REQUIRED' },
      { row: 3, column: 'customer_email', reason: 'INVALID' },
      { row: 3, column: 'customer_phone', reason: 'INVALID' },
      { row: 3, column: 'customer_language', reason: 'INVALID' },
      { row: 3, column: 'width_mm', reason: 'OUT_OF_RANGE' },
      { row: 3, column: 'expires_at', reason: 'PAST_DATE' },
      { row: 3, column: 'photo', reason: 'PHOTO_NOT_SELECTED' },
      { row: 4, column: 'title', reason: 'TOO_LONG' },
    ]);
    expect(await itemCount()).toBe(0);

    const refused = await failure(owner.client.arContent.importCsv.mutate({ projectId, csv, dryRun: false, photos }));
    expect(refused.data?.code).toBe('BAD_REQUEST');
    expect(detailsOf(refused)?.reason).toBe('IMPORT_HAS_ERRORS');
    expect(detailsOf(refused)?.errors).toEqual(dry.errors);
    expect(await itemCount()).toBe(0);
    const audits = await platform.deps.orm.fork().count(AuditLog, { companyId, action: 'ar-content.create' });
    expect(audits).toBe(0);
  });

  it('reports file-level problems: unknown and missing columns, malformed quoting, too many rows', async () => {
    const dry = (csv: string) => owner.client.arContent.importCsv.mutate({ projectId, csv, dryRun: true });
    expect((await dry('name,colour\nA,red')).errors).toEqual([
      { row: 1, column: 'name', reason: 'UNKNOWN_COLUMN' },
      { row: 1, column: 'colour', reason: 'UNKNOWN_COLUMN' },
      { row: 1, column: 'title', reason: 'MISSING_COLUMN' },
    ]);
    expect((await dry('title\n"unterminated')).errors).toMatchObject([{ column: null, reason: 'MALFORMED_CSV' }]);
    expect((await dry('title\n')).errors).toEqual([{ row: null, column: null, reason: 'EMPTY' }]);
    const many = ['title', ...Array.from({ length: 501 }, (_, i) => `Item ${i}`)].join('\n');
    expect((await dry(many)).errors).toEqual([{ row: 502, column: null, reason: 'TOO_MANY_ROWS' }]);
    // Semicolons, as spreadsheets set to Russian save them.
    expect((await dry('title;order_ref\nФото;A-1')).rows).toMatchObject([{ row: 2, title: 'Фото', orderRef: 'A-1' }]);
    // Bounds on the input itself.
    const tooBig = await failure(dry(`title\n${'y'.repeat(300 * 1024)}`));
    expect(tooBig.data?.code).toBe('BAD_REQUEST');
    const dupPhotos = await failure(
      owner.client.arContent.importCsv.mutate({
        projectId,
        csv: 'title\nA',
        dryRun: true,
        photos: [
          { fileName: 'a.png', contentType: 'image/png', size: 1 },
          { fileName: 'a.png', contentType: 'image/png', size: 1 },
        ],
      }),
    );
    expect(dupPhotos.data?.code).toBe('BAD_REQUEST');
    expect(await itemCount()).toBe(0);
  });

  it('viewers cannot import and another company gets NOT_FOUND', async () => {
    const csv = `${HEADER}\n${GOOD_ROWS[2]}`;
    const byViewer = await failure(viewer.client.arContent.importCsv.mutate({ projectId, csv, dryRun: false }));
    expect(byViewer.data?.code).toBe('FORBIDDEN');
    const byOutsider = await failure(outsider.client.arContent.importCsv.mutate({ projectId, csv, dryRun: true }));
    expect(byOutsider.data?.code).toBe('NOT_FOUND');
    expect(await itemCount()).toBe(0);
  });

  it('imports a clean file in one go and the photos go through the marker upload it answers', async () => {
    const anna = await busyImage(640, 480, 1);
    const ivan = await busyImage(640, 480, 2);
    const photos = [
      { fileName: 'anna.png', contentType: 'image/png' as const, size: anna.length },
      { fileName: 'ivan.png', contentType: 'image/png' as const, size: ivan.length },
    ];
    const csv = `\uFEFF${[HEADER, ...GOOD_ROWS].join('\r\n')}\r\n`;
    const dry = await owner.client.arContent.importCsv.mutate({ projectId, csv, dryRun: true, photos });
    expect(dry.errors).toEqual([]);
    expect(await itemCount()).toBe(0);

    const done = await owner.client.arContent.importCsv.mutate({ projectId, csv, dryRun: false, photos });
    expect(done.dryRun).toBe(false);
    expect(done.items.map((i) => [i.row, i.photo, i.upload !== null])).toEqual([
      [2, 'anna.png', true],
      [3, 'ivan.png', true],
      [4, null, false],
    ]);
    expect(await itemCount()).toBe(3);
    const [first, second, third] = done.items;
    expect(first!.item).toMatchObject({
      title: 'Anna & Ben',
      status: 'DRAFT',
      customer: {
        name: 'Anna Berg',
        email: 'anna@example.com',
        phone: '+49 30 1234567',
        orderRef: 'ORD-1',
        language: 'en',
      },
      marker: { widthMm: 150 },
      expiresAt: new Date('2099-12-31T23:59:59.999Z'),
    });
    expect(second!.item).toMatchObject({
      title: 'Свадьба, Ивановы',
      customer: { name: 'Иван Иванов', language: 'ru', phone: null },
      marker: { widthMm: 89.5 },
      expiresAt: null,
    });
    expect(third!.item).toMatchObject({ title: 'No photo yet', customer: { orderRef: 'ORD-3', email: null } });

    // The slot takes exactly the declared file; completing it starts the marker compile like any marker upload.
    for (const [entry, bytes] of [
      [first!, anna],
      [second!, ivan],
    ] as const) {
      const upload = entry.upload!;
      const wrongSize = await fetch(upload.url, {
        method: 'PUT',
        body: new Uint8Array(bytes.subarray(1)),
        headers: upload.headers,
      });
      expect(wrongSize.ok).toBe(false);
      const put = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(bytes), headers: upload.headers });
      expect(put.ok).toBe(true);
      const completed = await owner.client.arContent.completeMarkerUpload.mutate({ id: entry.item.id });
      expect(completed.status).toBe('MARKER_PROCESSING');
    }
    const audits = await platform.deps.orm.fork().count(AuditLog, { companyId, action: 'ar-content.create' });
    expect(audits).toBe(3);
  });
});
