// `arvlite storage migrate`: every object of one store copied to another (local disk → S3 when an installation
// outgrows its one machine). Idempotent: an object the target already holds with the same size (and the same MD5
// ETag, where both stores give one) is skipped, so an interrupted run is simply run again. Each copy is checked: the
// target's size must be the source's, and its ETag too when both are plain MD5s.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sameEtag } from './object-storage.ts';
import type { ObjectHead, ObjectStore } from './port.ts';

export interface MigrateProgress {
  /** Objects looked at so far, of `total`. */
  done: number;
  total: number;
  key: string;
  action: 'copied' | 'skipped';
  bytes: number;
}

export interface MigrateResult {
  total: number;
  copied: number;
  skipped: number;
  bytesCopied: number;
}

export class MigrateVerifyError extends Error {
  constructor(key: string, why: string) {
    super(`Object ${key} did not arrive intact: ${why}`);
    this.name = 'MigrateVerifyError';
  }
}

const plainMd5 = (etag: string | undefined) => !!etag && /^"?[0-9a-f]{32}"?$/i.test(etag);

/** True when `target` already holds what `source` describes. */
function same(source: ObjectHead, target: ObjectHead | null): boolean {
  if (!target || target.size !== source.size) return false;
  return !(plainMd5(source.etag) && plainMd5(target.etag)) || sameEtag(source.etag, target.etag);
}

/** Copies every object under `prefix` (default: all) from `source` to `target`, `concurrency` at a time. */
export async function migrateObjects(
  source: ObjectStore,
  target: ObjectStore,
  opts: { prefix?: string; concurrency?: number; onProgress?: (p: MigrateProgress) => void } = {},
): Promise<MigrateResult> {
  const keys = await source.listKeys(opts.prefix ?? '');
  const result: MigrateResult = { total: keys.length, copied: 0, skipped: 0, bytesCopied: 0 };
  const scratch = await mkdtemp(join(tmpdir(), 'arvlite-migrate-'));
  let next = 0;
  let done = 0;
  const one = async (key: string, slot: number) => {
    const head = await source.head(key);
    if (!head) return; // deleted since the listing
    let action: MigrateProgress['action'] = 'skipped';
    if (same(head, await target.head(key))) result.skipped++;
    else {
      const file = join(scratch, String(slot));
      try {
        // Only the object that was looked at: a source replaced meanwhile fails the copy rather than mixing.
        await source.download(key, file, undefined, { ifMatch: head.etag ?? null });
        await target.putFile(key, file, head.contentType ?? 'application/octet-stream');
      } finally {
        await rm(file, { force: true });
      }
      const arrived = await target.head(key);
      if (!arrived) throw new MigrateVerifyError(key, 'the target does not have it');
      if (arrived.size !== head.size)
        throw new MigrateVerifyError(key, `${arrived.size} bytes in the target, ${head.size} in the source`);
      if (plainMd5(head.etag) && plainMd5(arrived.etag) && !sameEtag(head.etag, arrived.etag))
        throw new MigrateVerifyError(key, `ETag ${arrived.etag} in the target, ${head.etag} in the source`);
      result.copied++;
      result.bytesCopied += head.size;
      action = 'copied';
    }
    opts.onProgress?.({ done: ++done, total: keys.length, key, action, bytes: head.size });
  };
  try {
    let failed = false;
    const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, 32)) }, async (_, slot) => {
      try {
        while (!failed && next < keys.length) await one(keys[next++]!, slot);
      } catch (e) {
        failed = true;
        throw e;
      }
    });
    // Every copy under way finishes (or fails) before the scratch directory goes; the first failure is thrown.
    const settled = await Promise.allSettled(workers);
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}
