import { describe, expect, it } from 'vitest';
import { currencyMinorDigits, formatMoney } from './format.ts';

describe('formatMoney', () => {
  it('formats integer minor units exactly in each language', () => {
    expect(formatMoney(123456, 'RUB', 'ru')).toBe('1\u00a0234,56\u00a0₽');
    expect(formatMoney(123456, 'EUR', 'en')).toBe('€1,234.56');
    expect(formatMoney(-5, 'USD', 'en')).toBe('-US$0.05');
    expect(formatMoney(1500, 'JPY', 'en')).toBe('JP¥1,500');
    // Above 2^53 / 100 a float division would round; the decimal string does not.
    expect(formatMoney(9007199254740991, 'USD', 'en')).toBe('US$90,071,992,547,409.91');
  });

  it('knows minor digits and refuses non-integers', () => {
    expect([currencyMinorDigits('RUB'), currencyMinorDigits('JPY'), currencyMinorDigits('KWD')]).toEqual([2, 0, 3]);
    expect(() => formatMoney(1.5, 'RUB', 'en')).toThrow(RangeError);
  });
});
