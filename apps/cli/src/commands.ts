// The commands. Each validates its arguments with zod (a usage error, exit 2), then works in one transaction.
import path from 'node:path';
import { createBackup, pruneBackups, restoreBackup, backupName, BackupError } from '@arvlite/backup';
import { AuditLog, initOrm, migrate, Video } from '@arvlite/db';
import { restartProcessing } from '@arvlite/jobs';
import type { Command } from 'commander';
import pg from 'pg';
import { z } from 'zod';
import { runDoctor } from './doctor.ts';
import { CliError, parseArgs } from './errors.ts';
import { loadPlatform, openStorage } from './platform.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

const uuid = z.uuid({ message: 'expected a UUID' });
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
/** A byte size: 1073741824, 10GiB, 500MB, 1.5TiB. */
export const byteSize = z
  .string()
  .max(32)
  .regex(/^[0-9]+(\.[0-9]+)?\s*([kmgt]i?b|b)?$/i, { message: 'expected a size such as 10GiB, 500MB or 1073741824' })
  .transform((v, ctx) => {
    const m = /^([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)$/i.exec(v)!;
    const bytes = Math.round(Number(m[1]) * UNITS[(m[2] || 'b').toLowerCase()]!);
    if (!Number.isSafeInteger(bytes)) {
      ctx.addIssue({ code: 'custom', message: 'too large' });
      return z.NEVER;
    }
    return bytes;
  });

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'arvlite-cli' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new CliError(
      `cannot reach Postgres: ${(err as Error).message} (is \`pnpm start\` running? try \`arvlite doctor\`)`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs fn in a transaction; anything thrown rolls it back. */
async function inTransaction<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await fn();
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/** An audit row for a change made from the CLI (no actor: the operator at the shell). */
async function auditCli(
  client: pg.Client,
  a: { companyId: string | null; action: string; targetType: string; targetId: string; changes?: unknown },
) {
  await client.query(
    `insert into audit_log (company_id, actor_id, action, target_type, target_id, changes, request_id, created_at)
     values ($1, null, $2, $3, $4, $5, 'cli', now())`,
    [a.companyId, a.action, a.targetType, a.targetId, a.changes === undefined ? null : JSON.stringify(a.changes)],
  );
}

function wrapBackupError(err: unknown): never {
  if (err instanceof BackupError) throw new CliError(err.message);
  throw err;
}

export function registerCommands(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (graphile-worker, then ARVlite), as `pnpm start` does.')
    .action(async () => {
      const p = loadPlatform();
      const applied = await migrate(p.databaseUrl);
      out(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database is up to date');
    });

  program
    .command('backup')
    .description(
      'Write a consistent backup of the database and every object while the platform runs. The directory gets ' +
        'manifest.json, db/ and objects/.',
    )
    .option('--out <dir>', 'backup directory to create (default: DATA_DIR/backups/backup-<UTC time>)')
    .option('--keep <n>', 'afterwards, keep only the newest n backups in the parent directory')
    .action(async function (this: Command, raw: unknown) {
      const opts = parseArgs(
        this,
        z.strictObject({
          out: z.string().min(1).max(4096).optional(),
          keep: z.coerce.number().int().min(1).max(10_000).optional(),
        }),
        raw,
      );
      const p = loadPlatform();
      const dir = path.resolve(opts.out ?? path.join(p.dataDir, 'backups', backupName()));
      const storage = openStorage(p);
      try {
        const m = await createBackup({ databaseUrl: p.databaseUrl, storage }, dir).catch(wrapBackupError);
        const rows = m.tables.reduce((n, t) => n + t.rows, 0);
        out(`backup written to ${dir}`);
        out(`  snapshot ${m.snapshotAt}: ${m.tables.length} tables, ${rows} rows`);
        out(`  ${m.objects.count} objects, ${m.objects.bytes} bytes`);
        if (m.objects.vanished.length > 0)
          out(`  ${m.objects.vanished.length} objects deleted while copying (listed in manifest.json)`);
        if (opts.keep !== undefined) {
          const removed = await pruneBackups(path.dirname(dir), opts.keep);
          if (removed.length > 0) out(`  removed older backups: ${removed.join(', ')}`);
        }
      } finally {
        storage.destroy();
      }
    });

  program
    .command('restore')
    .description(
      'Bring an installation back to a backup. Stop the server and workers first. Refuses when the installation ' +
        'holds accounts, companies or objects, unless --force.',
    )
    .argument('<dir>', 'backup directory (with manifest.json)')
    .option('--force', 'replace the rows and objects the installation holds')
    .action(async function (this: Command, dir: string, raw: unknown) {
      const opts = parseArgs(this, z.strictObject({ force: z.boolean().optional() }), raw);
      const p = loadPlatform();
      const storage = openStorage(p);
      try {
        const r = await restoreBackup({ databaseUrl: p.databaseUrl, storage }, path.resolve(dir), opts).catch(
          wrapBackupError,
        );
        out(`restored ${r.rows} rows in ${r.tables} tables and ${r.objects} objects from ${path.resolve(dir)}`);
        if (r.migrated.length > 0) out(`migrations applied: ${r.migrated.join(', ')}`);
      } finally {
        storage.destroy();
      }
    });

  program
    .command('doctor')
    .description(
      'Check configuration, Postgres, S3 (write/read/delete probe), SMTP, ffmpeg and its codecs, free disk and ' +
        'clock skew. Prints what is wrong and how to fix it; exits 1 when something is.',
    )
    .action(async () => {
      const ok = await runDoctor(out);
      if (!ok) throw new CliError('some checks failed (see above)');
    });

  program
    .command('set-quota')
    .description("Set a company's storage quota.")
    .argument('<companyId>', 'the company (UUID)')
    .argument('<size>', 'the quota: bytes, or with a unit (10GiB, 500MB)')
    .action(async function (this: Command, companyId: string, size: string) {
      const args = parseArgs(this, z.strictObject({ companyId: uuid, bytes: byteSize }), { companyId, bytes: size });
      const p = loadPlatform();
      await withClient(p.databaseUrl, (c) =>
        inTransaction(c, async () => {
          const { rows } = await c.query<{ before: string }>(
            `select storage_quota_bytes::text as before from company where id = $1 for update`,
            [args.companyId],
          );
          if (rows.length === 0) throw new CliError(`no company ${args.companyId}`);
          await c.query(`update company set storage_quota_bytes = $2, updated_at = now() where id = $1`, [
            args.companyId,
            args.bytes,
          ]);
          await auditCli(c, {
            companyId: args.companyId,
            action: 'company.setQuota',
            targetType: 'company',
            targetId: args.companyId,
            changes: { storageQuotaBytes: { from: Number(rows[0]!.before), to: args.bytes } },
          });
        }),
      );
      out(`quota of ${args.companyId} set to ${args.bytes} bytes`);
    });

  program
    .command('disable-user')
    .description('Disable a user (every call refused at once, every session revoked), or enable them again.')
    .argument('<email>', "the user's email")
    .option('--enable', 'enable the user again')
    .action(async function (this: Command, email: string, raw: unknown) {
      const args = parseArgs(
        this,
        z.strictObject({
          email: z
            .email({ message: 'expected an email address' })
            .max(254)
            .transform((e) => e.normalize('NFKC').trim().toLowerCase()),
          enable: z.boolean().optional(),
        }),
        { email, ...(raw as object) },
      );
      const p = loadPlatform();
      await withClient(p.databaseUrl, (c) =>
        inTransaction(c, async () => {
          const { rows } = await c.query<{ id: string; disabled: boolean }>(
            `select id, disabled_at is not null as disabled from app_user where email = $1 for update`,
            [args.email],
          );
          if (rows.length === 0) throw new CliError(`no user ${args.email}`);
          const user = rows[0]!;
          if (args.enable) {
            await c.query(`update app_user set disabled_at = null, updated_at = now() where id = $1`, [user.id]);
          } else {
            await c.query(
              `update app_user set disabled_at = coalesce(disabled_at, now()), updated_at = now() where id = $1`,
              [user.id],
            );
            await c.query(`update refresh_token set revoked_at = now() where user_id = $1 and revoked_at is null`, [
              user.id,
            ]);
          }
          await auditCli(c, {
            companyId: null,
            action: args.enable ? 'user.enable' : 'user.disable',
            targetType: 'user',
            targetId: user.id,
            changes: { disabled: { from: user.disabled, to: !args.enable } },
          });
        }),
      );
      out(`${args.email} ${args.enable ? 'enabled' : 'disabled'}`);
    });

  const jobs = program.command('jobs').description('The job queue (graphile-worker).');
  jobs
    .command('list')
    .description('List jobs, newest first.')
    .option('--state <state>', 'failed | waiting | running | retrying')
    .option('--task <name>', 'only this task, e.g. video:process')
    .option('--limit <n>', 'at most n jobs (default 50, at most 1000)')
    .option('--json', 'one JSON object per line')
    .action(async function (this: Command, raw: unknown) {
      const opts = parseArgs(
        this,
        z.strictObject({
          state: z.enum(['failed', 'waiting', 'running', 'retrying']).optional(),
          task: z
            .string()
            .regex(/^[a-z-]+:[a-z-]+$/, { message: 'expected a task name such as video:process' })
            .optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          json: z.boolean().optional(),
        }),
        raw,
      );
      const p = loadPlatform();
      const where = {
        failed: 'attempts >= max_attempts',
        waiting: 'locked_at is null and attempts < max_attempts',
        running: 'locked_at is not null',
        retrying: 'locked_at is null and attempts > 0 and attempts < max_attempts',
      } as const;
      const rows = await withClient(p.databaseUrl, async (c) => {
        const { rows } = await c.query<{
          id: string;
          task_identifier: string;
          attempts: number;
          max_attempts: number;
          run_at: Date;
          locked_by: string | null;
          last_error: string | null;
          key: string | null;
        }>(
          `select id::text, task_identifier, attempts, max_attempts, run_at, locked_by, last_error, key
             from graphile_worker.jobs
            where ($1::text is null or task_identifier = $1) ${opts.state ? `and ${where[opts.state]}` : ''}
            order by id desc limit $2`,
          [opts.task ?? null, opts.limit],
        );
        return rows;
      });
      for (const j of rows) {
        const state =
          j.locked_by !== null
            ? 'running'
            : j.attempts >= j.max_attempts
              ? 'failed'
              : j.attempts > 0
                ? 'retrying'
                : 'waiting';
        if (opts.json) {
          out(
            JSON.stringify({
              id: j.id,
              task: j.task_identifier,
              state,
              attempts: j.attempts,
              maxAttempts: j.max_attempts,
              runAt: j.run_at,
              key: j.key,
              lastError: j.last_error,
            }),
          );
        } else {
          const error = j.last_error ? `  ${j.last_error.split('\n')[0]!.slice(0, 120)}` : '';
          out(
            `${j.id}\t${j.task_identifier}\t${state}\t${j.attempts}/${j.max_attempts}\t${j.run_at.toISOString()}${error}`,
          );
        }
      }
      if (!opts.json) out(`${rows.length} job(s)`);
    });

  jobs
    .command('retry')
    .description(
      'Run failed or waiting jobs again now, with their attempts reset. Video processing jobs are resumed with ' +
        '`arvlite reprocess` instead, which also resets the video.',
    )
    .argument('<ids...>', 'job ids (from `jobs list`)')
    .action(async function (this: Command, ids: string[]) {
      const args = parseArgs(
        this,
        z.strictObject({
          ids: z
            .array(z.string().regex(/^[0-9]{1,19}$/, { message: 'expected a job id' }))
            .min(1)
            .max(1000),
        }),
        { ids },
      );
      const p = loadPlatform();
      const n = await withClient(p.databaseUrl, (c) =>
        inTransaction(c, async () => {
          const { rows } = await c.query<{ id: string; task_identifier: string; locked_at: Date | null }>(
            `select id::text, task_identifier, locked_at from graphile_worker.jobs where id = any($1::bigint[]) for update`,
            [args.ids],
          );
          const found = new Map(rows.map((r) => [r.id, r]));
          const missing = args.ids.filter((id) => !found.has(id));
          if (missing.length > 0) throw new CliError(`no job ${missing.join(', ')}; nothing was retried`);
          const media = rows.filter((r) => r.task_identifier.startsWith('video:'));
          if (media.length > 0) {
            throw new CliError(
              `job ${media.map((r) => r.id).join(', ')} belongs to a video's processing; use \`arvlite reprocess\` (nothing was retried)`,
            );
          }
          const running = rows.filter((r) => r.locked_at !== null);
          if (running.length > 0)
            throw new CliError(`job ${running.map((r) => r.id).join(', ')} is running; nothing was retried`);
          await c.query(`select graphile_worker.reschedule_jobs($1::bigint[], run_at := now(), attempts := 0)`, [
            args.ids,
          ]);
          return args.ids.length;
        }),
      );
      out(`${n} job(s) queued again`);
    });

  program
    .command('reprocess')
    .description('Process READY or FAILED videos again from their originals (videos being processed are skipped).')
    .option('--company <id>', 'only this company')
    .option('--project <id>', 'only this project')
    .option('--status <status>', 'READY or FAILED (default: both)')
    .option('--missing-rendition <rung>', 'only videos without this rendition, e.g. 1080p')
    .option('--limit <n>', 'at most n videos (default 1000)')
    .option('--dry-run', 'list what would be reprocessed, change nothing')
    .action(async function (this: Command, raw: unknown) {
      const opts = parseArgs(
        this,
        z.strictObject({
          company: uuid.optional(),
          project: uuid.optional(),
          status: z.enum(['READY', 'FAILED']).optional(),
          missingRendition: z
            .string()
            .regex(/^[0-9]{2,4}p$/, { message: 'expected a rung such as 720p' })
            .optional(),
          limit: z.coerce.number().int().min(1).max(100_000).default(1000),
          dryRun: z.boolean().optional(),
        }),
        raw,
      );
      const p = loadPlatform();
      const orm = await initOrm({ url: p.databaseUrl, poolMax: 2 });
      try {
        const em = orm.fork();
        const ids = await em.transactional(async (tem) => {
          const rows = await tem.execute<{ id: string }[]>(
            `select v.id from video v
              where v.status = any(?::text[]) and v.uploaded_at is not null
                and (?::uuid is null or v.company_id = ?::uuid) and (?::uuid is null or v.project_id = ?::uuid)
                and (?::text is null or (v.outputs::jsonb -> 'renditions' -> ?::text) is null)
              order by v.created_at limit ? for update skip locked`,
            [
              opts.status ? [opts.status] : ['READY', 'FAILED'],
              opts.company ?? null,
              opts.company ?? null,
              opts.project ?? null,
              opts.project ?? null,
              opts.missingRendition ?? null,
              opts.missingRendition ?? null,
              opts.limit,
            ],
          );
          if (!opts.dryRun) {
            for (const { id } of rows) {
              await restartProcessing(tem, id, p.config.media);
              tem.create(AuditLog, {
                companyId: (await tem.findOneOrFail(Video, { id })).company.id,
                action: 'video.reprocess',
                targetType: 'video',
                targetId: id,
                requestId: 'cli',
              });
            }
          }
          return rows.map((r) => r.id);
        });
        for (const id of ids) out(id);
        out(`${ids.length} video(s) ${opts.dryRun ? 'would be reprocessed' : 'queued for processing'}`);
      } finally {
        await orm.close();
      }
    });
}
