import { describe, expect, it } from 'vitest';
import { layoutBars, niceMax } from '../components/bar-chart.tsx';
import { formatRate, formatWatch, periodLabel, rangeOf } from './periods.ts';

describe('analytics periods', () => {
  it('ends a range at the next whole minute and picks the granularity', () => {
    const now = Date.parse('2026-07-15T10:20:30Z');
    expect(rangeOf('7d', now)).toEqual({
      from: new Date('2026-07-08T10:21:00Z'),
      to: new Date('2026-07-15T10:21:00Z'),
      granularity: 'day',
    });
    expect(rangeOf('12m', now).granularity).toBe('month');
    expect(rangeOf('24h', now).granularity).toBe('hour');
  });

  it('labels periods in the company’s time zone', () => {
    // 22:00 UTC on 30 June is already 1 July in Berlin.
    expect(periodLabel(new Date('2026-06-30T22:00:00Z'), 'day', 'Europe/Berlin')).toMatch(/1/);
    expect(periodLabel(new Date('2026-06-30T22:00:00Z'), 'day', 'Europe/Berlin')).toMatch(/Jul/);
    expect(periodLabel(new Date('2026-06-29T00:00:00Z'), 'week', 'UTC')).toMatch(/^Week of /);
  });

  it('formats watch time and rates', () => {
    expect(formatWatch(65_400)).toBe('1:05');
    expect(formatWatch(3_725_000)).toBe('1:02:05');
    expect(formatWatch(null)).toBe('—');
    expect(formatRate(0.734)).toBe('73%');
    expect(formatRate(null)).toBe('—');
  });
});

describe('bar chart geometry', () => {
  it('rounds the axis up to 1, 2 or 5 × 10ⁿ', () => {
    expect([0, 1, 3, 7, 10, 11, 180, 2001].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 5000]);
  });

  it('lays bars side by side, as tall as their share of the axis', () => {
    const bars = layoutBars([5, 10, 0], 300, 100, 10);
    expect(bars.map((b) => b.height)).toEqual([50, 100, 0]);
    expect(bars.map((b) => b.y)).toEqual([50, 0, 100]);
    expect(bars[1]!.x).toBeGreaterThan(bars[0]!.x + bars[0]!.width);
    expect(bars[2]!.x + bars[2]!.width).toBeLessThanOrEqual(300);
    expect(layoutBars([], 300, 100)).toEqual([]);
  });
});
