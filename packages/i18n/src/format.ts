// Locale-aware formats for numbers, byte sizes, durations and dates (Intl only: browsers, Node and Hermes have it).
import type { Language } from '@arvlite/contract';

const LOCALE: Record<Language, string> = { en: 'en-GB', ru: 'ru-RU' };

export function formatNumber(value: number, lng: Language, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(LOCALE[lng], opts).format(value);
}

export function formatPercent(fraction: number, lng: Language): string {
  return new Intl.NumberFormat(LOCALE[lng], { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** 1536 → "1.5 kB" / "1,5 кБ" (binary steps of 1024, as the quota and upload limits are counted). */
export function formatBytes(bytes: number, lng: Language): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return new Intl.NumberFormat(LOCALE[lng], {
    style: 'unit',
    unit: BYTE_UNITS[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1,
  }).format(value);
}

/** Seconds as a clock: 75 → "1:15", 3725 → "1:02:05" (the same in both languages). */
export function formatDuration(seconds: number, _lng?: Language): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatDate(value: Date | string | number, lng: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALE[lng], { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(
    new Date(value),
  );
}

export function formatDateTime(value: Date | string | number, lng: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALE[lng], {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(value));
}

/** Fraction digits of a currency's minor unit (RUB, EUR, USD 2; JPY 0; KWD 3), as Intl knows them. */
export function currencyMinorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An integer amount in minor units as money: (123456, 'RUB') → "RUB 1,234.56" / "1 234,56 ₽". The amount goes to Intl
 * as an exact decimal string, never through a float division, so any safe integer prints exactly.
 */
export function formatMoney(minor: number, currency: string, lng: Language): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError('money must be a safe integer of minor units');
  const digits = currencyMinorDigits(currency);
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits > 0 ? abs.slice(0, -digits) : abs;
  const decimal = `${minor < 0 ? '-' : ''}${whole}${digits > 0 ? `.${abs.slice(-digits)}` : ''}`;
  return new Intl.NumberFormat(LOCALE[lng], { style: 'currency', currency }).format(
    decimal as Intl.StringNumericLiteral,
  );
}
