import { chromaKeySchema } from '@arvlite/contract';
import { describe, expect, it } from 'vitest';
import { keyedAlpha, shownAspect } from './chroma-material.ts';

const green = { color: '#00FF00', tolerance: 0.3, softness: 0.1 };

describe('the chroma key rule', () => {
  it('keys out the screen, in any shade of it, and keeps the subject', () => {
    expect(keyedAlpha([0, 1, 0], green)).toBe(0);
    expect(keyedAlpha([0.1, 0.7, 0.15], green)).toBe(0); // a darker, uneven screen
    for (const subject of [
      [1, 0, 0],
      [0.9, 0.75, 0.6], // skin
      [0.5, 0.5, 0.5],
      [0, 0, 0],
      [1, 1, 1],
      [0, 0, 1],
    ] as const)
      expect(keyedAlpha(subject, green), subject.join()).toBe(1);
  });

  it('fades over the softness above the tolerance', () => {
    const hard = { ...green, softness: 0 };
    const soft = { ...green, softness: 0.5 };
    const edge: [number, number, number] = [0.45, 0.75, 0.45]; // green spill on an edge
    expect(keyedAlpha(edge, hard)).toBeOneOf([0, 1]);
    expect(keyedAlpha(edge, soft)).toBeGreaterThan(0);
    expect(keyedAlpha(edge, soft)).toBeLessThan(1);
  });

  it('tolerance 0 keeps everything but the exact colour; tolerance 1 keys out everything', () => {
    expect(keyedAlpha([0.1, 0.9, 0.1], { color: '#00FF00', tolerance: 0, softness: 0 })).toBe(1);
    expect(keyedAlpha([1, 0, 1], { color: '#00FF00', tolerance: 1, softness: 0.2 })).toBe(0);
  });

  it('the contract refuses keys outside their bounds, and unknown fields', () => {
    expect(chromaKeySchema.safeParse(green).success).toBe(true);
    expect(chromaKeySchema.safeParse({ color: '#00FF00', tolerance: 0.2 }).success).toBe(true);
    for (const bad of [
      { color: 'green', tolerance: 0.3 },
      { color: '#00FF0', tolerance: 0.3 },
      { color: '#00FF00', tolerance: 1.5 },
      { color: '#00FF00', tolerance: -0.1 },
      { color: '#00FF00', tolerance: 0.3, softness: 2 },
      { color: '#00FF00', tolerance: 0.3, extra: 1 },
      { color: '#00FF00' },
    ])
      expect(chromaKeySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('a stacked-alpha video shows half its width', () => {
    expect(shownAspect(1280, 360, { alphaLayout: 'side-by-side' })).toBeCloseTo(16 / 9);
    expect(shownAspect(640, 360, {})).toBeCloseTo(16 / 9);
  });
});
