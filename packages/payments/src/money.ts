// Money is an integer count of minor units everywhere; these are the only conversions to and from a provider's decimal
// string, done on digits (no floating point), with each currency's ISO 4217 exponent.

/**
 * The currencies payments accept and their ISO 4217 exponents (digits after the decimal point). Only currencies whose
 * minor unit is the same for ISO, YooKassa and Stripe are listed; anything else is refused as unknown.
 */
export const CURRENCY_EXPONENTS = {
  RUB: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  KZT: 2,
  CHF: 2,
  CNY: 2,
  JPY: 0,
  KRW: 0,
} as const satisfies Record<string, number>;

export type PaymentCurrency = keyof typeof CURRENCY_EXPONENTS;
export const PAYMENT_CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as PaymentCurrency[];

/** Largest amount a payment may carry, in minor units (well inside Number's exact integers and the providers' limits). */
export const MAX_AMOUNT_MINOR = 99_999_999_999;

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
  const match = /^(0|[1-9][0-9]{0,14})(?:\.([0-9]+))?$/.exec(value);
  const fraction = match?.[2] ?? '';
  if (!match || fraction.length > exponent || (match[2] !== undefined && exponent === 0)) {
    throw new MoneyError('INVALID_AMOUNT', `Not an amount in ${currency}: ${value.slice(0, 24)}`);
  }
  const minor = Number(`${match[1]}${fraction.padEnd(exponent, '0')}`);
  assertAmountMinor(minor);
  return minor;
}
