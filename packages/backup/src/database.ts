// The database half: a logical backup through the pg protocol, COPY … TO STDOUT of every table in one
// REPEATABLE READ READ ONLY transaction (one consistent snapshot), and COPY … FROM STDIN back in one transaction.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { BackupManifest, TableEntry } from './manifest.ts';

/** Our schema. */
const APP_SCHEMA = 'public';
/** Process state, not data: which worker processes were alive. A restored installation starts with none. */
const APP_EXCLUDED = new Set(['mikro_orm_migrations', 'worker_heartbeat']);
/**
 * graphile-worker's queue: its task names, named queues and jobs, so work in flight at the snapshot (a video being
 * processed, a mail waiting) runs again after a restore. Locks are cleared on restore (their workers are gone).
 */
const QUEUE_SCHEMA = 'graphile_worker';
const QUEUE_TABLES = ['_private_tasks', '_private_job_queues', '_private_jobs'];

export interface TableRef {
  schema: string;
  name: string;
  columns: string[];
}

export const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;
const qualified = (t: { schema: string; name: string }) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

/** The tables a backup holds, parents before children (foreign keys), with their stored (non-generated) columns. */
export async function listTables(client: pg.ClientBase): Promise<TableRef[]> {
  const { rows } = await client.query<{ schema: string; name: string; columns: string[] }>(
    `select n.nspname as schema, c.relname as name,
            array_agg(a.attname::text order by a.attnum) as columns
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      where c.relkind in ('r', 'p')
        and ((n.nspname = $1 and not (c.relname = any($2::text[]))) or (n.nspname = $3 and c.relname = any($4::text[])))
      group by n.nspname, c.relname
      order by n.nspname, c.relname`,
    [APP_SCHEMA, [...APP_EXCLUDED], QUEUE_SCHEMA, QUEUE_TABLES],
  );
  const { rows: fks } = await client.query<{ child: string; parent: string }>(
    `select cn.nspname || '.' || cc.relname as child, pn.nspname || '.' || pc.relname as parent
       from pg_constraint k
       join pg_class cc on cc.oid = k.conrelid join pg_namespace cn on cn.oid = cc.relnamespace
       join pg_class pc on pc.oid = k.confrelid join pg_namespace pn on pn.oid = pc.relnamespace
      where k.contype = 'f' and k.conrelid <> k.confrelid`,
  );
  return parentsFirst(rows, fks);
}

/** Orders tables so every table comes after the tables its foreign keys point to (a cycle is an error). */
export function parentsFirst<T extends { schema: string; name: string }>(
  tables: T[],
  fks: { child: string; parent: string }[],
): T[] {
  const byName = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of fks) {
    if (byName.has(child) && byName.has(parent)) parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  }
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`foreign keys form a cycle through ${name}`);
    state.set(name, 'visiting');
    for (const p of [...(parents.get(name) ?? [])].sort()) visit(p);
    state.set(name, 'done');
    ordered.push(byName.get(name)!);
  };
  for (const name of [...byName.keys()].sort()) visit(name);
  return ordered;
}

/** Counts and hashes what passes through. */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export interface DatabaseSnapshot {
  snapshotAt: string;
  serverVersion: string;
  migrations: BackupManifest['migrations'];
  tables: TableEntry[];
  sequences: BackupManifest['sequences'];
}

/**
 * Writes every table to `${dir}/db/<schema>.<table>.copy.gz` from one snapshot. The transaction is READ ONLY and
 * REPEATABLE READ: every COPY sees the database as of its first statement, whatever commits meanwhile.
 */
export async function exportDatabase(client: pg.ClientBase, dir: string): Promise<DatabaseSnapshot> {
  await client.query('begin isolation level repeatable read read only');
  try {
    // The first statement takes the snapshot.
    const { rows: head } = await client.query<{ now: Date; version: string }>(
      `select now() as now, current_setting('server_version') as version`,
    );
    const { rows: applied } = await client.query<{ name: string }>(`select name from mikro_orm_migrations order by id`);
    const { rows: gw } = await client.query<{ id: number | null }>(
      `select max(id) as id from graphile_worker.migrations`,
    );
    const tables = await listTables(client);
    const entries: TableEntry[] = [];
    for (const t of tables) {
      const file = `db/${t.schema}.${t.name}.copy.gz`;
      const digest = new Digest();
      const copy = client.query(copyTo(`copy ${qualified(t)} (${t.columns.map(quoteIdent).join(', ')}) to stdout`));
      await pipeline(copy, createGzip(), digest, createWriteStream(join(dir, file), { flags: 'wx', mode: 0o600 }));
      entries.push({
        schema: t.schema,
        name: t.name,
        columns: t.columns,
        rows: copy.rowCount,
        file,
        bytes: digest.bytes,
        sha256: digest.hash.digest('hex'),
      });
    }
    // Sequences are not transactional, so their values are at least those any row of the snapshot took.
    const { rows: sequences } = await client.query<{ schema: string; name: string; last: string; called: boolean }>(
      `select schemaname as schema, sequencename as name, coalesce(last_value, start_value)::text as last,
              last_value is not null as called
         from pg_sequences where schemaname = any($1::text[]) order by 1, 2`,
      [[APP_SCHEMA, QUEUE_SCHEMA]],
    );
    await client.query('commit');
    return {
      snapshotAt: head[0]!.now.toISOString(),
      serverVersion: head[0]!.version,
      migrations: { arvlite: applied.map((r) => r.name), graphileWorker: gw[0]?.id ?? 0 },
      tables: entries,
      sequences: sequences.map((s) => ({ schema: s.schema, name: s.name, lastValue: s.last, isCalled: s.called })),
    };
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/** Reads a table file back and checks its checksum, without loading anything. */
export async function verifyFile(path: string, expected: { sha256: string; bytes: number }): Promise<boolean> {
  const digest = new Digest();
  await pipeline(createReadStream(path), digest, new PassThrough().resume());
  return digest.bytes === expected.bytes && digest.hash.digest('hex') === expected.sha256;
}

/** True when the installation has no accounts and no companies (missing tables count as empty). */
export async function databaseIsEmpty(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ app_user: string | null; company: string | null }>(
    `select to_regclass('public.app_user')::text as app_user, to_regclass('public.company')::text as company`,
  );
  if (!rows[0]!.app_user || !rows[0]!.company) return true;
  const { rows: any } = await client.query<{ data: boolean }>(
    `select exists(select 1 from public.app_user) or exists(select 1 from public.company) as data`,
  );
  return !any[0]!.data;
}

/** Workers whose heartbeat is fresh: a restore under running processes would be overwritten by them. */
export async function liveWorkers(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ reg: string | null }>(
    `select to_regclass('public.worker_heartbeat')::text as reg`,
  );
  if (!rows[0]!.reg) return 0;
  const { rows: live } = await client.query<{ n: number }>(
    `select count(*)::int as n from worker_heartbeat where stopped_at is null and last_seen_at > now() - interval '60 seconds'`,
  );
  return live[0]!.n;
}

/**
 * Loads the tables in one transaction: empties every table the backup holds (and the worker heartbeats), COPYs them
 * in foreign-key order, sets the sequences and clears the queue's locks. Any failure rolls it all back.
 */
export async function importDatabase(client: pg.ClientBase, dir: string, manifest: BackupManifest): Promise<void> {
  await client.query('begin');
  try {
    const present = await listTables(client);
    const known = new Map(present.map((t) => [`${t.schema}.${t.name}`, t]));
    for (const t of manifest.tables) {
      const here = known.get(`${t.schema}.${t.name}`);
      if (!here) throw new Error(`table ${t.schema}.${t.name} of the backup does not exist in this database`);
      const missing = t.columns.filter((c) => !here.columns.includes(c));
      if (missing.length > 0) {
        throw new Error(`table ${t.schema}.${t.name} has no column ${missing.join(', ')} here (a later migration?)`);
      }
    }
    // Every table this backup format covers is emptied, also those the backup has no rows for.
    const emptied = [...present.map(qualified), 'public.worker_heartbeat'];
    await client.query(`truncate ${emptied.join(', ')} restart identity cascade`);
    const order = new Map(present.map((t, i) => [`${t.schema}.${t.name}`, i]));
    const tables = [...manifest.tables].sort(
      (a, b) => order.get(`${a.schema}.${a.name}`)! - order.get(`${b.schema}.${b.name}`)!,
    );
    for (const t of tables) {
      const copy = client.query(copyFrom(`copy ${qualified(t)} (${t.columns.map(quoteIdent).join(', ')}) from stdin`));
      await pipeline(createReadStream(join(dir, t.file)), createGunzip(), copy);
      if (copy.rowCount !== t.rows) {
        throw new Error(`table ${t.schema}.${t.name}: loaded ${copy.rowCount} rows, the backup has ${t.rows}`);
      }
    }
    for (const s of manifest.sequences) {
      const reg = `${quoteIdent(s.schema)}.${quoteIdent(s.name)}`;
      const { rows } = await client.query<{ reg: string | null }>(`select to_regclass($1)::text as reg`, [reg]);
      if (rows[0]!.reg)
        await client.query(`select setval($1::regclass, $2::bigint, $3)`, [reg, s.lastValue, s.isCalled]);
    }
    // The workers that held these locks are gone; the jobs run again on the restored installation's workers.
    await client.query(
      `update graphile_worker._private_jobs set locked_at = null, locked_by = null where locked_at is not null`,
    );
    await client.query(
      `update graphile_worker._private_job_queues set locked_at = null, locked_by = null where locked_at is not null`,
    );
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}
