// Writes outputs into a scratch directory and moves them into place only once complete.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Runs `work` in `outDir/.<key>.partial`, then deletes `outDir` files matching `stale` (a previous
 * run's leftovers, e.g. segments a re-run no longer makes) and moves the new files in. An abort or
 * crash therefore never leaves partial outputs beside finished ones, and re-runs overwrite.
 */
export async function publishFromScratch<T>(
  outDir: string,
  key: string,
  stale: RegExp,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  if (!/^[\w.-]+$/.test(key)) throw new Error(`Output name must be a plain file stem: ${key}`);
  await mkdir(outDir, { recursive: true });
  const scratch = join(outDir, `.${key}.partial`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch);
  try {
    const result = await work(scratch);
    const existing = await readdir(outDir);
    await Promise.all(existing.filter((f) => stale.test(f)).map((f) => rm(join(outDir, f), { force: true })));
    for (const f of await readdir(scratch)) await rename(join(scratch, f), join(outDir, f));
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
