// A fingerprint of everything a test file's installation holds: every row of every table of the public schema, the
// graphile-worker job rows and every object in the file's bucket. Tests that expect a call to change nothing compare
// the fingerprints before and after it; a difference names the table (or "s3") that changed.
import type { Orm } from '@arvlite/db';
import type { ObjectStorage } from '@arvlite/storage';

export interface FingerprintOptions {
  /** Tables left out entirely (e.g. rate-limit counters every call may touch), each with a reason at the call site. */
  ignoreTables?: readonly string[];
  /** Columns left out of a table's rows (e.g. a last-used time). */
  ignoreColumns?: Readonly<Record<string, readonly string[]>>;
}

/** Part name → checksum of its rows (or objects). Compare two with `fingerprintDiff`. */
export type Fingerprint = Record<string, string>;

export async function installationFingerprint(
  deps: { orm: Orm; storage: ObjectStorage },
  opts: FingerprintOptions = {},
): Promise<Fingerprint> {
  const em = deps.orm.fork();
  const tables = await em.execute<{ schema: string; name: string }[]>(
    `select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE'
        and (table_schema = 'public' or (table_schema = 'graphile_worker' and table_name = '_private_jobs'))
      order by 1, 2`,
  );
  const ignored = new Set(opts.ignoreTables ?? []);
  const out: Fingerprint = {};
  for (const { schema, name } of tables) {
    if (ignored.has(name)) continue;
    const drop = opts.ignoreColumns?.[name] ?? [];
    const row = drop.length ? `(to_jsonb(t) - ?::text[])::text` : `to_jsonb(t)::text`;
    const params = drop.length ? [`{${drop.join(',')}}`, `{${drop.join(',')}}`] : [];
    const [r] = await em.execute<{ md5: string | null; n: number }[]>(
      `select md5(string_agg(${row}, '|' order by ${row})) as md5, count(*)::int as n from "${schema}"."${name}" t`,
      params,
    );
    out[`${schema}.${name}`] = `${r?.n}:${r?.md5}`;
  }
  const objects: string[] = [];
  for (const key of (await deps.storage.listKeys('')).sort()) {
    const head = await deps.storage.head(key);
    objects.push(`${key}:${head?.size}:${head?.etag}`);
  }
  out.s3 = `${objects.length}:${objects.join('|')}`;
  return out;
}

/** The parts that differ between two fingerprints (empty when nothing changed). */
export function fingerprintDiff(before: Fingerprint, after: Fingerprint): string[] {
  const parts = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...parts].filter((p) => before[p] !== after[p]).sort();
}
