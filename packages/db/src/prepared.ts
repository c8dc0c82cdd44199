// Hot reads as named prepared statements: hand-written SQL that Postgres parses and plans once per connection, with
// rows mapped into the EntityManager (identity map, unit of work) exactly as a find() would.
import type { EntityClass, EntityDictionary, EntityMetadata } from '@mikro-orm/core';
import type { PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type pg from 'pg';

/**
 * One statement, written with `?` placeholders (as em.execute takes them). MikroORM inlines every parameter into the
 * SQL text, so Postgres parses and plans each of its statements on every call; this runs the same SQL through the
 * pool's `pg` client as a named prepared statement instead. Inside a transaction it falls back to em.execute on the
 * transaction's connection, so it always sees (and joins) the caller's transaction.
 */
export class PreparedStatement {
  readonly name: string;
  readonly sql: string;
  readonly #text: string;

  constructor(name: string, sql: string) {
    this.name = name;
    this.sql = sql;
    let n = 0;
    // Our SQL carries no `?` operators or `?` inside literals, so every `?` is a placeholder.
    this.#text = sql.replace(/\?/g, () => `$${++n}`);
  }

  async rows<T extends object>(em: EntityManager, values: unknown[]): Promise<T[]> {
    const trx = em.getTransactionContext();
    const connection = em.getConnection() as unknown as PostgreSqlConnection;
    if (trx) return connection.execute<T[]>(this.sql, values, 'all', trx);
    const pool = (await connection.getNativeClient()) as pg.Pool;
    try {
      const res = await pool.query<T & pg.QueryResultRow>({ name: this.name, text: this.#text, values });
      return res.rows;
    } catch (e) {
      throw em
        .getPlatform()
        .getExceptionConverter()
        .convertException(e as Error);
    }
  }
}

/** A statement whose SQL needs the metadata (column lists): built on first use, then shared. */
export function preparedStatement(
  name: string,
  build: (em: EntityManager) => string,
): (em: EntityManager) => PreparedStatement {
  let statement: PreparedStatement | undefined;
  return (em) => (statement ??= new PreparedStatement(name, build(em)));
}

/** Persistent columns of an entity, as MikroORM loads them by default (no lazy, formula or collection properties). */
function columnsOf(meta: EntityMetadata, exclude: readonly string[] = []): string[] {
  return meta.props
    .filter(
      (p) =>
        p.persist !== false &&
        !p.lazy &&
        !p.formula &&
        (p.kind === 'scalar' || p.kind === 'm:1' || (p.kind === '1:1' && p.owner)),
    )
    .filter((p) => !exclude.includes(p.name))
    .flatMap((p) => p.fieldNames);
}

export interface EntityColumns<T extends object> {
  /** `v."title" as "v__title", …` */
  sql: string;
  /** Maps the prefixed columns of `row` into `em` (merged and managed, as a find would leave them). */
  map(em: EntityManager, row: Record<string, unknown>): T;
}

const columnSets = new Map<string, EntityColumns<object>>();

/**
 * The select list for an entity under a table alias, each column prefixed (`v."title" as "v__title"`) so several
 * entities can share one row, and the matching mapper. Columns come from the metadata and are listed by name, so a
 * column added by a later migration does not change a prepared statement's result type.
 */
export function entityColumns<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  alias: string,
  /** Properties left out: the entity is then partially loaded, as with find's `exclude`, and they read undefined. */
  exclude: readonly string[] = [],
): EntityColumns<T> {
  const key = `${entity.name}:${alias}:${exclude.join(',')}`;
  let set = columnSets.get(key);
  if (!set) {
    const columns = columnsOf(em.getMetadata().get(entity), exclude);
    const prefix = `${alias}__`;
    set = {
      sql: columns.map((c) => `${alias}."${c}" as "${prefix}${c}"`).join(', '),
      map(em, row) {
        const data: Record<string, unknown> = {};
        for (const c of columns) data[c] = row[prefix + c];
        return em.map(entity, data as EntityDictionary<T>);
      },
    };
    columnSets.set(key, set);
  }
  return set as EntityColumns<T>;
}

export interface RecordColumns<T extends object, K extends keyof T> {
  /** `v."title" as "v__title", …` */
  sql: string;
  /** The same as one `json_build_object('v__title', v."title", …)`, for nesting (e.g. with json_agg). */
  json: string;
  /**
   * The prefixed columns of `row` (or of a nested object from `json`) as a plain object: nothing is created in, or
   * tracked by, the EntityManager.
   */
  read(row: Record<string, unknown>): Pick<T, K>;
}

/**
 * For read-only views: some scalar properties of an entity under a table alias, and a reader that turns a row into
 * a plain object with the entity's property names and JS types (dates as Date, bigints as number, JSON parsed by
 * pg). Skips em.map's hydration, identity map and snapshots; use entityColumns for anything that may be changed.
 */
export function recordColumns<T extends object, K extends keyof T & string>(
  em: EntityManager,
  entity: EntityClass<T>,
  alias: string,
  props: readonly K[],
): RecordColumns<T, K> {
  const meta = em.getMetadata().get(entity);
  const prefix = `${alias}__`;
  const columns = props.map((name) => {
    const prop = meta.props.find((p) => p.name === (name as string));
    if (prop?.kind !== 'scalar' || prop.fieldNames.length !== 1)
      throw new Error(`${meta.className}.${name} is not a one-column scalar`);
    // Our pool leaves timestamptz as text (MikroORM's type parsers), and JSON has it as text; with its offset, Date
    // parses it exactly.
    const parse =
      prop.runtimeType === 'Date'
        ? (v: unknown) => new Date(v as string)
        : prop.runtimeType === 'number'
          ? (v: unknown) => (typeof v === 'string' ? Number(v) : v)
          : undefined;
    return { name, key: prefix + name, field: prop.fieldNames[0]!, parse };
  });
  return {
    sql: columns.map((c) => `${alias}."${c.field}" as "${c.key}"`).join(', '),
    json: `json_build_object(${columns.map((c) => `'${c.key}', ${alias}."${c.field}"`).join(', ')})`,
    read(row) {
      const out: Record<string, unknown> = {};
      for (const c of columns) {
        const v = row[c.key];
        out[c.name] = v == null || !c.parse ? v : c.parse(v);
      }
      return out as Pick<T, K>;
    },
  };
}
