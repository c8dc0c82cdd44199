import { describe, expect, it } from 'vitest';
import { addDaysToKey, fromWallTime, isoWeekdayIndex, localDateKey, toWallTime } from './zoned-time.ts';

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
