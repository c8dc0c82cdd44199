// Test inputs: PNG photos made in memory (no image library in this package) and a sample invoice.
import { crc32, deflateSync } from 'node:zlib';
import { extractText, getDocumentProxy } from 'unpdf';
import type { InvoiceDocument } from '../src/index.ts';

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** An RGB PNG of the given size with a gradient (so it is not one flat colour). */
export function testPng(width: number, height: number): Buffer {
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * row + 1 + x * 3;
      raw[o] = (x * 255) / width;
      raw[o + 1] = (y * 255) / height;
      raw[o + 2] = 128;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Each page's text, whitespace collapsed. */
export async function pagesText(pdf: Buffer): Promise<string[]> {
  const { text } = await extractText(new Uint8Array(pdf), { mergePages: false });
  return text.map((t) => t.replace(/\s+/g, ' '));
}

/** Each page's MediaBox size in points. */
export async function pageSizes(pdf: Buffer): Promise<{ width: number; height: number }[]> {
  const proxy = await getDocumentProxy(new Uint8Array(pdf));
  const sizes = [];
  for (let i = 1; i <= proxy.numPages; i++) {
    const [x0, y0, x1, y1] = (await proxy.getPage(i)).view as [number, number, number, number];
    sizes.push({ width: x1 - x0, height: y1 - y0 });
  }
  return sizes;
}

/** The numbers of every `/<name> [..]` box in the file (pdfkit writes page dictionaries uncompressed). */
export function boxes(pdf: Buffer, name: 'TrimBox' | 'BleedBox'): number[][] {
  return [...pdf.toString('latin1').matchAll(new RegExp(`/${name} \\[([^\\]]+)\\]`, 'g'))].map((m) =>
    m[1]!.trim().split(/\s+/).map(Number),
  );
}

export function sampleInvoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    kind: 'INVOICE',
    number: '2026-000042',
    issuedAt: new Date('2026-03-15T10:00:00Z'),
    language: 'ru',
    timeZone: 'Europe/Moscow',
    currency: 'RUB',
    seller: {
      name: 'ООО «Живое фото»',
      address: 'Москва, ул. Тверская, д. 1',
      taxId: '7701234567',
      bankDetails: 'АО «Банк», р/с 40702810900000000001, БИК 044525000',
      email: 'billing@example.com',
    },
    customer: { name: 'Анна Иванова', email: 'anna@example.com', phone: '+7 900 000-00-00' },
    orderReference: 'ORD-7',
    lines: [
      // 2 × 1 500,00 ₽ including 20 % tax: 2 500,00 net + 500,00 tax.
      {
        description: 'AR-открытка',
        quantity: 2,
        unitPriceMinor: 150000,
        taxRateBp: 2000,
        taxInclusive: true,
        netMinor: 250000,
        taxMinor: 50000,
        totalMinor: 300000,
      },
      // 1 × 990,00 ₽ plus 10 % tax.
      {
        description: 'Хранение 12 месяцев',
        quantity: 1,
        unitPriceMinor: 99000,
        taxRateBp: 1000,
        taxInclusive: false,
        netMinor: 99000,
        taxMinor: 9900,
        totalMinor: 108900,
      },
    ],
    totals: { netMinor: 349000, taxMinor: 59900, totalMinor: 408900 },
    ...overrides,
  };
}
