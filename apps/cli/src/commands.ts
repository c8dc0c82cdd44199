// The commands. Each validates its arguments with zod (a usage error, exit 2), then works in one transaction. The
// installation admin's commands call the same services as the dashboard's `admin.*` procedures (@arvlite/api's
// `admin`). Heavy modules are imported by the command that needs them, so `--help` and usage errors answer quickly.
import path from 'node:path';
import type * as Api from '@arvlite/api';
import { COMPANY_PLANS, inputs, STORAGE_QUOTA_MAX_BYTES, SUSPENSION_REASON_MAX } from '@arvlite/contract';
import type * as Db from '@arvlite/db';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, parseArgs, UsageError } from './errors.ts';
import { loadPlatform, openStorage, repoRoot } from './platform.ts';

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

type AdminCtx = Api.admin.AdminCtx;

/**
 * Runs `fn` with the admin services and a context acting as the CLI (no user; request id `cli:<command>`). Their
 * validation errors are usage errors (exit 2); not found, conflicts and the rest fail the command (exit 1).
 */
async function withAdmin<T>(
  command: Command,
  fn: (admin: typeof Api.admin, ctx: AdminCtx, db: typeof Db) => Promise<T>,
): Promise<T> {
  const p = loadPlatform();
  const [api, db] = await Promise.all([import('@arvlite/api'), import('@arvlite/db')]);
  const orm = await db.initOrm({ url: p.databaseUrl, poolMax: 2 }).catch((err: unknown) => {
    throw new CliError(`cannot reach Postgres: ${(err as Error).message} (try \`arvlite doctor\`)`);
  });
  try {
    const ctx: AdminCtx = {
      em: orm.fork(),
      config: p.config,
      actor: { userId: null, requestId: `cli:${command.name()}` },
    };
    return await fn(api.admin, ctx, db);
  } catch (err) {
    if (err instanceof api.ValidationError) throw new UsageError(command, err.message);
    if (err instanceof api.DomainError) throw new CliError(err.message);
    throw err;
  } finally {
    await orm.close();
  }
}

/** Standard input as text (a password piped in), at most 1 KiB, without its final line break. */
async function readStdin(command: Command): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError(command, '--password-stdin: pipe the password in on standard input');
  let text = '';
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > 1024) throw new UsageError(command, '--password-stdin: more than 1 KiB on standard input');
  }
  return text.replace(/\r?\n$/, '');
}

async function backupModule() {
  const backup = await import('@arvlite/backup');
  const wrap = (err: unknown): never => {
    if (err instanceof backup.BackupError) throw new CliError(err.message);
    throw err;
  };
  return { ...backup, wrap };
}

export function registerCommands(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (graphile-worker, then ARVlite), as `pnpm start` does.')
    .action(async () => {
      const p = loadPlatform();
      const { migrate } = await import('@arvlite/db');
      const applied = await migrate(p.databaseUrl);
      out(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database is up to date');
    });

  program
    .command('backup')
    .description(
      'Write a consistent backup of the database and every object while the platform runs. The directory gets ' +
        'manifest.json, db/ and objects/.',
    )
    .option(
      '--out <dir>',
      'backup directory to create (default: BACKUP_DIR/backup-<UTC time>; BACKUP_DIR defaults to DATA_DIR/backups)',
    )
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
      const { backupName, createBackup, pruneBackups, wrap } = await backupModule();
      const dir = path.resolve(repoRoot, opts.out ?? path.join(p.config.backups.dir, backupName()));
      const storage = openStorage(p);
      try {
        const m = await createBackup({ databaseUrl: p.databaseUrl, storage }, dir).catch(wrap);
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
      const { restoreBackup, wrap } = await backupModule();
      const storage = openStorage(p);
      try {
        const r = await restoreBackup({ databaseUrl: p.databaseUrl, storage }, path.resolve(dir), opts).catch(wrap);
        out(`restored ${r.rows} rows in ${r.tables} tables and ${r.objects} objects from ${path.resolve(dir)}`);
        if (r.migrated.length > 0) out(`migrations applied: ${r.migrated.join(', ')}`);
      } finally {
        storage.destroy();
      }
    });

  program
    .command('doctor')
    .description(
      'Check configuration, Postgres, object storage (STORAGE_PROVIDER: S3, Azure or local disk; a write/read/delete ' +
        'probe), SMTP, ffmpeg and its codecs, free disk and ' +
        'clock skew. Prints what is wrong and how to fix it; exits 1 when something is.',
    )
    .action(async () => {
      const { runDoctor } = await import('./doctor.ts');
      const ok = await runDoctor(out);
      if (!ok) throw new CliError('some checks failed (see above)');
    });

  program
    .command('create-admin')
    .description(
      'Make an account the installation operator (platform admin): the only way to grant it. With --name and ' +
        '--password-stdin, an account that does not exist yet is created (email verified).',
    )
    .argument('<email>', "the account's email")
    .option('--name <name>', 'display name, when the account is created')
    .option('--password-stdin', "read the new account's password from standard input (never from the command line)")
    .action(async function (this: Command, email: string, raw: unknown) {
      const args = parseArgs(
        this,
        z
          .strictObject({
            email: inputs.email,
            name: inputs.displayName.optional(),
            passwordStdin: z.boolean().optional(),
          })
          .refine((v) => !v.passwordStdin || v.name !== undefined, { message: '--password-stdin needs --name' }),
        { email, ...(raw as object) },
      );
      const password = args.passwordStdin ? await readStdin(this) : undefined;
      const user = await withAdmin(this, (admin, ctx) =>
        admin.grantPlatformAdmin(ctx, {
          email: args.email,
          ...(password !== undefined && args.name !== undefined ? { create: { name: args.name, password } } : {}),
        }),
      );
      out(`${user.email} is a platform admin (user ${user.id})`);
    });

  program
    .command('set-quota')
    .description(
      "Set a company's storage quota (and optionally its plan). A quota below its usage refuses new uploads.",
    )
    .argument('<companyId>', 'the company (UUID)')
    .argument('<size>', 'the quota: bytes, or with a unit (10GiB, 500MB)')
    .option('--plan <plan>', `also set the plan: ${COMPANY_PLANS.join(', ')}`)
    .action(async function (this: Command, companyId: string, size: string, raw: unknown) {
      const args = parseArgs(
        this,
        z.strictObject({
          companyId: uuid,
          bytes: byteSize.pipe(z.number().max(STORAGE_QUOTA_MAX_BYTES, { message: 'at most 1 PiB' })),
          plan: z.enum(COMPANY_PLANS).optional(),
        }),
        { companyId, bytes: size, ...(raw as object) },
      );
      const company = await withAdmin(this, (admin, ctx) =>
        admin.setCompanyPlan(ctx, { companyId: args.companyId, storageQuotaBytes: args.bytes, plan: args.plan }),
      );
      out(`quota of ${company.id} (${company.name}) is ${company.storageQuotaBytes} bytes, plan ${company.plan}`);
    });

  program
    .command('suspend-company')
    .description(
      'Suspend a company: members read but change nothing, viewer links answer COMPANY_SUSPENDED; nothing is ' +
        'deleted. --resume lifts it.',
    )
    .argument('<companyId>', 'the company (UUID)')
    .option('--reason <text>', 'shown to its members (required to suspend)')
    .option('--resume', 'lift the suspension instead')
    .action(async function (this: Command, companyId: string, raw: unknown) {
      const args = parseArgs(
        this,
        z
          .strictObject({
            companyId: uuid,
            reason: z.string().trim().min(1).max(SUSPENSION_REASON_MAX).optional(),
            resume: z.boolean().optional(),
          })
          .refine((v) => (v.resume ? v.reason === undefined : v.reason !== undefined), {
            message: 'give --reason to suspend, or --resume alone',
          }),
        { companyId, ...(raw as object) },
      );
      const company = await withAdmin(this, (admin, ctx) =>
        args.resume
          ? admin.resumeCompany(ctx, { companyId: args.companyId })
          : admin.suspendCompany(ctx, { companyId: args.companyId, reason: args.reason! }),
      );
      out(
        company.suspendedAt
          ? `${company.id} (${company.name}) is suspended`
          : `${company.id} (${company.name}) is active`,
      );
    });

  program
    .command('disable-user')
    .description('Disable an account (sessions end at once, sign-in refused, its API keys stop), or --enable it again.')
    .argument('<user>', "the account's email or id")
    .option('--enable', 'enable the account again')
    .action(async function (this: Command, who: string, raw: unknown) {
      const args = parseArgs(
        this,
        z.strictObject({ user: z.union([uuid, inputs.email]), enable: z.boolean().optional() }),
        { user: who, ...(raw as object) },
      );
      const user = await withAdmin(this, async (admin, ctx, db) => {
        const found = await ctx.em.findOne(
          db.User,
          z.uuid().safeParse(args.user).success ? { id: args.user } : { email: args.user },
        );
        if (!found) throw new CliError(`no account ${args.user}`);
        return args.enable ? admin.enableUser(ctx, { userId: found.id }) : admin.disableUser(ctx, { userId: found.id });
      });
      out(`${user.email} is ${user.disabledAt ? 'disabled' : 'enabled'}`);
    });

  const jobs = program.command('jobs').description('The job queue (graphile-worker).');
  jobs
    .command('list')
    .description('Jobs that failed (attempts spent) or are retrying, with their last error, newest first.')
    .option('--state <state>', 'failed | retrying | any-error (default)')
    .option('--task <name>', 'only this task, e.g. mail:send')
    .option('--limit <n>', 'at most n jobs (default 50, at most 100)')
    .option('--json', 'one JSON object per line')
    .action(async function (this: Command, raw: unknown) {
      const opts = parseArgs(
        this,
        z.strictObject({
          state: z.enum(['failed', 'retrying', 'any-error']).default('any-error'),
          task: z
            .string()
            .regex(/^[a-z-]+:[a-z-]+$/, { message: 'expected a task name such as video:process' })
            .optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          json: z.boolean().optional(),
        }),
        raw,
      );
      const { items } = await withAdmin(this, (admin, ctx) =>
        admin.listJobs(ctx, { state: opts.state, task: opts.task, limit: opts.limit }),
      );
      for (const j of items) {
        if (opts.json) out(JSON.stringify(j));
        else {
          const error = j.lastError ? `  ${j.lastError.split('\n')[0]!.slice(0, 120)}` : '';
          out(`${j.id}\t${j.task}\t${j.state}\t${j.attempts}/${j.maxAttempts}\t${j.runAt.toISOString()}${error}`);
        }
      }
      if (!opts.json) out(`${items.length} job(s)`);
    });

  jobs
    .command('retry')
    .description('Run jobs again now with their attempts reset (all of them, or none: unknown or running ids refuse).')
    .argument('<ids...>', 'job ids (from `jobs list`)')
    .action(async function (this: Command, ids: string[]) {
      const args = parseArgs(
        this,
        z.strictObject({
          ids: z
            .array(z.string().regex(/^[0-9]{1,19}$/, { message: 'expected a job id' }))
            .min(1)
            .max(100),
        }),
        { ids },
      );
      const { retried } = await withAdmin(this, async (admin, ctx) => {
        const rows = await ctx.em.execute<{ id: string; locked: boolean }[]>(
          `select id::text as id, locked_at is not null as locked from graphile_worker.jobs
            where id in (${args.ids.map(() => '?').join(', ')})`,
          args.ids,
        );
        const missing = args.ids.filter((id) => !rows.some((r) => r.id === id));
        if (missing.length > 0) throw new CliError(`no job ${missing.join(', ')}; nothing was retried`);
        const running = rows.filter((r) => r.locked).map((r) => r.id);
        if (running.length > 0) throw new CliError(`job ${running.join(', ')} is running; nothing was retried`);
        return admin.retryJobs(ctx, { jobIds: args.ids });
      });
      out(`${retried.length} job(s) queued again: ${retried.join(', ')}`);
    });

  program
    .command('reprocess')
    .description(
      'Process READY or FAILED videos again from their originals (videos being processed are skipped). With ' +
        '--missing-rendition, only videos without that rung whose source is large enough for it.',
    )
    .option('--company <id>', 'only this company')
    .option('--project <id>', 'only this project')
    .option('--status <status>', 'READY or FAILED (default: both)')
    .option('--missing-rendition <rung>', 'only videos without this rendition: 1080p, 720p, 480p or 360p')
    .option('--limit <n>', 'at most n videos (default 1000)')
    .option('--dry-run', 'list what would be reprocessed, change nothing')
    .action(async function (this: Command, raw: unknown) {
      const opts = parseArgs(
        this,
        z.strictObject({
          company: uuid.optional(),
          project: uuid.optional(),
          status: z.enum(['READY', 'FAILED']).optional(),
          missingRendition: z.enum(['1080p', '720p', '480p', '360p']).optional(),
          limit: z.coerce.number().int().min(1).max(100_000).default(1000),
          dryRun: z.boolean().optional(),
        }),
        raw,
      );
      const { restartProcessing } = await import('@arvlite/jobs');
      const ids = await withAdmin(this, async (admin, ctx, db) => {
        const rung = opts.missingRendition ? admin.LADDER_RUNGS[opts.missingRendition] : undefined;
        const where = [
          `v.status in (${opts.status ? '?' : `'READY', 'FAILED'`})`,
          'v.uploaded_at is not null',
          'v.deleted_at is null',
        ];
        const params: unknown[] = opts.status ? [opts.status] : [];
        if (opts.company) {
          where.push('v.company_id = ?');
          params.push(opts.company);
        }
        if (opts.project) {
          where.push('v.project_id = ?');
          params.push(opts.project);
        }
        if (rung && opts.missingRendition) {
          // The ladder never upscales: only sources large enough for the rung can be missing it.
          where.push(
            `v.media is not null`,
            `greatest((v.media->>'width')::int, (v.media->>'height')::int) >= ?`,
            `least((v.media->>'width')::int, (v.media->>'height')::int) >= ?`,
            `(v.outputs->'renditions'->(?::text)) is null`,
          );
          params.push(rung[0], rung[1], opts.missingRendition);
        }
        return ctx.em.transactional(async (tem) => {
          const rows = await tem.execute<{ id: string; company_id: string }[]>(
            `select v.id, v.company_id from video v where ${where.join(' and ')}
              order by v.created_at, v.id limit ? for update of v skip locked`,
            [...params, opts.limit],
          );
          if (opts.dryRun) return rows.map((r) => r.id);
          for (const r of rows) {
            await restartProcessing(tem, r.id, ctx.config.media, { restart: true });
            tem.create(db.AuditLog, {
              companyId: r.company_id,
              action: 'admin.video.reprocess',
              targetType: 'video',
              targetId: r.id,
              requestId: ctx.actor.requestId,
            });
          }
          return rows.map((r) => r.id);
        });
      });
      for (const id of ids) out(id);
      out(`${ids.length} video(s) ${opts.dryRun ? 'would be reprocessed' : 'queued for processing'}`);
    });
}
