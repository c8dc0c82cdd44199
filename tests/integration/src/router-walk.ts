// Walks every procedure of appRouter and builds inputs from its zod schema, so new procedures are covered without edits.
import { randomUUID } from 'node:crypto';
import { appRouter, type ApiDeps } from '@arvlite/api';
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
  // A later instant, for an input whose end must come after its start (a playlist's window rule).
  new Date('2026-03-01T00:00:00Z'),
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

/** True when a field is a list of ids (e.g. `ids` of a batch mark-read, a playlist's `videoIds`): walked with a list of one id. */
function isIdListField(schema: z.ZodType): boolean {
  return schema.safeParse([randomUUID()]).success && !schema.safeParse(['not-an-id']).success;
}

export interface InputPlan {
  /** The fields that name objects: single ids, then lists of ids (see listFields). */
  idFields: string[];
  /** The id fields that take a list of ids; given one id, build puts it in a list of one. */
  listFields: string[];
  /** Id fields the input may leave out (an optional default video, say). */
  optionalFields: string[];
  /** Which option of a union input this plan builds (0 for an object input). */
  option: number;
  /**
   * Builds a valid input with the given ids in the id fields; an id field not given keeps its sample (a list: the
   * empty list where valid) or is left out. With `optionalOut`, the other fields the input may leave out are left out
   * where it still validates (no filter, search or cursor: a list's broadest answer). Undefined when the input would
   * not validate.
   */
  build(ids: Record<string, string | string[]>, opts?: { optionalOut?: boolean }): Record<string, unknown> | undefined;
}

/** Every union option as its own schema (nested unions flattened); an object input is its only option. */
function unionOptions(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap((o) => unionOptions(o));
  return [schema];
}

/**
 * One plan per option of the input (a union of objects, e.g. one per rule kind, has several), each with the values its
 * non-id fields need. Options that cannot be built are left out.
 */
export function planInputs(schema: z.ZodType | undefined): InputPlan[] {
  if (!schema) return [];
  return unionOptions(schema).flatMap((option, i) => {
    const plan = planObject(option, i);
    return plan ? [plan] : [];
  });
}

/** The plan of an input's first option that can be built (a union's other options: planInputs). */
export function planInput(schema: z.ZodType | undefined): InputPlan | undefined {
  return planInputs(schema)[0];
}

function planObject(schema: z.ZodType, option: number): InputPlan | undefined {
  const obj = unwrapObject(schema);
  if (!obj) return undefined;
  const shape = obj.shape as Record<string, z.ZodType>;
  const single = Object.keys(shape).filter((k) => isIdField(shape[k]!));
  const listFields = Object.keys(shape).filter((k) => !single.includes(k) && isIdListField(shape[k]!));
  const idFields = [...single, ...listFields];
  const optionalFields = idFields.filter((k) => shape[k]!.safeParse(undefined).success);
  // Each other field's candidate values, in order: the samples it accepts, its enum/literal, or leaving it out.
  const choices: Record<string, unknown[]> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (idFields.includes(key)) continue;
    const values = SAMPLE_VALUES.filter((v) => field.safeParse(v).success);
    const fromEnum = enumSample(field);
    if (fromEnum !== undefined) values.push(fromEnum);
    if (field.safeParse(undefined).success) values.push(undefined);
    choices[key] = values.length ? values : [undefined];
  }
  const base: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(choices)) base[key] = values[0];
  // Object-level rules (an end after its start) may refuse the first choices together: try another value of one field.
  const probe = {
    ...base,
    ...Object.fromEntries(idFields.map((k) => [k, listFields.includes(k) ? [randomUUID()] : randomUUID()])),
  };
  if (!schema.safeParse(withoutUndefined(probe)).success) {
    search: for (const [key, values] of Object.entries(choices)) {
      for (const value of values.slice(1)) {
        if (schema.safeParse(withoutUndefined({ ...probe, [key]: value })).success) {
          base[key] = value;
          break search;
        }
      }
    }
  }
  const fixed = withoutUndefined(base);
  // The same without the optional fields (no filter, no search, no cursor): the broadest answer a list gives.
  const minimal = Object.fromEntries(Object.entries(fixed).filter(([k]) => !shape[k]!.safeParse(undefined).success));
  // A list of ids not given is the empty list where that validates (a playlist of no videos), else left out.
  const emptyLists = listFields.filter((k) => shape[k]!.safeParse([]).success);
  return {
    idFields,
    listFields,
    optionalFields,
    option,
    build(ids, opts) {
      const given = Object.fromEntries(
        Object.entries(ids).map(([k, v]) => [k, listFields.includes(k) && typeof v === 'string' ? [v] : v]),
      );
      const lists = Object.fromEntries(emptyLists.filter((k) => !(k in given)).map((k) => [k, []]));
      for (const others of opts?.optionalOut ? [minimal, fixed] : [fixed]) {
        const input = { ...others, ...lists, ...given };
        if (schema.safeParse(input).success) return input;
      }
      return undefined;
    },
  };
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** What belongs to one tenant: its company, its users, and every id of its that a job or a row may mention. */
export interface TenantOwnership {
  companyId: string;
  userIds: string[];
  /** Ids of the tenant's objects (videos, items, rules, orders, …); a job or a row naming one is the tenant's. */
  ids: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuidLiteral(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a uuid: ${id}`);
  return `'${id}'`;
}

/** The fingerprint query per database (its orm) and tenant: the catalogue is read once. */
const fingerprintSql = new WeakMap<object, Map<string, Promise<string>>>();

/**
 * One query that answers a `part, n, md5` row per table of the tenant's rows, found from the database's own catalogue
 * (information_schema), so a table added later is covered without an edit here. A row is the tenant's when:
 * - it is the company, or one of its users;
 * - its company_id is the company (with or without a foreign key), or its user_id one of the users;
 * - a foreign key of it points at a row that is the tenant's (playlist rules and items through their AR item, video
 *   steps and upload sessions through their video, webhook attempts through their delivery, …): so another tenant's
 *   row that points at one of this tenant's rows counts too, and its creation shows;
 * - its text mentions one of the tenant's ids (an audit row's target, a rate-limit key, a JSON column).
 * One more row, `outputs`, lists the public outputs ids (output_id columns) of the tenant's rows, for the storage part.
 */
async function buildFingerprintSql(deps: Pick<ApiDeps, 'orm'>, tenant: TenantOwnership): Promise<string> {
  const em = deps.orm.fork();
  const tables = await em.execute<{ table_name: string }[]>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
      order by table_name`,
  );
  const columns = await em.execute<{ table_name: string; column_name: string }[]>(
    `select table_name, column_name from information_schema.columns where table_schema = 'public'`,
  );
  // Each foreign key column with the table and column it references (column pairs of a composite key matched by
  // position).
  const fks = await em.execute<{ table_name: string; column_name: string; ref_table: string; ref_column: string }[]>(
    `select kcu.table_name, kcu.column_name, ref.table_name as ref_table, ref.column_name as ref_column
       from information_schema.referential_constraints rc
       join information_schema.key_column_usage kcu
         on kcu.constraint_schema = rc.constraint_schema and kcu.constraint_name = rc.constraint_name
       join information_schema.key_column_usage ref
         on ref.constraint_schema = rc.unique_constraint_schema and ref.constraint_name = rc.unique_constraint_name
        and ref.ordinal_position = kcu.position_in_unique_constraint
      where kcu.table_schema = 'public' and ref.table_schema = 'public'`,
  );
  const colsOf = new Map<string, Set<string>>();
  for (const c of columns) colsOf.set(c.table_name, (colsOf.get(c.table_name) ?? new Set()).add(c.column_name));
  const fksOf = new Map<string, typeof fks>();
  for (const fk of fks) fksOf.set(fk.table_name, [...(fksOf.get(fk.table_name) ?? []), fk]);
  const company = uuidLiteral(tenant.companyId);
  const users = tenant.userIds.map(uuidLiteral).join(', ');
  const mentions = `'${[tenant.companyId, ...tenant.userIds, ...tenant.ids].map((id) => uuidLiteral(id).slice(1, -1)).join('|')}'`;
  const cte = (t: string) => `"owned_${t}"`;
  // Depth-first in reference order, so each table's CTE comes after those it refers to (an edge back into a cycle is
  // left out: the rows it would add are still found through the table's other conditions).
  const state = new Map<string, 'visiting' | 'done'>();
  const defs: string[] = [];
  const owned: string[] = [];
  const visit = (t: string): void => {
    if (state.has(t)) return;
    state.set(t, 'visiting');
    const cols = colsOf.get(t) ?? new Set<string>();
    const conds = [`t::text ~ ${mentions}`];
    if (t === 'company') conds.push(`t.id = ${company}`);
    if (t === 'app_user') conds.push(`t.id in (${users})`);
    if (cols.has('company_id')) conds.push(`t.company_id = ${company}`);
    if (cols.has('user_id')) conds.push(`t.user_id in (${users})`);
    for (const fk of fksOf.get(t) ?? []) {
      visit(fk.ref_table);
      if (state.get(fk.ref_table) !== 'done' || !owned.includes(fk.ref_table)) continue;
      conds.push(`t."${fk.column_name}" in (select "${fk.ref_column}" from ${cte(fk.ref_table)})`);
    }
    defs.push(`${cte(t)} as (select t.* from "${t}" t where ${conds.join(' or ')})`);
    owned.push(t);
    state.set(t, 'done');
  };
  for (const { table_name } of tables) visit(table_name);
  const parts = owned.map(
    (t) =>
      `select '${t}' as part, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as md5
         from ${cte(t)} x`,
  );
  const outputs = owned
    .filter((t) => colsOf.get(t)?.has('output_id'))
    .map((t) => `select output_id::text as o from ${cte(t)} where output_id is not null`);
  if (outputs.length) {
    parts.push(
      `select 'outputs' as part, count(*)::int as n, coalesce(string_agg(o, ',' order by o), '') as md5
         from (${outputs.join(' union ')}) x`,
    );
  }
  // Jobs that name one of the tenant's ids in their key or payload (enqueued for it, or by another tenant's call
  // naming it); nothing runs them in a walk, so any change is a call's doing.
  parts.push(
    `select 'graphile jobs' as part, count(*)::int as n,
            md5(coalesce(string_agg(concat_ws(':', j.id, k.identifier, j.key, j.payload::text, j.run_at, j.revision,
                j.attempts), '|' order by j.id), '')) as md5
       from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
      where concat_ws(' ', j.key, j.payload::text) ~ ${mentions}`,
  );
  return `with ${defs.join(',\n')}\n${parts.join('\nunion all\n')}`;
}

/**
 * A checksum per part of everything a tenant owns: one per table of its rows (see buildFingerprintSql), the jobs
 * naming its ids, and the objects under its storage prefixes (`<companyId>/` and `pub/<outputId>/` of its rows), by
 * key and ETag. Compare two with changedParts.
 */
export async function tenantFingerprint(
  deps: Pick<ApiDeps, 'orm' | 'storage'>,
  tenant: TenantOwnership,
): Promise<Map<string, string>> {
  const perOrm = fingerprintSql.get(deps.orm) ?? new Map<string, Promise<string>>();
  fingerprintSql.set(deps.orm, perOrm);
  const key = JSON.stringify(tenant);
  let sql = perOrm.get(key);
  if (!sql) {
    sql = buildFingerprintSql(deps, tenant);
    perOrm.set(key, sql);
  }
  const rows = await deps.orm.fork().execute<{ part: string; n: number; md5: string }[]>(await sql);
  const parts = new Map(rows.map((r) => [r.part, `${r.n}:${r.md5}`]));
  const outputIds = (parts.get('outputs') ?? '').split(':').slice(1).join(':').split(',').filter(Boolean);
  for (const prefix of [`${tenant.companyId}/`, ...outputIds.map((o) => `pub/${o}/`)]) {
    const keys = await deps.storage.listKeys(prefix);
    const tags = await Promise.all(keys.map(async (k) => `${k}=${(await deps.storage.head(k))?.etag ?? 'gone'}`));
    parts.set(`storage ${prefix}`, tags.join(','));
  }
  return parts;
}

/** The parts of two fingerprints that differ (added, removed or changed). */
export function changedParts(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}
