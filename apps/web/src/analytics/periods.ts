// The analytics page's ranges and how its numbers read: periods in the company's time zone, watch times, rates, in
// the page's language.
import { formats, t } from '../i18n/dashboard.ts';

export type Granularity = 'hour' | 'day' | 'week' | 'month';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Each range's label is `analytics.ranges.<key>` in the catalogs. */
export const RANGES = {
  '24h': { granularity: 'hour', ms: DAY },
  '7d': { granularity: 'day', ms: 7 * DAY },
  '30d': { granularity: 'day', ms: 30 * DAY },
  '90d': { granularity: 'week', ms: 90 * DAY },
  '12m': { granularity: 'month', ms: 365 * DAY },
} as const satisfies Record<string, { granularity: Granularity; ms: number }>;
export type RangeKey = keyof typeof RANGES;

/** The summary input for a range ending now; `to` is rounded up to the minute so a refetch within it asks the same. */
export function rangeOf(key: RangeKey, now = Date.now()): { from: Date; to: Date; granularity: Granularity } {
  const r = RANGES[key];
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: new Date(to - r.ms), to: new Date(to), granularity: r.granularity };
}

/** A period's start as a short label in `timeZone`: 14:00, 3 Jul, Week of 30 Jun, Jul 2026 (14:00, 3 июл., …). */
export function periodLabel(start: Date, granularity: Granularity, timeZone: string): string {
  const at = new Date(start);
  const { locale } = formats();
  if (granularity === 'hour') return at.toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  if (granularity === 'month') return at.toLocaleDateString(locale, { timeZone, month: 'short', year: 'numeric' });
  const day = at.toLocaleDateString(locale, { timeZone, day: 'numeric', month: 'short' });
  return granularity === 'week' ? t('analytics.weekOf', { day }) : day;
}

/** Watch time as m:ss or h:mm:ss; an em dash when nothing was reported. */
export function formatWatch(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return formats().clock(ms / 1000);
}

/** A share (0.73) as a percentage in the page's language (73%, 73 %); an em dash for none. */
export function formatRate(rate: number | null | undefined): string {
  return formats().percent(rate);
}
