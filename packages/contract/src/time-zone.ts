// Calendar-date arithmetic in an IANA time zone with Intl only: DST-correct local dates, local midnights and wall-clock
// times. Schedules and calendars follow the company's days, on the server and in every client alike.

/** A calendar date with no time zone; month is 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    // Throws RangeError for an unknown zone, which is the error callers should see.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading at `instant`, expressed as if it were UTC milliseconds. */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant)) {
    if (type !== 'literal') parts[type] = Number(value);
  }
  return Date.UTC(
    parts['year']!,
    parts['month']! - 1,
    parts['day']!,
    parts['hour']!,
    parts['minute']!,
    parts['second']!,
  );
}

/** UTC offset in ms at `instant` (positive east of Greenwich). */
export function offsetAt(instant: number, timeZone: string): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  return wallClock(wholeSecond, timeZone) - wholeSecond;
}

export function localDateOf(instant: number, timeZone: string): LocalDate {
  const wall = new Date(wallClock(instant, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The instant a wall-clock reading (given as if it were UTC milliseconds) shows in `timeZone`. A reading skipped by
 * a DST change maps to the moment the clock jumps; a reading that occurs twice, to the first of them.
 */
export function instantOfWallClock(wall: number, timeZone: string): number {
  // A zone changes its offset at most once in any two days, so the offsets a day either side cover every case.
  const offsets = [
    ...new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)]),
  ];
  const exact = offsets.map((offset) => wall - offset).filter((instant) => wallClock(instant, timeZone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped: the clock jumped forward from the smaller offset, at the instant wall - smaller offset.
  return wall - Math.min(...offsets);
}

/**
 * The first instant of a local calendar day. Usually local 00:00; where a DST change skips midnight
 * (e.g. America/Santiago), the moment the clock jumps; where midnight occurs twice, the first of them.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  return instantOfWallClock(Date.UTC(date.year, date.month - 1, date.day), timeZone);
}

export function nextLocalMidnight(instant: number, timeZone: string): number {
  return startOfLocalDay(addDays(localDateOf(instant, timeZone), 1), timeZone);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

/** Days since 1970-01-01 (a Thursday). */
export function dayNumber(date: LocalDate): number {
  return Math.round(Date.UTC(date.year, date.month - 1, date.day) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD`; throws RangeError for anything else or an impossible date. */
export function parseLocalDate(text: string): LocalDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
  if (!date || formatLocalDate(addDays(date, 0)) !== text)
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${text}`);
  return date;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// Wall-clock strings, as the date pickers read and write them.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of `instant` in `timeZone`. */
export function localDateKey(instant: Date | number, timeZone: string): string {
  return formatLocalDate(localDateOf(new Date(instant).getTime(), timeZone));
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
  return new Date(instantOfWallClock(target, timeZone));
}

/** Adds days to a `YYYY-MM-DD` key, in calendar terms. */
export function addDaysToKey(key: string, days: number): string {
  return formatLocalDate(addDays(parseLocalDate(key), days));
}

/** 0 = Monday … 6 = Sunday. */
export function isoWeekdayIndex(key: string): number {
  return (weekday(parseLocalDate(key)) + 6) % 7;
}
