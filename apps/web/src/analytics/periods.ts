// The analytics page's ranges and how its numbers read: periods in the company's time zone, watch times, rates.
export type Granularity = 'hour' | 'day' | 'week' | 'month';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RANGES = {
  '24h': { label: 'Last 24 hours', granularity: 'hour', ms: DAY },
  '7d': { label: 'Last 7 days', granularity: 'day', ms: 7 * DAY },
  '30d': { label: 'Last 30 days', granularity: 'day', ms: 30 * DAY },
  '90d': { label: 'Last 90 days', granularity: 'week', ms: 90 * DAY },
  '12m': { label: 'Last 12 months', granularity: 'month', ms: 365 * DAY },
} as const satisfies Record<string, { label: string; granularity: Granularity; ms: number }>;
export type RangeKey = keyof typeof RANGES;

/** The summary input for a range ending now; `to` is rounded up to the minute so a refetch within it asks the same. */
export function rangeOf(key: RangeKey, now = Date.now()): { from: Date; to: Date; granularity: Granularity } {
  const r = RANGES[key];
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: new Date(to - r.ms), to: new Date(to), granularity: r.granularity };
}

/** A period's start as a short label in `timeZone`: 14:00, 3 Jul, w/c 30 Jun, Jul 2026. */
export function periodLabel(start: Date, granularity: Granularity, timeZone: string): string {
  const at = new Date(start);
  if (granularity === 'hour') return at.toLocaleTimeString(undefined, { timeZone, hour: '2-digit', minute: '2-digit' });
  if (granularity === 'month') return at.toLocaleDateString(undefined, { timeZone, month: 'short', year: 'numeric' });
  const day = at.toLocaleDateString(undefined, { timeZone, day: 'numeric', month: 'short' });
  return granularity === 'week' ? `Week of ${day}` : day;
}

/** Watch time as m:ss or h:mm:ss; an em dash when nothing was reported. */
export function formatWatch(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const t = Math.round(ms / 1000);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}
