import { describe, expect, it } from 'vitest';
import { findSteps, jitter, stepLag, stillJitter, type Point3 } from './pose-metrics.ts';

const at = (x: number): Point3 => [x, 0, 0];

describe('pose metrics', () => {
  it('jitter is the 3D standard deviation about the mean', () => {
    expect(jitter([at(1), at(1), at(1)])).toBe(0);
    expect(jitter([at(-1), at(1)])).toBeCloseTo(Math.SQRT2);
    expect(
      jitter([
        [0, 0, 0],
        [3, 4, 0],
      ]),
    ).toBeCloseTo(5 / Math.SQRT2);
    expect(jitter([at(1)])).toBeNaN();
  });

  it('finds steps, and counts the frames a filtered log trails one', () => {
    const raw = [...Array(20).fill(0), ...Array(20).fill(10), ...Array(20).fill(0)].map(at);
    const steps = findSteps(raw, 5);
    expect(steps.map((s) => [s.at, s.from[0], s.to[0]])).toEqual([
      [20, 0, 10],
      [40, 10, 0],
    ]);
    expect(stepLag(raw, steps[0]!)).toBe(0);
    // A filter keeping half of each new frame reaches 90% four frames after (1 - 0.5^4 ≥ 0.9).
    const filtered: Point3[] = [];
    let x = 0;
    for (const p of raw) filtered.push(at((x += 0.5 * (p[0] - x))));
    expect(stepLag(filtered, steps[0]!)).toBe(3);
    expect(stepLag(filtered.slice(0, 21), steps[0]!)).toBeUndefined();
    expect(findSteps(raw, 11)).toEqual([]);
  });

  it('measures jitter over the still stretches, leaving out the frames after each step', () => {
    const raw = [...Array(20).fill(0), ...Array(20).fill(10)].map((x: number, i) => at(x + (i % 2 ? 0.1 : -0.1)));
    const steps = findSteps(raw, 5);
    const j = stillJitter(raw, steps, 3);
    expect(j).toHaveLength(2);
    for (const v of j) expect(v).toBeCloseTo(0.1, 1);
  });
});
