import { describe, expect, it } from 'vitest';
import { isValidTimeZone, localDateOf, nextLocalMidnight, parseLocalDate, startOfLocalDay } from './time-zone.ts';

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
