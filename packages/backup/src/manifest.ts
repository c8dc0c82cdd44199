// manifest.json of a backup directory: what it holds, with counts and checksums. Read back strictly at restore.
import { z } from 'zod';

export const BACKUP_FORMAT = 'arvlite-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const ident = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/);

export const tableEntrySchema = z.strictObject({
  schema: ident,
  name: ident,
  /** The columns written, in order (generated columns are left out: Postgres computes them again). */
  columns: z.array(ident).min(1).max(1000),
  rows: z.number().int().min(0),
  /** gzip of COPY's text format, relative to the backup directory. */
  file: z.string().regex(/^db\/[a-z0-9_.]+\.copy\.gz$/),
  bytes: z.number().int().min(0),
  sha256,
});

export const sequenceEntrySchema = z.strictObject({
  schema: ident,
  name: ident,
  lastValue: z.string().regex(/^-?[0-9]{1,20}$/),
  isCalled: z.boolean(),
});

export const objectEntrySchema = z.strictObject({
  key: z.string().min(1).max(1024),
  /** Relative to the backup directory: objects/<2 hex>/<sha256 of the key>. */
  file: z.string().regex(/^objects\/[0-9a-f]{2}\/[0-9a-f]{64}$/),
  size: z.number().int().min(0),
  etag: z.string().max(200),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  sha256,
  contentType: z.string().max(255).optional(),
  cacheControl: z.string().max(255).optional(),
});

export const manifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_FORMAT_VERSION),
  /** When the database snapshot was taken (the server's clock). */
  snapshotAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  postgres: z.strictObject({ serverVersion: z.string().max(200) }),
  migrations: z.strictObject({
    /** Our migrations applied when the snapshot was taken (MikroORM's names, in order). */
    arvlite: z.array(z.string().regex(/^Migration[0-9]{14}$/)).max(10_000),
    /** graphile-worker's schema version. */
    graphileWorker: z.number().int().min(0),
  }),
  tables: z.array(tableEntrySchema).max(1000),
  sequences: z.array(sequenceEntrySchema).max(1000),
  objects: z.strictObject({
    bucket: z.string().max(63),
    count: z.number().int().min(0),
    bytes: z.number().int().min(0),
    items: z.array(objectEntrySchema),
    /** Listed after the snapshot but gone before they could be read: deleted while the backup ran. */
    vanished: z.array(z.string().max(1024)),
  }),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type TableEntry = z.infer<typeof tableEntrySchema>;
export type ObjectEntry = z.infer<typeof objectEntrySchema>;
