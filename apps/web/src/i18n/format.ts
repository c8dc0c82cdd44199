// Dates, numbers, durations and byte sizes in the page's language (the formats come from @arvlite/i18n).
import type { Language } from '@arvlite/contract';
import { formatBytes, formatDate, formatDateTime, formatDuration, formatNumber, formatPercent } from '@arvlite/i18n';

const LOCALE: Record<Language, string> = { en: 'en-GB', ru: 'ru-RU' };

/** The BCP 47 locale Intl uses for a language. */
export const localeOf = (lng: Language): string => LOCALE[lng];

export interface Formats {
  lng: Language;
  locale: string;
  bytes: (n: number) => string;
  number: (n: number) => string;
  /** A number with exactly `digits` decimals (12.3). */
  fixed: (n: number, digits: number) => string;
  /** A fraction (0.73) as a percentage; an em dash for none. */
  percent: (fraction: number | null | undefined) => string;
  /** Seconds as a clock (1:05, 1:02:05). */
  clock: (seconds: number) => string;
  /** Date and time, or an em dash for none. */
  dateTime: (d: Date | string | number | null | undefined, timeZone?: string) => string;
  date: (d: Date | string | number | null | undefined, timeZone?: string) => string;
}

const DASH = '—';

export function formatsFor(lng: Language): Formats {
  return {
    lng,
    locale: LOCALE[lng],
    bytes: (n) => formatBytes(n, lng),
    number: (n) => formatNumber(n, lng),
    fixed: (n, digits) => formatNumber(n, lng, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
    percent: (f) => (f === null || f === undefined ? DASH : formatPercent(f, lng)),
    clock: (s) => formatDuration(s, lng),
    dateTime: (d, tz) => (d === null || d === undefined ? DASH : formatDateTime(d, lng, tz)),
    date: (d, tz) => (d === null || d === undefined ? DASH : formatDate(d, lng, tz)),
  };
}
