import { describe, expect, it } from 'vitest';
import { mm } from '../src/pdf.ts';
import {
  MIN_PRINT_DPI,
  PrintDataError,
  renderPrintPdf,
  renderPrintSheet,
  type PrintFormat,
  type PrintItem,
} from '../src/index.ts';
import { boxes, pageSizes, pagesText, testPng } from './fixtures.ts';

const createdAt = new Date('2026-03-15T10:00:00Z');
const SLUG_PT = mm(10);

function item(overrides: Partial<PrintItem> = {}): PrintItem {
  return {
    id: 'item-1',
    title: 'Wedding',
    // A6 plus bleed (111 × 154 mm) needs 1311 × 1819 px at 300 dpi.
    photo: testPng(1320, 1830),
    format: 'A6',
    viewerUrl: 'https://arvlite.example/v/AbCdEfGhIjKlMnOp',
    language: 'ru',
    ...overrides,
  };
}

describe('renderPrintPdf', () => {
  it.each([
    ['A6', 105, 148],
    ['A5', 148, 210],
    ['A4', 210, 297],
    ['10x15', 100, 150],
  ] as [PrintFormat, number, number][])(
    '%s: trim box of the format, bleed 3 mm, room for crop marks',
    async (format, w, h) => {
      const { pdf, items } = await renderPrintPdf(item({ format, photo: testPng(400, 560) }), {
        language: 'en',
        createdAt,
      });
      expect(items[0]!.trimMm).toEqual({ width: w, height: h });
      const sizes = await pageSizes(pdf);
      expect(sizes).toHaveLength(3);
      // Page 1 is the A4 ticket; pages 2 and 3 (front, back) are the trim plus 10 mm on every side.
      expect(sizes[0]!.width).toBeCloseTo(595.28, 1);
      for (const size of sizes.slice(1)) {
        expect(size.width).toBeCloseTo(mm(w) + 2 * SLUG_PT, 2);
        expect(size.height).toBeCloseTo(mm(h) + 2 * SLUG_PT, 2);
      }
      const trims = boxes(pdf, 'TrimBox');
      expect(trims).toHaveLength(2);
      for (const [x0, y0, x1, y1] of trims) {
        expect(x1! - x0!).toBeCloseTo(mm(w), 2);
        expect(y1! - y0!).toBeCloseTo(mm(h), 2);
      }
      for (const [x0, , x1] of boxes(pdf, 'BleedBox')) expect(x1! - x0!).toBeCloseTo(mm(w + 6), 2);
    },
  );

  it('turns the page for a landscape photo and sizes a custom print from its width and the photo aspect', async () => {
    const landscape = await renderPrintPdf(item({ photo: testPng(1830, 1320) }), { language: 'en', createdAt });
    expect(landscape.items[0]!.trimMm).toEqual({ width: 148, height: 105 });
    const custom = await renderPrintPdf(item({ format: 'CUSTOM', widthMm: 120, photo: testPng(1600, 1200) }), {
      language: 'en',
      createdAt,
    });
    expect(custom.items[0]!.trimMm).toEqual({ width: 120, height: 90 });
    const [, front] = await pageSizes(custom.pdf);
    expect(front!.width).toBeCloseTo(mm(120) + 2 * SLUG_PT, 2);
    expect(front!.height).toBeCloseTo(mm(90) + 2 * SLUG_PT, 2);
    await expect(renderPrintPdf(item({ format: 'CUSTOM' }), { language: 'en', createdAt })).rejects.toThrow(
      PrintDataError,
    );
    await expect(
      renderPrintPdf(item({ format: 'CUSTOM', widthMm: 5000 }), { language: 'en', createdAt }),
    ).rejects.toThrow(PrintDataError);
  });

  it('puts the call to action in the customer’s language on the back, the ticket in the operator’s', async () => {
    const ru = await renderPrintPdf(item(), { language: 'en', createdAt });
    const [ticket, front, back] = await pagesText(ru.pdf);
    expect(ticket).toContain('Print job ticket (not for printing)');
    expect(ticket).toContain('Trim size: 105 × 148 mm');
    expect(ticket).toContain('Effective resolution: 301 dpi');
    expect(ticket).toContain('No warnings.');
    expect(front!.trim()).toBe('');
    expect(back).toContain('Наведите камеру телефона на фото');
    expect(ru.warnings).toEqual([]);

    const en = await renderPrintPdf(item({ language: 'en' }), { language: 'ru', createdAt });
    const [ticketRu, , backEn] = await pagesText(en.pdf);
    expect(backEn).toContain('Scan and point your phone at the photo');
    expect(ticketRu).toContain('Задание на печать (не печатать)');
  });

  it('warns below 300 dpi, in the result and on the ticket only', async () => {
    // 600 × 830 px over 111 × 154 mm: 136 dpi.
    const { pdf, warnings } = await renderPrintPdf(item({ photo: testPng(600, 830) }), { language: 'en', createdAt });
    expect(warnings).toEqual([{ code: 'LOW_RESOLUTION', itemId: 'item-1', dpi: 136, minDpi: MIN_PRINT_DPI }]);
    const [ticket, front, back] = await pagesText(pdf);
    expect(ticket).toContain('Wedding: the photo has 136 dpi at A6 (at least 300 dpi is needed for a sharp print).');
    expect(front).not.toContain('dpi');
    expect(back).not.toContain('dpi');
  });

  it('embeds the photo, the sRGB output intent and the font, and gives the same bytes twice', async () => {
    const a = await renderPrintPdf(item(), { language: 'en', createdAt });
    const b = await renderPrintPdf(item(), { language: 'en', createdAt });
    expect(a.pdf.equals(b.pdf)).toBe(true);
    const raw = a.pdf.toString('latin1');
    expect(raw).toContain('/OutputIntents');
    expect(raw).toContain('/S /GTS_PDFA1');
    expect(raw).toMatch(/\/Subtype \/Image\s[\s\S]*?\/Width 1320/);
    expect(raw).toMatch(/\/FontName \/[A-Z]{6}\+DejaVuSans-Bold\b/);
  });

  it('refuses a photo that is neither JPEG nor PNG, and a viewer link that is not http(s)', async () => {
    await expect(
      renderPrintPdf(item({ photo: Buffer.from('GIF89a……') }), { language: 'en', createdAt }),
    ).rejects.toThrow(PrintDataError);
    await expect(
      renderPrintPdf(item({ viewerUrl: 'javascript:alert(1)' }), { language: 'en', createdAt }),
    ).rejects.toThrow(PrintDataError);
  });
});

describe('renderPrintSheet', () => {
  it('packs an order’s items after one ticket listing them all, with each item’s warning', async () => {
    const { pdf, warnings, items } = await renderPrintSheet(
      {
        orderNumber: 'ORD-7',
        items: [
          item({ id: 'a', title: 'Свадьба', customerName: 'Анна', copies: 2 }),
          item({ id: 'b', title: 'Poster', format: 'A4', photo: testPng(700, 990), language: 'en' }),
        ],
      },
      { language: 'ru', createdAt },
    );
    expect(items.map((i) => i.itemId)).toEqual(['a', 'b']);
    expect(warnings.map((w) => w.itemId)).toEqual(['b']);
    const pages = await pagesText(pdf);
    expect(pages).toHaveLength(5);
    expect(pages[0]).toContain('Печатный лист заказа ORD-7');
    expect(pages[0]).toContain('Позиция: Свадьба');
    expect(pages[0]).toContain('Копий: 2');
    expect(pages[0]).toContain('Обрезной формат: 105 × 148 мм');
    expect(pages[0]).toContain('Poster: у фото 82 dpi в формате A4');
    expect(pages[2]).toContain('Наведите камеру телефона на фото');
    expect(pages[4]).toContain('Scan and point your phone at the photo');
    const sizes = await pageSizes(pdf);
    expect(sizes[3]!.width).toBeCloseTo(mm(210) + 2 * SLUG_PT, 2);
  });
});
