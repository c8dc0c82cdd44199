import { describe, expect, it } from 'vitest';
import { InvoiceDataError, renderInvoicePdf } from '../src/index.ts';
import { pageSizes, pagesText, sampleInvoice, testPng } from './fixtures.ts';

const nbsp = (s: string) => s.replace(/\u00a0|\u202f/g, ' ');

describe('renderInvoicePdf', () => {
  it('renders a Russian invoice whose text holds the seller, customer, lines, tax and totals', async () => {
    const pdf = await renderInvoicePdf(sampleInvoice());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const [page, ...rest] = await pagesText(pdf);
    expect(rest).toEqual([]);
    const text = nbsp(page!);
    for (const expected of [
      'Счёт № 2026-000042',
      '15 мар. 2026 г.',
      'Заказ: ORD-7',
      'ООО «Живое фото»',
      'ИНН: 7701234567',
      'р/с 40702810900000000001',
      'Анна Иванова',
      'anna@example.com',
      'AR-открытка',
      'Хранение 12 месяцев',
      '1 500,00 ₽',
      '20 % вкл.',
      '10 % сверх',
      '3 000,00 ₽',
      '1 089,00 ₽',
      'Без налога 3 490,00 ₽',
      'Налог 599,00 ₽',
      'Итого 4 089,00 ₽',
      'Страница 1 из 1',
    ]) {
      expect(text).toContain(expected);
    }
    expect((await pageSizes(pdf))[0]!.width).toBeCloseTo(595.28, 1);
  });

  it('draws the seller’s logo as an image above the heading, and none without one', async () => {
    const withLogo = await renderInvoicePdf(sampleInvoice({ logo: testPng(300, 100) }));
    expect(withLogo.toString('latin1')).toMatch(/\/Subtype \/Image/);
    const text = nbsp((await pagesText(withLogo))[0]!);
    expect(text).toContain('Счёт № 2026-000042');
    const without = await renderInvoicePdf(sampleInvoice());
    expect(without.toString('latin1')).not.toMatch(/\/Subtype \/Image/);
  });

  it('refuses a logo that is not a PNG or JPEG', async () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
    await expect(renderInvoicePdf(sampleInvoice({ logo: gif }))).rejects.toBeInstanceOf(InvoiceDataError);
  });

  it('embeds DejaVu Sans and the sRGB output intent, and renders the same bytes twice', async () => {
    const a = await renderInvoicePdf(sampleInvoice());
    const b = await renderInvoicePdf(sampleInvoice());
    expect(a.equals(b)).toBe(true);
    const raw = a.toString('latin1');
    expect(raw).toMatch(/\/FontName \/[A-Z]{6}\+DejaVuSans\b/);
    expect(raw).toContain('/FontFile2');
    expect(raw).toContain('/OutputIntents');
    expect(raw).toContain('sRGB IEC61966-2.1');
  });

  it('renders an English credit note that names the invoice it corrects', async () => {
    const pdf = await renderInvoicePdf(
      sampleInvoice({
        kind: 'CREDIT_NOTE',
        language: 'en',
        number: 'CN-2026-000003',
        correctsNumber: '2026-000042',
        currency: 'EUR',
        lines: [
          {
            description: 'Refund: AR card',
            quantity: 1,
            unitPriceMinor: 1250,
            taxRateBp: 0,
            taxInclusive: false,
            netMinor: 1250,
            taxMinor: 0,
            totalMinor: 1250,
          },
        ],
        totals: { netMinor: 1250, taxMinor: 0, totalMinor: 1250 },
      }),
    );
    const text = nbsp((await pagesText(pdf)).join(' '));
    expect(text).toContain('Credit note No. CN-2026-000003');
    expect(text).toContain('Corrects invoice: 2026-000042');
    expect(text).toContain('15 Mar 2026');
    expect(text).toContain('BILL TO');
    expect(text).toContain('Total credited €12.50');
    expect(text).toContain('0% excl.');
  });

  it('runs over several pages with page numbers when the lines do not fit one', async () => {
    const line = sampleInvoice().lines[1]!;
    const lines = Array.from({ length: 60 }, (_, i) => ({ ...line, description: `Line ${i + 1}` }));
    const pdf = await renderInvoicePdf(
      sampleInvoice({
        language: 'en',
        lines,
        totals: { netMinor: 60 * 99000, taxMinor: 60 * 9900, totalMinor: 60 * 108900 },
      }),
    );
    const pages = await pagesText(pdf);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.join(' ')).toContain('Line 60');
    expect(pages.at(-1)).toContain(`Page ${pages.length} of ${pages.length}`);
  });

  it('refuses totals that are not the sum of the lines, non-integer amounts and a bad currency', async () => {
    const base = sampleInvoice();
    await expect(
      renderInvoicePdf({ ...base, totals: { ...base.totals, totalMinor: base.totals.totalMinor + 1 } }),
    ).rejects.toThrow(InvoiceDataError);
    await expect(
      renderInvoicePdf({ ...base, lines: [{ ...base.lines[0]!, unitPriceMinor: 0.5 }, base.lines[1]!] }),
    ).rejects.toThrow(InvoiceDataError);
    await expect(renderInvoicePdf({ ...base, currency: 'rub' })).rejects.toThrow(InvoiceDataError);
    await expect(renderInvoicePdf({ ...base, lines: [] })).rejects.toThrow(InvoiceDataError);
  });
});
