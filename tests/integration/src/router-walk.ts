// Walks every procedure of appRouter and builds inputs from its zod schema, so new procedures are covered without edits.
import { randomUUID } from 'node:crypto';
import { appRouter } from '@arvlite/api';
import { z } from 'zod';

export interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  meta: { scope: 'tenant'; minRole: string } | { scope: 'self' } | { scope: 'public' } | { scope: 'admin' } | undefined;
  input: z.ZodType | undefined;
}

export function listProcedures(): ProcedureInfo[] {
  const procs = (
    appRouter._def as unknown as {
      procedures: Record<
        string,
        { _def: { type: ProcedureInfo['type']; meta?: ProcedureInfo['meta']; inputs: z.ZodType[] } }
      >;
    }
  ).procedures;
  return Object.entries(procs).map(([path, p]) => ({
    path,
    type: p._def.type,
    meta: p._def.meta,
    input: p._def.inputs[0],
  }));
}

/** Calls a procedure by path on a caller, draining the first value of a subscription. */
export async function callPath(caller: unknown, path: string, input: unknown): Promise<unknown> {
  let fn: unknown = caller;
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  const result = await (fn as (i: unknown) => Promise<unknown>)(input);
  if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    try {
      return (await it.next()).value;
    } finally {
      await it.return?.();
    }
  }
  return result;
}

const SAMPLE_VALUES: unknown[] = [
  'Sample Name',
  'UTC',
  'sample-provider',
  'a'.repeat(24),
  'someone@example.com',
  'http://localhost:3000/callback',
  1,
  20,
  true,
  new Date('2026-01-01T00:00:00Z'),
  '2026-01-01',
  'viewer',
  'ExponentPushToken[walker-device]',
  [1],
  ['a'],
  ['1'],
  [],
  {},
  // A nested person that needs a name (an order's customer); after {} so that anything taking {} keeps it.
  { name: 'Sample Name' },
];

function unwrapObject(schema: z.ZodType): z.ZodObject | undefined {
  let s: unknown = schema;
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodObject) return s;
    const def = (s as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
    s = def?.innerType ?? def?.in;
    if (!s) return undefined;
  }
  return undefined;
}

/** The first option of an enum field, or a literal's value (possibly wrapped in optional/default); for a list of them, a list of one. */
function enumSample(schema: z.ZodType): unknown {
  let s: unknown = schema;
  for (let i = 0; i < 5 && s; i++) {
    if (s instanceof z.ZodEnum) return s.options[0];
    if (s instanceof z.ZodArray) {
      const item = enumSample(s.element as z.ZodType);
      return item === undefined ? undefined : [item];
    }
    if (s instanceof z.ZodLiteral) return s.value;
    s = (s as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType;
  }
  return undefined;
}

/** True when a field accepts a uuid and refuses a non-id string: it names an object. */
export function isIdField(schema: z.ZodType): boolean {
  return schema.safeParse(randomUUID()).success && !schema.safeParse('not-an-id').success;
}

/** True when a field is a list of ids (e.g. `ids` of a batch mark-read): walked with a list of one id. */
function isIdListField(schema: z.ZodType): boolean {
  return schema.safeParse([randomUUID()]).success && !schema.safeParse(['not-an-id']).success;
}

export interface InputPlan {
  idFields: string[];
  /** Builds a valid input with the given ids in the id fields. */
  build(ids: Record<string, string>): Record<string, unknown> | undefined;
}

export function planInput(schema: z.ZodType | undefined): InputPlan | undefined {
  if (!schema) return undefined;
  // A union of objects (e.g. one per kind): the first option that can be built stands for the procedure.
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as z.ZodType[]) {
      const plan = planInput(option);
      if (plan?.build(Object.fromEntries(plan.idFields.map((f) => [f, randomUUID()])))) return plan;
    }
    return undefined;
  }
  const obj = unwrapObject(schema);
  if (!obj) return undefined;
  const shape = obj.shape as Record<string, z.ZodType>;
  const single = Object.keys(shape).filter((k) => isIdField(shape[k]!));
  // A list of ids is walked only where it is all the input names (a batch such as mark-read); beside an object's id
  // (a playlist's videos) it keeps its sample, or the combinations multiply.
  const lists = new Set(single.length ? [] : Object.keys(shape).filter((k) => isIdListField(shape[k]!)));
  const idFields = [...single, ...lists];
  const base: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (idFields.includes(key)) continue;
    const sample = SAMPLE_VALUES.find((v) => field.safeParse(v).success && v !== undefined) ?? enumSample(field);
    if (sample !== undefined) base[key] = sample;
  }
  return {
    idFields,
    build(ids) {
      const given = Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, lists.has(k) ? [v] : v]));
      const input = { ...base, ...given };
      return schema.safeParse(input).success ? input : undefined;
    },
  };
}
