import { describe, expect, it } from 'vitest';
import { bpToPercent, minorToDecimal, parseMoney, parsePercentBp } from './money.ts';

describe('money input', () => {
  it('turns typed decimals into exact minor units', () => {
    expect(parseMoney('1234.50', 'RUB')).toBe(123450);
    expect(parseMoney('1 234,5', 'RUB')).toBe(123450);
    expect(parseMoney('0.29', 'EUR')).toBe(29); // 0.29 * 100 is 28.999… as a float
    expect(parseMoney('1\u00a0990', 'RUB')).toBe(199000);
    expect(parseMoney('1500', 'JPY')).toBe(1500);
    expect(parseMoney('12.', 'USD')).toBe(1200);
  });

  it('refuses what is not an amount of that currency', () => {
    for (const bad of ['', '-1', '1.234', '1e3', 'abc', '1,2,3', '100000000.01']) {
      expect(parseMoney(bad, 'RUB'), bad).toBeNull();
    }
    expect(parseMoney('1.5', 'JPY')).toBeNull();
    expect(parseMoney('100000000', 'RUB')).toBe(10_000_000_000);
  });

  it('shows minor units back as the decimal it came from', () => {
    for (const [minor, text] of [
      [123450, '1234.50'],
      [5, '0.05'],
      [0, '0.00'],
    ] as const) {
      expect(minorToDecimal(minor, 'RUB')).toBe(text);
      expect(parseMoney(text, 'RUB')).toBe(minor);
    }
    expect(minorToDecimal(1500, 'JPY')).toBe('1500');
  });

  it('reads tax rates in percent as basis points', () => {
    expect(parsePercentBp('20')).toBe(2000);
    expect(parsePercentBp('7,5')).toBe(750);
    expect(parsePercentBp('0.01')).toBe(1);
    expect(parsePercentBp('100')).toBe(10_000);
    expect(parsePercentBp('100.01')).toBeNull();
    expect(parsePercentBp('1.234')).toBeNull();
    expect(bpToPercent(2000)).toBe('20');
    expect(bpToPercent(750)).toBe('7.50');
  });
});
