// Backups that restore (issue #20). A backup is a directory:
//   manifest.json                      versions, counts, checksums (manifest.ts)
//   db/<schema>.<table>.copy.gz        COPY text format of each table, from one REPEATABLE READ snapshot
//   objects/<2 hex>/<sha256 of key>    every object of the bucket
// It is written under a temporary name and renamed when complete, so a directory with a manifest is a whole backup.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { migrate, migrationsPath } from '@arvlite/db';
import type { ObjectStore } from '@arvlite/storage';
import pg from 'pg';
import { databaseIsEmpty, exportDatabase, importDatabase, liveWorkers, verifyFile } from './database.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  MANIFEST_FILE,
  manifestSchema,
  type BackupManifest,
} from './manifest.ts';
import { bucketIsEmpty, emptyBucket, exportObjects, importObjects, listObjects, verifyObjectFile } from './objects.ts';

export { manifestSchema, type BackupManifest } from './manifest.ts';
export { parentsFirst } from './database.ts';

/** A refusal or a bad backup: nothing was changed. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupTarget {
  databaseUrl: string;
  storage: ObjectStore;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'arvlite-backup' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A directory name for a backup started now: backup-20261206T131500Z. */
export function backupName(now = new Date()): string {
  return `backup-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Writes a backup of the database and the bucket to `out` (which must not exist) while the platform runs. The database
 * is one snapshot; objects are listed and copied after it is taken, so every object a row of the snapshot names was
 * there to copy, unless it was deleted while the backup ran (listed in `objects.vanished`).
 */
export async function createBackup(target: BackupTarget, out: string): Promise<BackupManifest> {
  const finalDir = resolve(out);
  if (existsSync(finalDir)) throw new BackupError(`${finalDir} already exists; name a new directory`);
  await mkdir(dirname(finalDir), { recursive: true });
  const work = join(dirname(finalDir), `.${basename(finalDir)}.partial-${randomBytes(4).toString('hex')}`);
  // Owner only: a backup holds every row (password hashes, personal data) and every object.
  await mkdir(work, { mode: 0o700 });
  await mkdir(join(work, 'db'), { mode: 0o700 });
  try {
    const db = await withClient(target.databaseUrl, (client) => exportDatabase(client, work));
    const objects = await exportObjects(target.storage, work);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      snapshotAt: db.snapshotAt,
      finishedAt: new Date().toISOString(),
      postgres: { serverVersion: db.serverVersion },
      migrations: db.migrations,
      tables: db.tables,
      sequences: db.sequences,
      objects: {
        bucket: target.storage.bucket,
        count: objects.items.length,
        bytes: objects.items.reduce((n, o) => n + o.size, 0),
        items: objects.items,
        vanished: objects.vanished,
      },
    };
    await writeFile(join(work, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    await rename(work, finalDir);
    return manifest;
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

/** Reads and checks a backup: the manifest parses and every file matches its size and checksum. */
export async function readBackup(dir: string): Promise<BackupManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (err) {
    throw new BackupError(`${join(dir, MANIFEST_FILE)} cannot be read: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new BackupError(
      `${join(dir, MANIFEST_FILE)} is not an ARVlite backup manifest (${first.path.join('.')}: ${first.message})`,
    );
  }
  const manifest = parsed.data;
  for (const t of manifest.tables) {
    if (!(await verifyFile(join(dir, t.file), t).catch(() => false))) {
      throw new BackupError(`${t.file} is missing or does not match its checksum`);
    }
  }
  for (const o of manifest.objects.items) {
    if (!(await verifyObjectFile(dir, o).catch(() => false))) {
      throw new BackupError(`${o.file} (object ${o.key}) is missing or does not match its checksum`);
    }
  }
  return manifest;
}

export interface RestoreOptions {
  /** Replace what the installation holds (its rows and objects) instead of refusing. */
  force?: boolean;
}

export interface RestoreResult {
  tables: number;
  rows: number;
  objects: number;
  migrated: string[];
}

/**
 * Brings an installation back to a backup. Refuses (BackupError, nothing changed) when the backup does not check out,
 * when workers are running, when the backup comes from a newer ARVlite, or when the installation holds data and
 * `force` is not set. Then: migrations up to the backup's version, the objects, the rows in one transaction, and the
 * migrations that came after the backup.
 */
export async function restoreBackup(
  target: BackupTarget,
  dir: string,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  const manifest = await readBackup(dir);
  const known = new Set(
    (await readdir(migrationsPath)).filter((f) => /^Migration[0-9]{14}\.ts$/.test(f)).map((f) => f.slice(0, -3)),
  );
  const unknown = manifest.migrations.arvlite.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new BackupError(
      `the backup was made by a newer ARVlite (migrations ${unknown.join(', ')} are unknown here); restore with that version`,
    );
  }
  const state = await withClient(target.databaseUrl, async (client) => ({
    empty: await databaseIsEmpty(client),
    workers: await liveWorkers(client),
  }));
  if (state.workers > 0) {
    throw new BackupError(
      `${state.workers} worker(s) are running on this installation; stop the server and workers first`,
    );
  }
  const bucketEmpty = await bucketIsEmpty(target.storage);
  if (!opts.force && (!state.empty || !bucketEmpty)) {
    throw new BackupError(
      `the installation is not empty (${[!state.empty && 'the database has accounts or companies', !bucketEmpty && 'the bucket has objects'].filter(Boolean).join(', ')}); restore into an empty one, or pass --force to replace what it holds`,
    );
  }

  const last = manifest.migrations.arvlite.at(-1);
  const migrated = await migrate(target.databaseUrl, last ? { to: last } : {});
  const gw = await withClient(target.databaseUrl, async (c) => {
    const { rows } = await c.query<{ id: number | null }>(`select max(id) as id from graphile_worker.migrations`);
    return rows[0]?.id ?? 0;
  });
  if (gw < manifest.migrations.graphileWorker) {
    throw new BackupError(
      `the backup's job queue schema (graphile-worker migration ${manifest.migrations.graphileWorker}) is newer than this installation's (${gw})`,
    );
  }

  if (!bucketEmpty) await emptyBucket(target.storage);
  try {
    await importObjects(target.storage, dir, manifest.objects.items);
    await withClient(target.databaseUrl, (client) => importDatabase(client, dir, manifest));
  } catch (err) {
    // The rows rolled back; take the objects out again so the installation is as empty as it was.
    const put = new Set(await listObjects(target.storage).catch(() => [] as string[]));
    for (const o of manifest.objects.items) {
      if (put.has(o.key)) await target.storage.delete(o.key).catch(() => undefined);
    }
    throw err;
  }
  migrated.push(...(await migrate(target.databaseUrl)));
  return {
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
    objects: manifest.objects.items.length,
    migrated,
  };
}

/** Deletes all but the newest `keep` backups (directories named by backupName) in `dir`; returns the names removed. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter(
      (e) => e.isDirectory() && /^backup-\d{8}T\d{6}Z$/.test(e.name) && existsSync(join(dir, e.name, MANIFEST_FILE)),
    )
    .map((e) => e.name)
    .sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const name of old) await rm(join(dir, name), { recursive: true, force: true });
  return old;
}
