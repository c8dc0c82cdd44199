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
      throw em.getPlatform().getExceptionConverter().convertException(e as Error);
    }
  }
}

/** A statement whose SQL needs the metadata (column lists): built on first use, then shared. */
export function preparedStatement(name: string, build: (em: EntityManager) => string): (em: EntityManager) => PreparedStatement {
  let statement: PreparedStatement | undefined;
  return (em) => (statement ??= new PreparedStatement(name, build(em)));
}

/** Persistent columns of an entity, as MikroORM loads them by default (no lazy, formula or collection properties). */
function columnsOf(meta: EntityMetadata, exclude: readonly string[] = []): string[] {
  return meta.props
    .filter((p) => p.persist !== false && !p.lazy && !p.formula && (p.kind === 'scalar' || p.kind === 'm:1' || (p.kind === '1:1' && p.owner)))
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

/** `json_build_object(...)` of an entity's columns under `alias`, for nesting rows (e.g. with json_agg); map with em.map. */
export function entityJson(em: EntityManager, entity: EntityClass<object>, alias: string, exclude: readonly string[] = []): string {
  const columns = columnsOf(em.getMetadata().get(entity), exclude);
  return `json_build_object(${columns.map((c) => `'${c}', ${alias}."${c}"`).join(', ')})`;
}
