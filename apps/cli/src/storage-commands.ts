// `arvlite storage …`: moving objects between storage providers.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, parseArgs } from './errors.ts';
import { loadPlatform, openS3Storage, repoRoot } from './platform.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

export function registerStorageCommands(program: Command): void {
  const storage = program.command('storage').description('Object storage: move objects between providers.');
  storage
    .command('migrate')
    .description(
      'Copy every object from local-disk storage (LOCAL_STORAGE_DIR, default DATA_DIR/objects) to the configured S3 ' +
        'store (S3_ENDPOINT, S3_BUCKET …), checking each copy’s size. Objects the target already holds with the same ' +
        'size are skipped, so an interrupted run is run again. Stop the platform first, then switch it to S3.',
    )
    .option('--from <dir>', 'the local objects directory (default: LOCAL_STORAGE_DIR, else DATA_DIR/objects)')
    .option('--concurrency <n>', 'objects copied at once (default 4)')
    .action(async function (this: Command, raw: unknown) {
      const opts = parseArgs(
        this,
        z.strictObject({
          from: z.string().min(1).max(4096).optional(),
          concurrency: z.coerce.number().int().min(1).max(32).optional(),
        }),
        raw,
      );
      const p = loadPlatform();
      const dir = path.resolve(repoRoot, opts.from ?? p.config.localStorage.dir);
      if (!existsSync(dir)) throw new CliError(`no local objects directory at ${dir}`);
      const { LocalDiskStorage, migrateObjects, MigrateVerifyError } = await import('@arvlite/storage');
      // Reading signs nothing: a throwaway key when the root secret is not at hand.
      const source = new LocalDiskStorage({
        root: dir,
        publicUrl: p.config.http.publicUrl,
        signingKey: p.config.localStorage.signingKey ?? randomBytes(32).toString('base64url'),
      });
      const target = openS3Storage(p);
      try {
        await target.ping().catch((err: unknown) => {
          throw new CliError(`cannot reach the target bucket ${target.bucket}: ${(err as Error).message}`);
        });
        out(`copying objects from ${dir} to bucket ${target.bucket} at ${p.s3Endpoint}`);
        const r = await migrateObjects(source, target, {
          concurrency: opts.concurrency,
          onProgress: ({ done, total, key, action, bytes }) =>
            out(`[${done}/${total}] ${action} ${key} (${bytes} bytes)`),
        }).catch((err: unknown) => {
          if (err instanceof MigrateVerifyError) throw new CliError(err.message);
          throw err;
        });
        out(
          `done: ${r.total} objects, ${r.copied} copied (${r.bytesCopied} bytes, sizes verified), ${r.skipped} already there`,
        );
      } finally {
        target.destroy();
      }
    });
}
