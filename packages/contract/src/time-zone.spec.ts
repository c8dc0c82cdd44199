import { describe, expect, it } from 'vitest';
import {
  addDaysToKey,
  fromWallTime,
  isoWeekdayIndex,
  isValidTimeZone,
  localDateKey,
  localDateOf,
  nextLocalMidnight,
  parseLocalDate,
  startOfLocalDay,
  toWallTime,
} from './time-zone.ts';

const iso = (instant: number) => new Date(instant).toISOString();

describe('startOfLocalDay', () => {
  it.each([
    ['Europe/Berlin', '2025-03-30', '2025-03-29T23:00:00.000Z'], // 23-hour day: clocks go forward at 02:00
    ['Europe/Berlin', '2025-03-31', '2025-03-30T22:00:00.000Z'],
    ['Europe/Berlin', '2025-10-26', '2025-10-25T22:00:00.000Z'], // 25-hour day
    ['Europe/Berlin', '2025-10-27', '2025-10-26T23:00:00.000Z'],
    ['America/New_York', '2025-03-09', '2025-03-09T05:00:00.000Z'],
    ['America/New_York', '2025-03-10', '2025-03-10T04:00:00.000Z'],
    ['America/New_York', '2025-11-02', '2025-11-02T04:00:00.000Z'],
    ['America/New_York', '2025-11-03', '2025-11-03T05:00:00.000Z'],
    ['Asia/Kolkata', '2025-01-01', '2024-12-31T18:30:00.000Z'],
    ['Pacific/Chatham', '2025-01-01', '2024-12-31T10:15:00.000Z'],
    // Midnight skipped (00:00 → 01:00): the day starts when the clock jumps.
    ['America/Santiago', '2024-09-08', '2024-09-08T04:00:00.000Z'],
    // Midnight occurs twice (01:00 → 00:00): the day starts at the first one.
    ['America/Havana', '2024-11-03', '2024-11-03T04:00:00.000Z'],
  ])('%s %s starts at %s', (zone, date, expected) => {
    const start = startOfLocalDay(parseLocalDate(date), zone);
    expect(iso(start)).toBe(expected);
    expect(localDateOf(start, zone)).toEqual(parseLocalDate(date));
    expect(localDateOf(start - 1, zone)).not.toEqual(parseLocalDate(date));
  });
});

describe('nextLocalMidnight', () => {
  it('skips the short and long DST days correctly', () => {
    expect(iso(nextLocalMidnight(Date.parse('2025-03-30T00:30:00Z'), 'Europe/Berlin'))).toBe(
      '2025-03-30T22:00:00.000Z',
    );
    expect(iso(nextLocalMidnight(Date.parse('2025-10-26T12:00:00Z'), 'Europe/Berlin'))).toBe(
      '2025-10-26T23:00:00.000Z',
    );
  });

  it('from a midnight moves to the following one', () => {
    expect(iso(nextLocalMidnight(Date.parse('2025-03-10T04:00:00Z'), 'America/New_York'))).toBe(
      '2025-03-11T04:00:00.000Z',
    );
  });
});

describe('parseLocalDate', () => {
  it('rejects malformed and impossible dates', () => {
    expect(parseLocalDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2025-02-29', '2025-13-01', '2025-1-01', '01.02.2025', '']) {
      expect(() => parseLocalDate(bad), bad).toThrow(RangeError);
    }
  });
});

it('isValidTimeZone', () => {
  expect(isValidTimeZone('Europe/Berlin')).toBe(true);
  expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
});

describe('wall-clock times in a named time zone', () => {
  it('reads and writes wall times in the zone, not the browser’s', () => {
    // Summer: Berlin is UTC+2; winter: UTC+1.
    expect(fromWallTime('2026-07-01 10:30', 'Europe/Berlin').toISOString()).toBe('2026-07-01T08:30:00.000Z');
    expect(fromWallTime('2026-01-15 00:00:00', 'Europe/Berlin').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(fromWallTime('2026-01-15T09:00', 'America/New_York').toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect(fromWallTime('2026-03-10', 'UTC').toISOString()).toBe('2026-03-10T00:00:00.000Z');
    expect(toWallTime(new Date('2026-07-01T08:30:00Z'), 'Europe/Berlin')).toBe('2026-07-01 10:30:00');
    expect(toWallTime(new Date('2026-07-01T08:30:00Z'), 'Asia/Tokyo')).toBe('2026-07-01 17:30:00');
  });

  it('round-trips every hour across both DST changes', () => {
    const tz = 'Europe/Berlin';
    for (let t = Date.parse('2026-03-28T00:00:00Z'); t < Date.parse('2026-03-30T00:00:00Z'); t += 3_600_000) {
      expect(fromWallTime(toWallTime(t, tz), tz).getTime()).toBe(t);
    }
    // 2026-10-25 02:30 happens twice in Berlin: the first (summer time) is meant.
    expect(fromWallTime('2026-10-25 02:30', tz).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // 2026-03-29 02:30 does not exist in Berlin: just after the jump.
    expect(fromWallTime('2026-03-29 02:30', tz).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('finds the local day of an instant', () => {
    const instant = new Date('2026-07-01T23:30:00Z');
    expect(localDateKey(instant, 'UTC')).toBe('2026-07-01');
    expect(localDateKey(instant, 'Europe/Berlin')).toBe('2026-07-02');
    expect(localDateKey(instant, 'America/Los_Angeles')).toBe('2026-07-01');
  });

  it('does calendar arithmetic on date keys', () => {
    expect(addDaysToKey('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDaysToKey('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDaysToKey('2026-01-01', -1)).toBe('2025-12-31');
    expect(isoWeekdayIndex('2026-07-06')).toBe(0); // a Monday
    expect(isoWeekdayIndex('2026-07-05')).toBe(6); // a Sunday
  });

  it('refuses what is not a date', () => {
    expect(() => fromWallTime('1 July', 'UTC')).toThrow(RangeError);
  });
});
