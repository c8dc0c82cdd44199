// superjson's `serialize` for what our procedures return, without superjson's cost; the bytes on the wire are the same.
import superjson from 'superjson';

/**
 * What `superjson.serialize(value)` returns, made much faster for plain data: objects (prototype `Object.prototype`
 * or null), dense arrays, strings, finite numbers, booleans, null, undefined and valid Dates. superjson walks every
 * value and tries every transformer on it, with a path array copied at each level; this walks once and looks only
 * for Dates and undefined.
 *
 * Anything else goes to superjson itself, which is then the answer: Map, Set, BigInt, RegExp, Error, URL, symbols,
 * functions, typed arrays, class instances (entities too), NaN, ±Infinity, -0, invalid Dates, sparse arrays or arrays
 * with extra properties, the keys superjson refuses (`__proto__`, `constructor`, `prototype`), and any object met
 * twice (superjson then records `referentialEqualities`, for a shared or a circular reference alike).
 *
 * The annotations have superjson's shape: `meta.values` is `['Date']`/`['undefined']` for a root value, else an
 * object of dotted paths (dots and backslashes in keys escaped) built level by level as superjson builds it, so its
 * keys come in the same order; `meta` is absent when nothing is annotated. serialize.spec.ts compares the two.
 */
export function serialize(value: unknown): { json: unknown; meta?: { values: Annotation; v: 1 } } {
  try {
    const json = walk(value, new Set());
    const values = annotation;
    annotation = undefined;
    return values === undefined ? { json } : { json, meta: { values, v: 1 } };
  } catch (e) {
    annotation = undefined;
    if (e === OUTSIDE) return superjson.serialize(value) as ReturnType<typeof serialize>;
    throw e;
  }
}

type Annotation = [string] | { [path: string]: Annotation };

/** Thrown (never escapes) when a value is outside the domain above. */
const OUTSIDE = new Error('outside the plain-data domain');

/** The annotation of the value `walk` returned last (walks are synchronous, one at a time). */
let annotation: Annotation | undefined;

function walk(value: unknown, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      annotation = undefined;
      return value;
    case 'number':
      if (!Number.isFinite(value) || (value === 0 && 1 / value < 0)) throw OUTSIDE;
      annotation = undefined;
      return value;
    case 'undefined':
      annotation = ['undefined'];
      return null;
    case 'object':
      break;
    default:
      throw OUTSIDE;
  }
  if (value === null) {
    annotation = undefined;
    return null;
  }
  if (seen.has(value)) throw OUTSIDE;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Date.prototype) {
    const date = value as Date;
    if (Number.isNaN(date.getTime())) throw OUTSIDE;
    annotation = ['Date'];
    return date.toISOString();
  }
  let inner: Record<string, Annotation> | undefined;
  if (proto === Array.prototype) {
    const array = value as unknown[];
    const n = array.length;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) throw OUTSIDE;
      out[i] = walk(item, seen);
      if (annotation !== undefined) inner = nest(inner ?? {}, String(i), annotation);
    }
    if (Object.keys(array).length !== n) throw OUTSIDE;
    annotation = inner;
    return out;
  }
  if (proto !== Object.prototype && proto !== null) throw OUTSIDE;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw OUTSIDE;
    out[key] = walk(object[key], seen);
    if (annotation !== undefined) inner = nest(inner ?? {}, key, annotation);
  }
  annotation = inner;
  return out;
}

/** Adds a child's annotation under its key, as superjson's walker does: a leaf as is, a subtree's paths prefixed. */
function nest(inner: Record<string, Annotation>, key: string, child: Annotation): Record<string, Annotation> {
  const escaped = key.includes('.') || key.includes('\\') ? key.replace(/\\/g, '\\\\').replace(/\./g, '\\.') : key;
  if (Array.isArray(child)) {
    inner[escaped] = child;
  } else {
    for (const path of Object.keys(child)) inner[`${escaped}.${path}`] = child[path]!;
  }
  return inner;
}
