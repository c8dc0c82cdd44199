import { describe, expect, it } from 'vitest';
import {
  computeLineTotals,
  computeTotals,
  formatInvoiceNumber,
  MONEY_LIMITS,
  orderAddItemInput,
  orderCustomerSchema,
  orderRefundInput,
  productCreateInput,
  proportionalTax,
} from './orders.ts';

const id = '7b0c1c7e-4a61-4d8e-9d0e-2f7f1c9a0b11';

describe('computeTotals', () => {
  it('adds exclusive tax on top, rounded half up per line', () => {
    // 3 × 333 = 999 at 20 %: 199.8 → 200.
    expect(computeLineTotals({ unitPriceMinor: 333, quantity: 3, taxRateBp: 2000, taxInclusive: false })).toEqual({
      subtotalMinor: 999,
      taxMinor: 200,
      totalMinor: 1199,
    });
    // 25 at 10 %: 2.5 → 3 (half up).
    expect(computeLineTotals({ unitPriceMinor: 25, quantity: 1, taxRateBp: 1000, taxInclusive: false }).taxMinor).toBe(
      3,
    );
  });

  it('takes inclusive tax out of the price: tax = total × rate / (1 + rate)', () => {
    // 1200 incl. 20 %: 200 tax, 1000 net.
    expect(computeLineTotals({ unitPriceMinor: 1200, quantity: 1, taxRateBp: 2000, taxInclusive: true })).toEqual({
      subtotalMinor: 1000,
      taxMinor: 200,
      totalMinor: 1200,
    });
    // 100 incl. 20 %: 16.67 → 17.
    expect(computeLineTotals({ unitPriceMinor: 100, quantity: 1, taxRateBp: 2000, taxInclusive: true })).toEqual({
      subtotalMinor: 83,
      taxMinor: 17,
      totalMinor: 100,
    });
  });

  it('sums the lines (each rounded on its own) and stays exact at the bounds', () => {
    const line = { unitPriceMinor: 1, quantity: 1, taxRateBp: 5000, taxInclusive: false };
    // Each line: 0.5 → 1; three lines 3 (not round(1.5) = 2).
    expect(computeTotals([line, line, line])).toMatchObject({ subtotalMinor: 3, taxMinor: 3, totalMinor: 6 });
    const max = {
      unitPriceMinor: MONEY_LIMITS.unitPriceMaxMinor,
      quantity: MONEY_LIMITS.quantityMax,
      taxRateBp: 10_000,
      taxInclusive: false,
    };
    const t = computeTotals(Array.from({ length: MONEY_LIMITS.linesMax }, () => max));
    expect(t.totalMinor).toBe(2 * 10 ** 15);
    expect(Number.isSafeInteger(t.totalMinor)).toBe(true);
    expect(computeTotals([])).toMatchObject({ subtotalMinor: 0, taxMinor: 0, totalMinor: 0, lines: [] });
  });

  it('refuses floats, negatives and rates above 100 %', () => {
    expect(() => computeLineTotals({ unitPriceMinor: 1.5, quantity: 1, taxRateBp: 0, taxInclusive: true })).toThrow(
      RangeError,
    );
    expect(() => computeLineTotals({ unitPriceMinor: -1, quantity: 1, taxRateBp: 0, taxInclusive: true })).toThrow(
      RangeError,
    );
    expect(() => computeLineTotals({ unitPriceMinor: 1, quantity: 1, taxRateBp: 10_001, taxInclusive: true })).toThrow(
      RangeError,
    );
  });

  it('gives a partial amount its share of the tax', () => {
    expect(proportionalTax(600, 200, 1200)).toBe(100);
    expect(proportionalTax(1, 200, 1200)).toBe(0);
    expect(proportionalTax(3, 200, 1200)).toBe(1); // 0.5 → 1
    expect(proportionalTax(5, 0, 0)).toBe(0);
  });
});

describe('inputs', () => {
  const product = { companyId: id, kind: 'AR_CARD', name: 'Card', priceMinor: 150000, currency: 'RUB' };

  it('takes integer minor units only, never negative or above the bound', () => {
    expect(productCreateInput.parse(product)).toMatchObject({ taxRateBp: 0, taxInclusive: true });
    for (const priceMinor of [-1, 1.5, MONEY_LIMITS.unitPriceMaxMinor + 1, '100', Number.NaN, Infinity]) {
      expect(productCreateInput.safeParse({ ...product, priceMinor }).success, String(priceMinor)).toBe(false);
    }
    expect(productCreateInput.safeParse({ ...product, currency: 'XXX' }).success).toBe(false);
    expect(productCreateInput.safeParse({ ...product, extra: 1 }).success).toBe(false);
    expect(orderRefundInput.safeParse({ id, amountMinor: 0 }).success).toBe(false);
    expect(
      orderAddItemInput.safeParse({ orderId: id, productId: id, quantity: MONEY_LIMITS.quantityMax + 1 }).success,
    ).toBe(false);
  });

  it('normalises the customer email and bounds the fields', () => {
    expect(orderCustomerSchema.parse({ name: ' Anna ', email: ' Anna@Example.COM ' })).toEqual({
      name: 'Anna',
      email: 'anna@example.com',
    });
    expect(orderCustomerSchema.safeParse({ name: '' }).success).toBe(false);
    expect(orderCustomerSchema.safeParse({ name: 'x'.repeat(201) }).success).toBe(false);
    expect(orderCustomerSchema.safeParse({ name: 'A', phone: 'call me' }).success).toBe(false);
  });

  it('numbers invoices per year with six digits', () => {
    expect(formatInvoiceNumber('INVOICE', 2026, 123)).toBe('2026-000123');
    expect(formatInvoiceNumber('CREDIT_NOTE', 2026, 4)).toBe('CN-2026-000004');
  });
});
