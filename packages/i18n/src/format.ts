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
