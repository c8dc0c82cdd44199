// Wall-clock times in a named time zone (the company's), with Intl only: schedules and calendars follow the
// company's days, not the browser's.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading at `instant` in `timeZone`, as if it were UTC milliseconds. */
function wallClock(instant: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant))
    if (type !== 'literal') p[type] = Number(value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of `instant` in `timeZone`. */
export function localDateKey(instant: Date | number, timeZone: string): string {
  const w = new Date(wallClock(new Date(instant).getTime(), timeZone));
  return `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;
}

/** `YYYY-MM-DD HH:mm:ss` (the format of the date pickers) of `instant` in `timeZone`. */
export function toWallTime(instant: Date | number, timeZone: string): string {
  const w = new Date(wallClock(new Date(instant).getTime(), timeZone));
  return `${localDateKey(instant, timeZone)} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`;
}

/**
 * The instant a wall-clock time (`YYYY-MM-DD`, `YYYY-MM-DD HH:mm` or with seconds, `T` also accepted) shows in
 * `timeZone`. A time skipped by a DST change maps to just after the jump; a repeated one to its first occurrence.
 */
export function fromWallTime(wall: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(wall.trim());
  if (!m) throw new RangeError(`Not a date and time: ${wall}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const target = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // The offsets either side of the target cover every DST case (a zone changes its offset at most once a day).
  const offsets = [
    ...new Set([-86_400_000, 0, 86_400_000].map((shift) => wallClock(target + shift, timeZone) - (target + shift))),
  ];
  const exact = offsets.map((o) => target - o).filter((t) => wallClock(t, timeZone) === target);
  return new Date(exact.length ? Math.min(...exact) : target - Math.min(...offsets));
}

/** Adds days to a `YYYY-MM-DD` key, in calendar terms. */
export function addDaysToKey(key: string, days: number): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** 0 = Monday … 6 = Sunday. */
export function isoWeekdayIndex(key: string): number {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
