import { describe, expect, it } from 'vitest';
import { decimalToMinor, MAX_AMOUNT_MINOR, minorToDecimal, MoneyError } from '../src/index.ts';

describe('minor units ↔ decimal strings', () => {
  it.each([
    [12345, 'RUB', '123.45'],
    [5, 'RUB', '0.05'],
    [0, 'USD', '0.00'],
    [100, 'EUR', '1.00'],
    [500, 'JPY', '500'],
    [MAX_AMOUNT_MINOR, 'RUB', '20000000000000.00'],
    [123456789012345, 'RUB', '1234567890123.45'],
    // 0.1 + 0.2 style float trouble would show here: 1.10 is 110 exactly.
    [110, 'RUB', '1.10'],
  ])('%i %s is %s and back', (minor, currency, decimal) => {
    expect(minorToDecimal(minor, currency)).toBe(decimal);
    expect(decimalToMinor(decimal, currency)).toBe(minor);
  });

  it('reads shorter fractions without rounding', () => {
    expect(decimalToMinor('123.4', 'RUB')).toBe(12340);
    expect(decimalToMinor('123', 'RUB')).toBe(12300);
    expect(decimalToMinor('19.99', 'USD')).toBe(1999);
    expect(decimalToMinor('4.35', 'RUB')).toBe(435); // 4.35 * 100 is 434.99999999999994 in floats
  });

  it.each([
    ['1.234', 'RUB'],
    ['1.5', 'JPY'],
    ['-1.00', 'RUB'],
    ['1e3', 'RUB'],
    [' 1.00', 'RUB'],
    ['01.00', 'RUB'],
    ['1,00', 'RUB'],
    ['', 'RUB'],
    ['.5', 'RUB'],
    ['99999999999999999.00', 'RUB'],
  ])('refuses %j in %s', (value, currency) => {
    expect(() => decimalToMinor(value, currency)).toThrow(MoneyError);
  });

  it('refuses unknown currencies, negative, fractional and overflowing amounts', () => {
    expect(() => minorToDecimal(100, 'XXX')).toThrow(/Unknown currency/);
    expect(() => minorToDecimal(100, 'rub')).toThrow(/Unknown currency/);
    expect(() => minorToDecimal(-1, 'RUB')).toThrow(MoneyError);
    expect(() => minorToDecimal(1.5, 'RUB')).toThrow(MoneyError);
    expect(() => minorToDecimal(MAX_AMOUNT_MINOR + 1, 'RUB')).toThrow(MoneyError);
    expect(() => minorToDecimal(Number.MAX_SAFE_INTEGER + 2, 'RUB')).toThrow(MoneyError);
  });
});
