import { CURRENCIES, CURRENCY_EXPONENTS, MONEY_LIMITS, type Currency } from '@arvlite/contract';

// Money is an integer count of minor units everywhere; these are the only conversions to and from a provider's decimal
// string, done on digits (no floating point), with each currency's ISO 4217 exponent.

/** The currencies orders take and their ISO 4217 exponents: one list, in the contract. */
export { CURRENCY_EXPONENTS };
export type PaymentCurrency = Currency;
export const PAYMENT_CURRENCIES = CURRENCIES;

/** Largest amount a payment may carry, in minor units (the contract's bound on an order's total). */
export const MAX_AMOUNT_MINOR = MONEY_LIMITS.totalMaxMinor;

export class MoneyError extends Error {
  readonly reason: 'UNKNOWN_CURRENCY' | 'INVALID_AMOUNT';
  constructor(reason: MoneyError['reason'], message: string) {
    super(message);
    this.name = 'MoneyError';
    this.reason = reason;
  }
}

export function isPaymentCurrency(currency: string): currency is PaymentCurrency {
  return Object.hasOwn(CURRENCY_EXPONENTS, currency);
}

export function currencyExponent(currency: string): number {
  if (!isPaymentCurrency(currency))
    throw new MoneyError('UNKNOWN_CURRENCY', `Unknown currency ${currency.slice(0, 8)}`);
  return CURRENCY_EXPONENTS[currency];
}

export function assertAmountMinor(minor: number): void {
  if (!Number.isSafeInteger(minor) || minor < 0 || minor > MAX_AMOUNT_MINOR) {
    throw new MoneyError('INVALID_AMOUNT', 'An amount is a non-negative whole number of minor units within the limit');
  }
}

/** 12345 RUB → "123.45"; 5 RUB → "0.05"; 500 JPY → "500". */
export function minorToDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  assertAmountMinor(minor);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * "123.45" RUB → 12345; "123.4" → 12340; "123" → 12300. More fraction digits than the currency has, signs, exponents,
 * spaces or leading zeros are refused rather than rounded.
 */
export function decimalToMinor(value: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(0|[1-9][0-9]{0,15})(?:\.([0-9]+))?$/.exec(value);
  const fraction = match?.[2] ?? '';
  if (!match || fraction.length > exponent || (match[2] !== undefined && exponent === 0)) {
    throw new MoneyError('INVALID_AMOUNT', `Not an amount in ${currency}: ${value.slice(0, 24)}`);
  }
  const minor = Number(`${match[1]}${fraction.padEnd(exponent, '0')}`);
  assertAmountMinor(minor);
  return minor;
}
