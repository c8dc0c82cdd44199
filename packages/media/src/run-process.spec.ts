import { describe, expect, it } from 'vitest';
import { createProgressParser } from './run-process.ts';

/** One `-progress` block as ffmpeg writes it. */
const block = (outTimeUs: number | 'N/A', progress = 'continue') => [
  `frame=1`,
  `out_time_us=${outTimeUs}`,
  `out_time_ms=${outTimeUs}`,
  `speed=1x`,
  `progress=${progress}`,
];

describe('createProgressParser', () => {
  it('turns output time into a percentage of the duration, held under 100 until the end', () => {
    const seen: number[] = [];
    let clock = 0;
    const parser = createProgressParser(
      10,
      (p) => seen.push(p),
      500,
      () => clock,
    );
    for (const [t, end] of [
      [0, false],
      [2_500_000, false],
      [5_000_000, false],
      [10_000_000, false],
      [10_000_000, true],
    ] as const) {
      clock += 1000;
      for (const line of block(t, end ? 'end' : 'continue')) parser.line(line);
    }
    expect(seen).toEqual([0, 25, 50, 99.9, 100]);
  });

  it('throttles updates but never drops the final 100', () => {
    const seen: number[] = [];
    let clock = 0;
    const parser = createProgressParser(
      4,
      (p) => seen.push(p),
      500,
      () => clock,
    );
    for (let i = 1; i <= 4; i++) {
      clock += 100;
      for (const line of block(i * 1_000_000, i === 4 ? 'end' : 'continue')) parser.line(line);
    }
    expect(seen).toEqual([25, 100]);
  });

  it('ignores N/A times and never goes backwards', () => {
    const seen: number[] = [];
    let clock = 0;
    const parser = createProgressParser(
      10,
      (p) => seen.push(p),
      0,
      () => clock++,
    );
    for (const line of [...block(5_000_000), ...block('N/A'), ...block(1_000_000)]) parser.line(line);
    parser.finish();
    expect(seen).toEqual([50, 100]);
  });
});
