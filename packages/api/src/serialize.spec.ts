import fc from 'fast-check';
import superjson from 'superjson';
import { describe, expect, it, vi } from 'vitest';
import { serialize } from './serialize.ts';

function same(value: unknown): void {
  expect(JSON.stringify(serialize(value))).toBe(JSON.stringify(superjson.serialize(value)));
}

/** Keys that exercise superjson's path escaping and JS's key order (array-index keys come first). */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('a.b', 'a\\b', '.', '\\', '\\.', '0', '1', '10', '2.5', '01', '-1', '4294967295', 'a.0'),
  fc.nat({ max: 30 }).map(String),
);
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.constantFrom(0, 1.5, Number.MAX_VALUE, Number.MIN_VALUE),
);
const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  number,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
);
/** The domain: plain data as our procedures return it. Every node is a fresh value (no shared references). */
const plain = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: false }),
  ),
})).value;

/** Outside the domain: what superjson transforms or tracks, which must come out exactly as superjson has it. */
const anything = fc.anything({
  key,
  maxDepth: 4,
  withDate: true,
  withMap: true,
  withSet: true,
  withBigInt: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withObjectString: true,
  withUnicodeString: true,
});

class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
}

describe('serialize', () => {
  it('gives superjson.serialize bytes for plain data, without falling back', () => {
    const fallback = vi.spyOn(superjson, 'serialize');
    fc.assert(
      fc.property(plain, (v) => {
        const ours = JSON.stringify(serialize(v));
        expect(fallback).not.toHaveBeenCalled();
        expect(ours).toBe(JSON.stringify(superjson.serialize(v)));
        fallback.mockClear();
      }),
      { numRuns: 5000 },
    );
    fallback.mockRestore();
  });

  it('gives superjson.serialize bytes for anything else too (by falling back)', () => {
    fc.assert(
      fc.property(anything, (v) => {
        same(v);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives superjson.serialize bytes when a value sits inside plain data next to out-of-domain ones', () => {
    const odd = fc.constantFrom<unknown>(
      new Map([[1, 2]]),
      new Set(['a']),
      10n,
      /re/g,
      new Error('boom'),
      new URL('https://example.com/x'),
      new Point(1, 2),
      NaN,
      Infinity,
      -Infinity,
      -0,
      new Date(NaN),
      Symbol('s'),
      () => 1,
      new Uint8Array([1, 2]),
    );
    fc.assert(
      fc.property(plain, odd, fc.array(key, { minLength: 1, maxLength: 3 }), (v, o, path) => {
        same({ v, o });
        same([v, o]);
        same(Object.fromEntries(path.map((k) => [k, o])));
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back on a repeated reference, shared or circular, as superjson records referentialEqualities', () => {
    fc.assert(
      fc.property(
        plain,
        fc.oneof(fc.date({ noInvalidDate: true }), fc.constant({ a: 1 }), fc.constant([1])),
        (v, shared) => {
          same({ v, a: shared, b: [shared] });
        },
      ),
      { numRuns: 500 },
    );
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    same(circular);
    same({ x: circular });
  });

  it('annotates as superjson does: roots, nesting, escaped keys, undefined, key order', () => {
    const d = new Date('2026-05-01T12:00:00.000Z');
    const cases: unknown[] = [
      undefined,
      null,
      d,
      'x',
      0,
      [],
      {},
      [undefined, new Date(d)],
      { 'a.b': new Date(d), 'c\\d': { 'e.f': undefined }, g: [{ h: new Date(d) }] },
      // An array whose nested annotations come before a later leaf index: superjson's per-level objects reorder them.
      { k: [{ a: new Date(d) }, new Date(d), { b: [undefined] }, undefined] },
      [{ a: new Date(d) }, new Date(d)],
      { 2: new Date(d), 1: { x: undefined }, a: new Date(d), 0: undefined },
      Object.assign(Object.create(null) as object, { a: new Date(d) }),
      { description: undefined, steps: [] },
    ];
    for (const c of cases) same(c);
  });

  it('throws what superjson throws for the keys it refuses', () => {
    const polluted = JSON.parse('{"__proto__": {"a": 1}}') as unknown;
    expect(() => serialize(polluted)).toThrow(/prototype pollution/);
    expect(() => serialize({ constructor: 1 })).toThrow(/prototype pollution/);
  });
});
