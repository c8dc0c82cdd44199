// Prices are typed as decimals ("1 234,50") and stored as integer minor units: the conversion is done on the digits,
// never through a float, so what the operator types is exactly what is stored.
import { CURRENCY_EXPONENTS, MONEY_LIMITS, type Currency } from '@arvlite/client';

/** Minor units from a decimal as people type it (spaces as thousands separators, a point or a comma), or null. */
export function parseMoney(
  text: string,
  currency: Currency,
  max: number = MONEY_LIMITS.unitPriceMaxMinor,
): number | null {
  const exp = CURRENCY_EXPONENTS[currency];
  const cleaned = text.replace(/[\s\u00a0\u202f]/g, '');
  const match = /^(\d{1,16})(?:[.,](\d*))?$/.exec(cleaned);
  if (!match) return null;
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > exp) return null;
  const minor = Number(`${whole}${fraction.padEnd(exp, '0')}`);
  return Number.isSafeInteger(minor) && minor <= max ? minor : null;
}

/** Minor units as the plain decimal the form shows for editing ("1234.50"; JPY "1500"). */
export function minorToDecimal(minor: number, currency: Currency): string {
  const exp = CURRENCY_EXPONENTS[currency];
  if (exp === 0) return String(minor);
  const digits = String(minor).padStart(exp + 1, '0');
  return `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/** A tax rate as typed in percent ("20", "7,5") to basis points, or null (at most two decimals, 0–100 %). */
export function parsePercentBp(text: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{0,2}))?$/.exec(text.trim());
  if (!match) return null;
  const bp = Number(`${match[1]}${(match[2] ?? '').padEnd(2, '0')}`);
  return bp <= 10_000 ? bp : null;
}

export function bpToPercent(bp: number): string {
  return bp % 100 === 0 ? String(bp / 100) : `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;
}
