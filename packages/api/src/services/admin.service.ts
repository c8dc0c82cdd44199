// The installation's admin (the platform operator, not a company role): companies, users, the job queue and the
// workers. Plain functions over an EntityManager, so the dashboard's `admin.*` procedures and the CLI (apps/cli) run
// the same code. Every function validates its input with the schemas below (the procedures use the very same ones),
// changes everything or nothing in one transaction, and audits what it changed in that transaction.
import { COMPANY_PLANS, STORAGE_QUOTA_MAX_BYTES, SUSPENSION_REASON_MAX, inputs } from '@arvlite/contract';
import { AuditLog, Company, User, WorkerHeartbeat, type EntityManager } from '@arvlite/db';
import { restartProcessing } from '@arvlite/jobs';
import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import { audit, type AuditActor } from '../audit.ts';
import { hashPassword, passwordProblem } from '../auth/password.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../paginate.ts';

/** What an admin function needs: a (forked) EntityManager, the media settings for reprocessing, and who acts. */
export interface AdminCtx {
  em: EntityManager;
  config: { media: { jobMaxAttempts: number; companyConcurrency: number } };
  /** The operator: a platform admin's user id from the dashboard, or `userId: null` with a `cli:…` request id. */
  actor: AuditActor;
}

const uuid = z.uuid({ message: 'expected an id' });
const page = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(50),
};
const search = z.string().trim().max(100).optional();

/** The ladder's rungs (packages/media LADDER): long × short side each needs. */
export const LADDER_RUNGS = { '1080p': [1920, 1080], '720p': [1280, 720], '480p': [854, 480], '360p': [640, 360] };
export const RENDITION_RUNGS = Object.keys(LADDER_RUNGS) as (keyof typeof LADDER_RUNGS)[];

export const adminInputs = {
  listCompanies: z.strictObject({ ...page, search, suspended: z.boolean().optional() }),
  companyId: z.strictObject({ companyId: uuid }),
  setPlan: z
    .strictObject({
      companyId: uuid,
      plan: z.enum(COMPANY_PLANS).optional(),
      storageQuotaBytes: z.number().int().min(0).max(STORAGE_QUOTA_MAX_BYTES).optional(),
    })
    .refine((v) => v.plan !== undefined || v.storageQuotaBytes !== undefined, {
      message: 'Give a plan, a storage quota or both',
    }),
  suspend: z.strictObject({ companyId: uuid, reason: z.string().trim().min(1).max(SUSPENSION_REASON_MAX) }),
  listUsers: z.strictObject({ ...page, search, disabled: z.boolean().optional() }),
  userId: z.strictObject({ userId: uuid }),
  grantAdmin: z.strictObject({
    email: inputs.email,
    /** Creates the account when no account has this email (the CLI's create-admin). */
    create: z.strictObject({ name: inputs.displayName, password: z.string().min(1).max(256) }).optional(),
  }),
  jobs: z.strictObject({
    ...page,
    task: z.string().max(128).optional(),
    /** Failed for good (attempts spent), or also those still retrying. */
    state: z.enum(['failed', 'retrying', 'any-error']).default('any-error'),
  }),
  jobIds: z.strictObject({
    jobIds: z
      .array(z.string().regex(/^\d{1,19}$/, { message: 'expected a job id' }))
      .min(1)
      .max(100),
  }),
  reprocessMissing: z.strictObject({
    rung: z.enum(RENDITION_RUNGS as [keyof typeof LADDER_RUNGS, ...(keyof typeof LADDER_RUNGS)[]]),
    companyId: uuid.optional(),
    /** Count only; queue nothing. */
    dryRun: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
  audit: z.strictObject({ ...page }),
};

/** Parses with the schema, or a BAD_REQUEST with the same fieldErrors the procedures answer (for the CLI). */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const flat = z.flattenError(r.error);
  throw new ValidationError(r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '), {
    fieldErrors: flat.fieldErrors,
    formErrors: flat.formErrors,
  });
}

/** Raw rows carry timestamps as text. */
const dateOrNull = (v: Date | string | null) => (v === null ? null : new Date(v));

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

// ─── companies ────────────────────────────────────────────────────────────────────────────────────────────────────

interface CompanyRow {
  id: string;
  name: string;
  plan: string;
  storage_quota_bytes: string;
  storage_used_bytes: string;
  storage_reserved_bytes: string;
  suspended_at: Date | string | null;
  suspended_reason: string | null;
  created_at: Date;
  members: string;
  videos: string;
  ar_contents: string;
}

function companyAdminView(r: CompanyRow) {
  return {
    id: r.id,
    name: r.name,
    plan: r.plan as (typeof COMPANY_PLANS)[number],
    storageQuotaBytes: Number(r.storage_quota_bytes),
    storageUsedBytes: Number(r.storage_used_bytes),
    storageReservedBytes: Number(r.storage_reserved_bytes),
    suspendedAt: dateOrNull(r.suspended_at),
    suspendedReason: r.suspended_reason,
    members: Number(r.members),
    videos: Number(r.videos),
    arContents: Number(r.ar_contents),
    createdAt: new Date(r.created_at),
  };
}

const COMPANY_SELECT = `select c.id, c.name, c.plan, c.storage_quota_bytes, c.storage_used_bytes, c.storage_reserved_bytes,
    c.suspended_at, c.suspended_reason, c.created_at,
    (select count(*) from membership m where m.company_id = c.id) as members,
    (select count(*) from video v where v.company_id = c.id and v.deleted_at is null) as videos,
    (select count(*) from ar_content a where a.company_id = c.id and a.deleted_at is null) as ar_contents
  from company c`;

/** Every company with its plan, quota and usage, newest first; `search` matches the name or the id. */
export async function listCompaniesAdmin(ctx: AdminCtx, raw: z.input<typeof adminInputs.listCompanies>) {
  const input = parse(adminInputs.listCompanies, raw);
  const after = decodeCursor(input.cursor);
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.search) {
    where.push(`(c.name ilike ? escape '\\' or c.id::text = ?)`);
    params.push(`%${likeEscape(input.search)}%`, input.search.toLowerCase());
  }
  if (input.suspended !== undefined)
    where.push(input.suspended ? 'c.suspended_at is not null' : 'c.suspended_at is null');
  if (after) {
    where.push('(c.created_at, c.id) < (?, ?)');
    params.push(after.createdAt, after.id);
  }
  const rows = await ctx.em.execute<CompanyRow[]>(
    `${COMPANY_SELECT} ${where.length ? `where ${where.join(' and ')}` : ''}
      order by c.created_at desc, c.id desc limit ?`,
    [...params, input.limit + 1],
  );
  const { items, nextCursor } = pageOf(rows.map(companyAdminView), input.limit);
  return { items, nextCursor };
}

async function companyAdmin(em: EntityManager, companyId: string) {
  const [row] = await em.execute<CompanyRow[]>(`${COMPANY_SELECT} where c.id = ?`, [companyId]);
  if (!row) throw new NotFoundError('Company');
  return companyAdminView(row);
}

async function lockCompany(tem: EntityManager, companyId: string): Promise<Company> {
  const company = await tem.findOne(Company, { id: companyId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!company) throw new NotFoundError('Company');
  return company;
}

/**
 * Sets the plan, the storage quota, or both, in one statement's worth of change: invalid input changes nothing. A
 * quota below what the company already stores is allowed (new uploads are then refused until it frees space).
 */
export async function setCompanyPlan(ctx: AdminCtx, raw: z.input<typeof adminInputs.setPlan>) {
  const input = parse(adminInputs.setPlan, raw);
  await ctx.em.transactional(async (tem) => {
    const company = await lockCompany(tem, input.companyId);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (input.plan !== undefined && input.plan !== company.plan) {
      changes.plan = { from: company.plan, to: input.plan };
      company.plan = input.plan;
    }
    if (input.storageQuotaBytes !== undefined && input.storageQuotaBytes !== company.storageQuotaBytes) {
      changes.storageQuotaBytes = { from: company.storageQuotaBytes, to: input.storageQuotaBytes };
      company.storageQuotaBytes = input.storageQuotaBytes;
    }
    if (Object.keys(changes).length === 0) return;
    audit(tem, ctx.actor, {
      companyId: company.id,
      action: 'admin.company.set-plan',
      targetType: 'company',
      targetId: company.id,
      changes,
    });
  });
  return companyAdmin(ctx.em, input.companyId);
}

/**
 * Suspends a company: its members can still read (and export) but change nothing (FORBIDDEN, reason
 * COMPANY_SUSPENDED), its API keys likewise, and its viewer links answer COMPANY_SUSPENDED. Nothing is deleted.
 * Suspending a suspended company only updates the reason.
 */
export async function suspendCompany(ctx: AdminCtx, raw: z.input<typeof adminInputs.suspend>) {
  const input = parse(adminInputs.suspend, raw);
  await ctx.em.transactional(async (tem) => {
    const company = await lockCompany(tem, input.companyId);
    if (company.suspendedAt && company.suspendedReason === input.reason) return;
    const changes = {
      suspendedAt: { from: company.suspendedAt ?? null, to: company.suspendedAt ?? new Date() },
      suspendedReason: { from: company.suspendedReason ?? null, to: input.reason },
    };
    company.suspendedAt ??= new Date();
    company.suspendedReason = input.reason;
    audit(tem, ctx.actor, {
      companyId: company.id,
      action: 'admin.company.suspend',
      targetType: 'company',
      targetId: company.id,
      changes,
    });
  });
  return companyAdmin(ctx.em, input.companyId);
}

/** Lifts a suspension: everything works again as before. Resuming an active company changes nothing. */
export async function resumeCompany(ctx: AdminCtx, raw: z.input<typeof adminInputs.companyId>) {
  const input = parse(adminInputs.companyId, raw);
  await ctx.em.transactional(async (tem) => {
    const company = await lockCompany(tem, input.companyId);
    if (!company.suspendedAt) return;
    const changes = {
      suspendedAt: { from: company.suspendedAt, to: null },
      suspendedReason: { from: company.suspendedReason ?? null, to: null },
    };
    company.suspendedAt = null;
    company.suspendedReason = null;
    audit(tem, ctx.actor, {
      companyId: company.id,
      action: 'admin.company.resume',
      targetType: 'company',
      targetId: company.id,
      changes,
    });
  });
  return companyAdmin(ctx.em, input.companyId);
}

// ─── users ────────────────────────────────────────────────────────────────────────────────────────────────────────

interface UserRow {
  id: string;
  email: string;
  name: string;
  email_verified_at: Date | null;
  disabled_at: Date | string | null;
  is_platform_admin: boolean;
  created_at: Date;
  companies: string;
  sessions: string;
}

function userAdminView(r: UserRow) {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    emailVerified: r.email_verified_at !== null,
    disabledAt: dateOrNull(r.disabled_at),
    isPlatformAdmin: r.is_platform_admin,
    companies: Number(r.companies),
    activeSessions: Number(r.sessions),
    createdAt: new Date(r.created_at),
  };
}

const USER_SELECT = `select u.id, u.email, u.name, u.email_verified_at, u.disabled_at, u.is_platform_admin, u.created_at,
    (select count(*) from membership m where m.user_id = u.id) as companies,
    (select count(distinct r.family_id) from refresh_token r
      where r.user_id = u.id and r.revoked_at is null and r.rotated_at is null and r.expires_at > now()) as sessions
  from app_user u`;

/** Every account, newest first; `search` matches the email, the name or the id. */
export async function listUsersAdmin(ctx: AdminCtx, raw: z.input<typeof adminInputs.listUsers>) {
  const input = parse(adminInputs.listUsers, raw);
  const after = decodeCursor(input.cursor);
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.search) {
    where.push(`(u.email ilike ? escape '\\' or u.name ilike ? escape '\\' or u.id::text = ?)`);
    const like = `%${likeEscape(input.search)}%`;
    params.push(like, like, input.search.toLowerCase());
  }
  if (input.disabled !== undefined) where.push(input.disabled ? 'u.disabled_at is not null' : 'u.disabled_at is null');
  if (after) {
    where.push('(u.created_at, u.id) < (?, ?)');
    params.push(after.createdAt, after.id);
  }
  const rows = await ctx.em.execute<UserRow[]>(
    `${USER_SELECT} ${where.length ? `where ${where.join(' and ')}` : ''}
      order by u.created_at desc, u.id desc limit ?`,
    [...params, input.limit + 1],
  );
  return pageOf(rows.map(userAdminView), input.limit);
}

async function userAdmin(em: EntityManager, userId: string) {
  const [row] = await em.execute<UserRow[]>(`${USER_SELECT} where u.id = ?`, [userId]);
  if (!row) throw new NotFoundError('User');
  return userAdminView(row);
}

async function lockUser(tem: EntityManager, userId: string): Promise<User> {
  const user = await tem.findOne(User, { id: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!user) throw new NotFoundError('User');
  return user;
}

/** Ends every session of the account: all its refresh tokens are revoked, and with them its access tokens. */
async function revokeSessions(tem: EntityManager, userId: string): Promise<number> {
  const rows = await tem.execute<{ family_id: string }[]>(
    `update refresh_token set revoked_at = now() where user_id = ? and revoked_at is null returning family_id`,
    [userId],
  );
  return new Set(rows.map((r) => r.family_id)).size;
}

/**
 * Disables an account: it can no longer sign in or refresh, every session ends at once, and the API keys it created
 * stop working (they answer API_KEY_INVALID) until it is enabled again. An operator cannot disable themselves.
 */
export async function disableUser(ctx: AdminCtx, raw: z.input<typeof adminInputs.userId>) {
  const input = parse(adminInputs.userId, raw);
  if (ctx.actor.userId && ctx.actor.userId === input.userId) {
    throw new ConflictError('You cannot disable your own account', { reason: 'CANNOT_DISABLE_SELF' });
  }
  await ctx.em.transactional(async (tem) => {
    const user = await lockUser(tem, input.userId);
    const sessions = await revokeSessions(tem, user.id);
    if (user.disabledAt && sessions === 0) return;
    const changes: Record<string, unknown> = { sessionsEnded: { from: sessions, to: 0 } };
    if (!user.disabledAt) {
      changes.disabledAt = { from: null, to: new Date() };
      user.disabledAt = new Date();
    }
    audit(tem, ctx.actor, { action: 'admin.user.disable', targetType: 'user', targetId: user.id, changes });
  });
  return userAdmin(ctx.em, input.userId);
}

/** Enables a disabled account: it may sign in again (its old sessions stay ended). */
export async function enableUser(ctx: AdminCtx, raw: z.input<typeof adminInputs.userId>) {
  const input = parse(adminInputs.userId, raw);
  await ctx.em.transactional(async (tem) => {
    const user = await lockUser(tem, input.userId);
    if (!user.disabledAt) return;
    audit(tem, ctx.actor, {
      action: 'admin.user.enable',
      targetType: 'user',
      targetId: user.id,
      changes: { disabledAt: { from: user.disabledAt, to: null } },
    });
    user.disabledAt = null;
  });
  return userAdmin(ctx.em, input.userId);
}

/** Signs the account out everywhere (every session ends; the account stays enabled). */
export async function signOutUserEverywhere(ctx: AdminCtx, raw: z.input<typeof adminInputs.userId>) {
  const input = parse(adminInputs.userId, raw);
  const ended = await ctx.em.transactional(async (tem) => {
    const user = await lockUser(tem, input.userId);
    const sessions = await revokeSessions(tem, user.id);
    audit(tem, ctx.actor, {
      action: 'admin.user.sign-out',
      targetType: 'user',
      targetId: user.id,
      changes: { sessionsEnded: { from: sessions, to: 0 } },
    });
    return sessions;
  });
  return { ok: true as const, sessionsEnded: ended };
}

/**
 * Makes an account the installation's operator: only the CLI calls this (no procedure grants the flag). With
 * `create`, an account that does not exist yet is created (verified, with that password); without, it must exist.
 */
export async function grantPlatformAdmin(ctx: AdminCtx, raw: z.input<typeof adminInputs.grantAdmin>) {
  const input = parse(adminInputs.grantAdmin, raw);
  const create = input.create;
  const problem = create ? passwordProblem(create.password, input.email) : null;
  if (problem) throw new ValidationError(problem, { fieldErrors: { password: [problem] } });
  const passwordHash = create ? await hashPassword(create.password) : null;
  const userId = await ctx.em.transactional(async (tem) => {
    let user = await tem.findOne(User, { email: input.email }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    let created = false;
    if (!user) {
      if (!create) throw new NotFoundError('User');
      user = tem.create(User, {
        email: input.email,
        name: create.name,
        passwordHash,
        emailVerifiedAt: new Date(),
      });
      created = true;
    }
    if (user.isPlatformAdmin && !created) return user.id;
    user.isPlatformAdmin = true;
    audit(tem, ctx.actor, {
      action: 'admin.user.grant-admin',
      targetType: 'user',
      targetId: user.id,
      changes: {
        isPlatformAdmin: { from: false, to: true },
        ...(created ? { created: { from: null, to: true } } : {}),
      },
    });
    return user.id;
  });
  return userAdmin(ctx.em, userId);
}

/** Takes the operator flag away (CLI only, like granting it). */
export async function revokePlatformAdmin(ctx: AdminCtx, raw: z.input<typeof adminInputs.userId>) {
  const input = parse(adminInputs.userId, raw);
  await ctx.em.transactional(async (tem) => {
    const user = await lockUser(tem, input.userId);
    if (!user.isPlatformAdmin) return;
    user.isPlatformAdmin = false;
    audit(tem, ctx.actor, {
      action: 'admin.user.revoke-admin',
      targetType: 'user',
      targetId: user.id,
      changes: { isPlatformAdmin: { from: true, to: false } },
    });
  });
  return userAdmin(ctx.em, input.userId);
}

// ─── the queue ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * How a job stands: `running` (locked by a worker), `failed` (attempts spent: it will not run again by itself),
 * `retrying` (failed before, waiting for its next attempt), `scheduled` (first run in the future), `queued`.
 */
const STATE_SQL = `case
    when j.locked_at is not null then 'running'
    when j.attempts >= j.max_attempts then 'failed'
    when j.attempts > 0 then 'retrying'
    when j.run_at > now() then 'scheduled'
    else 'queued' end`;
export type QueueJobState = 'running' | 'failed' | 'retrying' | 'scheduled' | 'queued';

/** Jobs per task and state, and the age of the oldest runnable job (queue lag). */
export async function queueCounts(ctx: AdminCtx) {
  const rows = await ctx.em.execute<{ task: string; state: QueueJobState; count: string }[]>(
    `select j.task_identifier as task, ${STATE_SQL} as state, count(*) as count
       from graphile_worker.jobs j group by 1, 2 order by 1, 2`,
  );
  const [lag] = await ctx.em.execute<{ oldest: Date | null }[]>(
    `select min(run_at) as oldest from graphile_worker.jobs
      where locked_at is null and attempts < max_attempts and run_at <= now()`,
  );
  const byTask = new Map<string, Record<QueueJobState, number>>();
  for (const r of rows) {
    const counts = byTask.get(r.task) ?? { queued: 0, scheduled: 0, running: 0, retrying: 0, failed: 0 };
    counts[r.state] = Number(r.count);
    byTask.set(r.task, counts);
  }
  return {
    tasks: [...byTask].map(([task, counts]) => ({ task, ...counts })),
    oldestRunnableAt: lag?.oldest ? new Date(lag.oldest) : null,
    checkedAt: new Date(),
  };
}

const ERROR_MAX = 2000;

/** `array[?, ?, …]::bigint[]`: one placeholder per id (the ids are bound, never inlined). */
const idArray = (ids: string[]) => `array[${ids.map(() => '?').join(', ')}]::bigint[]`;

/** Jobs that failed (for good, still retrying, or both), with their last error, most recently updated first. */
export async function listJobs(ctx: AdminCtx, raw: z.input<typeof adminInputs.jobs>) {
  const input = parse(adminInputs.jobs, raw);
  const where = ['j.last_error is not null'];
  const params: unknown[] = [];
  if (input.state === 'failed') where.push('j.attempts >= j.max_attempts');
  if (input.state === 'retrying') where.push('j.attempts < j.max_attempts');
  if (input.task) {
    where.push('j.task_identifier = ?');
    params.push(input.task);
  }
  if (input.cursor) {
    const m = /^(\d{1,19})$/.exec(input.cursor);
    if (!m) throw new ValidationError('This cursor is not one this list returned', { reason: 'INVALID_CURSOR' });
    where.push('j.id < ?');
    params.push(m[1]);
  }
  const rows = await ctx.em.execute<
    {
      id: string;
      task_identifier: string;
      queue_name: string | null;
      key: string | null;
      attempts: number;
      max_attempts: number;
      last_error: string | null;
      run_at: Date;
      created_at: Date;
      updated_at: Date;
      state: QueueJobState;
    }[]
  >(
    `select j.id::text as id, j.task_identifier, j.queue_name, j.key, j.attempts, j.max_attempts,
            left(j.last_error, ${ERROR_MAX}) as last_error, j.run_at, j.created_at, j.updated_at, ${STATE_SQL} as state
       from graphile_worker.jobs j where ${where.join(' and ')} order by j.id desc limit ?`,
    [...params, input.limit + 1],
  );
  const items = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    task: r.task_identifier,
    queue: r.queue_name,
    key: r.key,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    state: r.state,
    runAt: new Date(r.run_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }));
  return { items, nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * Runs jobs again now, with a fresh set of attempts (graphile_worker.reschedule_jobs). Jobs a worker holds are left
 * alone (the function skips locked jobs); `retried` lists the ids that were rescheduled.
 */
export async function retryJobs(ctx: AdminCtx, raw: z.input<typeof adminInputs.jobIds>) {
  const input = parse(adminInputs.jobIds, raw);
  return ctx.em.transactional(async (tem) => {
    const rows = await tem.execute<{ id: string; task_identifier: string }[]>(
      `select r.id::text as id, t.identifier as task_identifier
         from graphile_worker.reschedule_jobs(${idArray(input.jobIds)}, run_at => now(), attempts => 0) r
         join graphile_worker._private_tasks t on t.id = r.task_id`,
      input.jobIds,
    );
    for (const r of rows) {
      audit(tem, ctx.actor, {
        action: 'admin.job.retry',
        targetType: 'job',
        targetId: r.id,
        changes: { task: { from: null, to: r.task_identifier } },
      });
    }
    return { retried: rows.map((r) => r.id) };
  });
}

/**
 * Cancels jobs: they are marked failed for good (graphile_worker.permanently_fail_jobs) with "Cancelled by the
 * operator" as their error, so they stay listed and can be retried later. Running jobs are left alone.
 */
export async function cancelJobs(ctx: AdminCtx, raw: z.input<typeof adminInputs.jobIds>) {
  const input = parse(adminInputs.jobIds, raw);
  return ctx.em.transactional(async (tem) => {
    const rows = await tem.execute<{ id: string; task_identifier: string }[]>(
      `select r.id::text as id, t.identifier as task_identifier
         from graphile_worker.permanently_fail_jobs(${idArray(input.jobIds)}, 'Cancelled by the operator') r
         join graphile_worker._private_tasks t on t.id = r.task_id`,
      input.jobIds,
    );
    for (const r of rows) {
      audit(tem, ctx.actor, {
        action: 'admin.job.cancel',
        targetType: 'job',
        targetId: r.id,
        changes: { task: { from: null, to: r.task_identifier } },
      });
    }
    return { cancelled: rows.map((r) => r.id) };
  });
}

/**
 * Queues processing again (video:process from the kept original, the same path as video.reprocess) for READY videos
 * whose stored outputs lack the rung although their source is large enough for it (the ladder never upscales).
 * At most `limit` per call, oldest first; `dryRun` only counts. One transaction: the jobs and the audit row commit
 * together.
 */
export async function reprocessMissingRendition(ctx: AdminCtx, raw: z.input<typeof adminInputs.reprocessMissing>) {
  const input = parse(adminInputs.reprocessMissing, raw);
  const [long, short] = LADDER_RUNGS[input.rung];
  return ctx.em.transactional(async (tem) => {
    const rows = await tem.execute<{ id: string; company_id: string }[]>(
      `select v.id, v.company_id from video v
        where v.status = 'READY' and v.deleted_at is null and v.uploaded_at is not null
          and v.media is not null
          and greatest((v.media->>'width')::int, (v.media->>'height')::int) >= ?
          and least((v.media->>'width')::int, (v.media->>'height')::int) >= ?
          and (v.outputs->'renditions'->(?::text)) is null
          ${input.companyId ? 'and v.company_id = ?' : ''}
        order by v.created_at, v.id limit ? for update of v skip locked`,
      [long, short, input.rung, ...(input.companyId ? [input.companyId] : []), input.limit],
    );
    if (input.dryRun || rows.length === 0) return { matched: rows.length, queued: 0, videoIds: rows.map((r) => r.id) };
    for (const r of rows) await restartProcessing(tem, r.id, ctx.config.media, { restart: true });
    audit(tem, ctx.actor, {
      companyId: input.companyId ?? null,
      action: 'admin.video.reprocess-missing',
      targetType: 'rendition',
      targetId: input.rung,
      changes: { videos: { from: null, to: rows.length } },
    });
    return { matched: rows.length, queued: rows.length, videoIds: rows.map((r) => r.id) };
  });
}

// ─── workers ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** Worker processes seen in the last hour: alive (beating, not stopped) or not, with their tasks and load. */
export async function listWorkers(ctx: AdminCtx & { deadAfterMs: number }) {
  const since = new Date(Date.now() - 3_600_000);
  const rows = await ctx.em.find(
    WorkerHeartbeat,
    { lastSeenAt: { $gt: since } },
    { orderBy: { startedAt: 'desc' }, limit: 200 },
  );
  const deadBefore = Date.now() - ctx.deadAfterMs;
  return rows.map((w) => ({
    id: w.id,
    hostname: w.hostname,
    pid: w.pid,
    alive: !w.stoppedAt && w.lastSeenAt.getTime() > deadBefore,
    startedAt: w.startedAt,
    lastSeenAt: w.lastSeenAt,
    stoppedAt: w.stoppedAt ?? null,
    jobsRunning: w.jobsRunning,
    concurrency: w.concurrency,
    jobsCompleted: w.jobsCompleted,
    jobsFailed: w.jobsFailed,
    tasks: w.taskNames,
  }));
}

// ─── the admin audit view ─────────────────────────────────────────────────────────────────────────────────────────

/** Every operator action (audit rows whose action starts with `admin.`), newest first. */
export async function listAdminAudit(ctx: AdminCtx, raw: z.input<typeof adminInputs.audit>) {
  const input = parse(adminInputs.audit, raw);
  const before = input.cursor && /^\d{1,20}$/.test(input.cursor) ? input.cursor : undefined;
  const rows = await ctx.em.find(
    AuditLog,
    { action: { $like: 'admin.%' }, ...(before ? { id: { $lt: before } } : {}) },
    { orderBy: { id: 'desc' }, limit: input.limit + 1 },
  );
  const items = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    action: r.action,
    actorId: r.actorId ?? null,
    companyId: r.companyId ?? null,
    targetType: r.targetType,
    targetId: r.targetId ?? null,
    changes: r.changes ?? null,
    requestId: r.requestId ?? null,
    createdAt: r.createdAt,
  }));
  return { items, nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
}
