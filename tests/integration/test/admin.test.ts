// The installation's admin: the operator's procedures against the real router, Postgres and graphile-worker, and a
// worker process for the heartbeat. An operator is made through the service the CLI uses (grantPlatformAdmin).
import { admin, createContextInner, createCaller } from '@arvlite/api';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  callPath,
  listProcedures,
  planInput,
  randomIp,
  signUp,
  startTestPlatform,
  type CallerUser,
} from '../src/index.ts';

const platform = await startTestPlatform({ worker: true });
const { deps } = platform;

function callerFor(accessToken?: string, ip = randomIp()) {
  return createCaller(createContextInner(deps, { requestId: `admin-test-${ip}`, ip, accessToken }));
}

const cliActor = { userId: null, requestId: 'cli:admin-test' };
const adminCtx = () => ({ em: deps.orm.fork(), config: deps.config, actor: cliActor });

async function errorOf(p: Promise<unknown>): Promise<TRPCError & { cause?: { details?: Record<string, unknown> } }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error('expected the call to fail');
}

let operator: CallerUser;
let owner: CallerUser;
let companyId: string;
let projectId: string;
let arContentId: string;
let publicId: string;

beforeAll(async () => {
  operator = await signUp(deps, { name: 'Operator' });
  await admin.grantPlatformAdmin(adminCtx(), { email: operator.email });
  owner = await signUp(deps, { name: 'Owner' });
  const company = await owner.caller.company.create({ name: 'Suspendable Co' });
  companyId = company.id;
  projectId = (await owner.caller.project.create({ companyId, name: 'Prints' })).id;
  arContentId = (await owner.caller.arContent.create({ projectId, title: 'Wedding' })).id;
  // A published item waiting for its marker: the viewer answers MARKER_PROCESSING for it (not NOT_FOUND, as drafts).
  const [row] = await deps.orm
    .fork()
    .execute<{ public_id: string }[]>(
      `update ar_content set status = 'MARKER_PROCESSING' where id = ? returning public_id`,
      [arContentId],
    );
  publicId = row!.public_id;
});

describe('the operator flag', () => {
  it('is granted by the service the CLI calls, shows in auth.me, and no procedure can grant it', async () => {
    expect((await operator.caller.auth.me()).isPlatformAdmin).toBe(true);
    expect((await owner.caller.auth.me()).isPlatformAdmin).toBe(false);
    const procedures = listProcedures();
    expect(procedures.filter((p) => /grant|createAdmin|platformAdmin/i.test(p.path))).toEqual([]);
  });

  it('can create the operator account (CLI create-admin), checking the password like sign-up', async () => {
    await expect(
      admin.grantPlatformAdmin(adminCtx(), {
        email: 'root@example.com',
        create: { name: 'Root', password: 'password' },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.grantPlatformAdmin(adminCtx(), { email: 'nobody@example.com' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const created = await admin.grantPlatformAdmin(adminCtx(), {
      email: ' Root@Example.com ',
      create: { name: 'Root', password: 'a sturdy operator passphrase' },
    });
    expect(created).toMatchObject({ email: 'root@example.com', isPlatformAdmin: true, emailVerified: true });
    const session = await callerFor().auth.login({
      email: 'root@example.com',
      password: 'a sturdy operator passphrase',
    });
    expect((await callerFor(session.accessToken).auth.me()).isPlatformAdmin).toBe(true);
    await admin.revokePlatformAdmin(adminCtx(), { userId: created.id });
    expect((await callerFor(session.accessToken).auth.me()).isPlatformAdmin).toBe(false);
    const refused = await errorOf(callerFor(session.accessToken).admin.companies({}));
    expect(refused.code).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND to a non-admin user and to an API key for every admin procedure, changing nothing', async () => {
    const key = await owner.caller.apiKey.create({ companyId, name: 'integration', role: 'admin' });
    const callers = [owner.caller, callerFor(key.key)];
    const fingerprint = async () => {
      const [row] = await deps.orm.fork().execute<{ md5: string }[]>(
        `select md5(concat_ws('|',
            (select string_agg(t::text, ',' order by t.id) from company t),
            (select string_agg(t::text, ',' order by t.id) from app_user t),
            (select string_agg(t.id || ':' || coalesce(t.revoked_at::text, ''), ',' order by t.id) from refresh_token t),
            (select count(*) from audit_log where action like 'admin.%'))) as md5`,
      );
      return row!.md5;
    };
    const before = await fingerprint();
    const admin = listProcedures().filter((p) => p.meta?.scope === 'admin');
    expect(admin.length).toBeGreaterThanOrEqual(15);
    for (const p of admin) {
      const plan = planInput(p.input);
      const input = plan ? plan.build(Object.fromEntries(plan.idFields.map((f) => [f, companyId]))) : undefined;
      if (plan) expect(input, `${p.path}: no valid input`).toBeDefined();
      for (const caller of callers) {
        const err = await errorOf(callPath(caller, p.path, input));
        expect(err.code, `${p.path}(${JSON.stringify(input)})`).toBe('NOT_FOUND');
      }
      const anonymous = await errorOf(callPath(callerFor(), p.path, input));
      expect(anonymous.code).toBe('UNAUTHORIZED');
    }
    expect(await fingerprint()).toBe(before);
  });
});

describe('companies', () => {
  it('lists companies with plan, quota and usage, and searches by name', async () => {
    const page = await operator.caller.admin.companies({ search: 'suspendable' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      id: companyId,
      name: 'Suspendable Co',
      plan: 'free',
      storageUsedBytes: 0,
      members: 1,
      arContents: 1,
      suspendedAt: null,
    });
    expect(page.items[0]!.storageQuotaBytes).toBe(deps.config.companies.defaultQuotaBytes);
    // % and _ are literals, not patterns.
    expect((await operator.caller.admin.companies({ search: '%' })).items).toHaveLength(0);
  });

  it('sets plan and quota together, and invalid input never half-applies', async () => {
    const quota = deps.config.companies.defaultQuotaBytes;
    for (const storageQuotaBytes of [-1, 1.5, 2 ** 51]) {
      const err = await errorOf(operator.caller.admin.setPlan({ companyId, plan: 'pro', storageQuotaBytes }));
      expect(err.code).toBe('BAD_REQUEST');
    }
    await expect(
      operator.caller.admin.setPlan({ companyId, plan: 'platinum' as 'pro', storageQuotaBytes: 10 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(operator.caller.admin.setPlan({ companyId })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // The CLI's path validates the same way and changes nothing either.
    await expect(
      admin.setCompanyPlan(adminCtx(), { companyId, plan: 'pro', storageQuotaBytes: -5 }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    let [row] = await deps.orm
      .fork()
      .execute<{ plan: string; storage_quota_bytes: string }[]>(
        'select plan, storage_quota_bytes from company where id = ?',
        [companyId],
      );
    expect(row).toEqual({ plan: 'free', storage_quota_bytes: String(quota) });

    const updated = await operator.caller.admin.setPlan({ companyId, plan: 'pro', storageQuotaBytes: 50 * 2 ** 30 });
    expect(updated).toMatchObject({ plan: 'pro', storageQuotaBytes: 50 * 2 ** 30 });
    [row] = await deps.orm
      .fork()
      .execute<{ plan: string; storage_quota_bytes: string }[]>(
        'select plan, storage_quota_bytes from company where id = ?',
        [companyId],
      );
    expect(row).toEqual({ plan: 'pro', storage_quota_bytes: String(50 * 2 ** 30) });
    const missing = await errorOf(
      operator.caller.admin.setPlan({ companyId: crypto.randomUUID(), plan: 'pro', storageQuotaBytes: 1 }),
    );
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('suspends: reads work, changes and the viewer answer COMPANY_SUSPENDED, nothing is deleted; resume restores', async () => {
    const anonymous = callerFor();
    expect(await anonymous.viewer.manifest({ publicId })).toMatchObject({ ok: false, reason: 'MARKER_PROCESSING' });
    const key = await owner.caller.apiKey.create({ companyId, name: 'writer', role: 'editor' });
    const keyCaller = callerFor(key.key);
    const count = async () => {
      const [r] = await deps.orm.fork().execute<{ n: string }[]>(
        `select (select count(*) from project where company_id = ?) + (select count(*) from ar_content where company_id = ?)
           + (select count(*) from membership where company_id = ?) + (select count(*) from api_key where company_id = ?) as n`,
        [companyId, companyId, companyId, companyId],
      );
      return Number(r!.n);
    };
    const before = await count();

    const suspended = await operator.caller.admin.suspendCompany({ companyId, reason: 'Unpaid invoice #42' });
    expect(suspended.suspendedReason).toBe('Unpaid invoice #42');
    expect(suspended.suspendedAt).toBeInstanceOf(Date);

    expect(await anonymous.viewer.manifest({ publicId })).toMatchObject({ ok: false, reason: 'COMPANY_SUSPENDED' });
    // Members still read, and see why.
    expect((await owner.caller.project.byId({ id: projectId })).id).toBe(projectId);
    const me = await owner.caller.auth.me();
    expect(me.memberships.find((m) => m.companyId === companyId)?.suspension).toMatchObject({
      reason: 'Unpaid invoice #42',
    });
    // Every change is refused with the typed reason, for members and keys alike.
    for (const attempt of [
      () => owner.caller.project.create({ companyId, name: 'Another' }),
      () => owner.caller.arContent.update({ id: arContentId, title: 'Renamed' }),
      () => owner.caller.company.update({ id: companyId, name: 'Renamed Co' }),
      () => keyCaller.project.create({ companyId, name: 'By key' }),
    ]) {
      const err = await errorOf(attempt());
      expect(err.code).toBe('FORBIDDEN');
      expect(err.cause?.details).toMatchObject({ reason: 'COMPANY_SUSPENDED', suspensionReason: 'Unpaid invoice #42' });
    }
    expect(await count()).toBe(before);

    await operator.caller.admin.resumeCompany({ companyId });
    expect(await anonymous.viewer.manifest({ publicId })).toMatchObject({ ok: false, reason: 'MARKER_PROCESSING' });
    expect((await keyCaller.project.create({ companyId, name: 'After resume' })).id).toBeTruthy();
    expect(
      (await callerFor(owner.accessToken).auth.me()).memberships.find((m) => m.companyId === companyId)?.suspension,
    ).toBeNull();
  });
});

describe('users', () => {
  it('disabling ends sessions, refresh, sign-in and the API keys the user made; enabling lets them sign in again', async () => {
    const user = await signUp(deps, { name: 'Soon disabled' });
    const own = await user.caller.company.create({ name: 'Disabled user co' });
    const key = await user.caller.apiKey.create({ companyId: own.id, name: 'theirs', role: 'viewer' });
    const keyCaller = callerFor(key.key);
    expect((await keyCaller.project.list({ companyId: own.id })).items).toEqual([]);

    const listed = await operator.caller.admin.users({ search: user.email });
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ id: user.userId, activeSessions: 1, disabledAt: null, companies: 1 });

    const disabled = await operator.caller.admin.disableUser({ userId: user.userId });
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    expect(disabled.activeSessions).toBe(0);

    expect((await errorOf(user.caller.auth.me())).code).toBe('UNAUTHORIZED');
    expect((await errorOf(callerFor().auth.refresh({ refreshToken: user.refreshToken }))).code).toBe('UNAUTHORIZED');
    expect((await errorOf(callerFor().auth.login({ email: user.email, password: user.password }))).code).toBe(
      'UNAUTHORIZED',
    );
    const keyErr = await errorOf(keyCaller.project.list({ companyId: own.id }));
    expect(keyErr.code).toBe('UNAUTHORIZED');

    // The operator cannot lock themselves out.
    expect((await errorOf(operator.caller.admin.disableUser({ userId: operator.userId }))).code).toBe('CONFLICT');

    await operator.caller.admin.enableUser({ userId: user.userId });
    const again = await callerFor().auth.login({ email: user.email, password: user.password });
    expect(again.user.id).toBe(user.userId);
    // The old session stays ended; the key works again.
    expect((await errorOf(callerFor().auth.refresh({ refreshToken: user.refreshToken }))).code).toBe('UNAUTHORIZED');
    expect((await keyCaller.project.list({ companyId: own.id })).items).toEqual([]);
  });

  it('signs a user out everywhere without disabling them', async () => {
    const user = await signUp(deps, { name: 'Signed out' });
    const result = await operator.caller.admin.signOutUser({ userId: user.userId });
    expect(result).toEqual({ ok: true, sessionsEnded: 1 });
    expect((await errorOf(user.caller.auth.me())).code).toBe('UNAUTHORIZED');
    expect((await callerFor().auth.login({ email: user.email, password: user.password })).user.id).toBe(user.userId);
  });
});

describe('the queue and the workers', () => {
  it('counts jobs per task and state, lists failed ones with their error, cancels and retries them', async () => {
    const em = deps.orm.fork();
    // A task no worker runs: the jobs stay where the test puts them.
    const [a, b] = await em.execute<{ id: string }[]>(
      `select (graphile_worker.add_job('admin-test:idle', '{}'::json, max_attempts => 3)).id::text as id
       union all select (graphile_worker.add_job('admin-test:idle', '{}'::json, max_attempts => 3)).id::text`,
    );
    let counts = await operator.caller.admin.queue();
    expect(counts.tasks.find((t) => t.task === 'admin-test:idle')).toMatchObject({ queued: 2, failed: 0 });

    const cancelled = await operator.caller.admin.cancelJobs({ jobIds: [a!.id, b!.id] });
    expect(cancelled.cancelled.sort()).toEqual([a!.id, b!.id].sort());
    counts = await operator.caller.admin.queue();
    expect(counts.tasks.find((t) => t.task === 'admin-test:idle')).toMatchObject({ queued: 0, failed: 2 });
    const failed = await operator.caller.admin.jobs({ state: 'failed', task: 'admin-test:idle' });
    expect(failed.items.map((j) => j.id).sort()).toEqual([a!.id, b!.id].sort());
    expect(failed.items[0]).toMatchObject({ lastError: 'Cancelled by the operator', attempts: 3, maxAttempts: 3 });

    const retried = await operator.caller.admin.retryJobs({ jobIds: [a!.id] });
    expect(retried.retried).toEqual([a!.id]);
    const [job] = await em.execute<{ attempts: number; runnable: boolean }[]>(
      'select attempts, run_at <= now() as runnable from graphile_worker.jobs where id = ?',
      [a!.id],
    );
    expect(job).toEqual({ attempts: 0, runnable: true });
    // Unknown ids change nothing and say so.
    expect(await operator.caller.admin.retryJobs({ jobIds: ['999999999'] })).toEqual({ retried: [] });
    await expect(operator.caller.admin.retryJobs({ jobIds: ['1; drop table company'] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('queues reprocessing for READY videos missing a rung their source is large enough for', async () => {
    const em = deps.orm.fork();
    const big = await owner.caller.video.createUpload({
      projectId,
      fileName: 'big.mp4',
      contentType: 'video/mp4',
      size: 1000,
    });
    const small = await owner.caller.video.createUpload({
      projectId,
      fileName: 'small.mp4',
      contentType: 'video/mp4',
      size: 1000,
    });
    // As processing leaves them: the 1080p source got 720p only (a ladder cut short), the 640×360 one is complete.
    const outputs = (rungs: string[]) =>
      JSON.stringify({ renditions: Object.fromEntries(rungs.map((r) => [r, { name: r, ladder: true }])) });
    await em.execute(
      `update video set status = 'READY', uploaded_at = now(), media = ?::jsonb, outputs = ?::jsonb where id = ?`,
      [JSON.stringify({ width: 1920, height: 1080 }), outputs(['720p']), big.videoId],
    );
    await em.execute(
      `update video set status = 'READY', uploaded_at = now(), media = ?::jsonb, outputs = ?::jsonb where id = ?`,
      [JSON.stringify({ width: 640, height: 360 }), outputs(['360p']), small.videoId],
    );
    const dry = await operator.caller.admin.reprocessMissingRendition({ rung: '1080p', companyId, dryRun: true });
    expect(dry).toEqual({ matched: 1, queued: 0, videoIds: [big.videoId] });
    expect(
      await operator.caller.admin.reprocessMissingRendition({ rung: '360p', companyId, dryRun: true }),
    ).toMatchObject({ matched: 1, videoIds: [big.videoId] });
    const done = await operator.caller.admin.reprocessMissingRendition({ rung: '1080p', companyId });
    expect(done).toEqual({ matched: 1, queued: 1, videoIds: [big.videoId] });
    const [audit] = await em.execute<{ action: string; target_id: string }[]>(
      `select action, target_id from audit_log where action = 'admin.video.reprocess-missing'`,
    );
    expect(audit).toEqual({ action: 'admin.video.reprocess-missing', target_id: '1080p' });
  });

  it('lists live workers with their tasks and load', async () => {
    const workers = await operator.caller.admin.workers();
    const ours = workers.find((w) => w.id === platform.worker!.id);
    expect(ours).toMatchObject({ alive: true, concurrency: 2, pid: process.pid });
    expect(ours!.tasks).toContain('video:process');
    expect(ours!.tasks).toContain('outbox:dispatch');
    expect(ours!.jobsRunning).toBeGreaterThanOrEqual(0);
  });
});

describe('the admin audit view', () => {
  it('records every operator action with its actor', async () => {
    const page = await operator.caller.admin.audit({ limit: 100 });
    const actions = page.items.map((i) => i.action);
    for (const action of [
      'admin.user.grant-admin',
      'admin.user.revoke-admin',
      'admin.company.set-plan',
      'admin.company.suspend',
      'admin.company.resume',
      'admin.user.disable',
      'admin.user.enable',
      'admin.user.sign-out',
      'admin.job.cancel',
      'admin.job.retry',
      'admin.video.reprocess-missing',
    ]) {
      expect(actions, action).toContain(action);
    }
    const suspend = page.items.find((i) => i.action === 'admin.company.suspend')!;
    expect(suspend).toMatchObject({ actorId: operator.userId, companyId, targetId: companyId });
    expect(page.items.find((i) => i.action === 'admin.user.grant-admin')).toMatchObject({
      actorId: null,
      requestId: 'cli:admin-test',
    });
    // The company's own audit log shows the suspension too.
    const own = await owner.caller.audit.list({ companyId, action: 'admin.company.suspend' });
    expect(own.items).toHaveLength(1);
  });
});

describe('bad input from the operator', () => {
  it('never answers INTERNAL_SERVER_ERROR to any admin procedure, whatever the input', async () => {
    // Last in the file: random valid inputs may retry or cancel jobs of this database.
    const nasty = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.constantFrom(
        '',
        ' ',
        '%',
        '_',
        '\\',
        "'; drop table company; --",
        'x'.repeat(300),
        '1',
        '99999999999999999999',
      ),
      fc.uuid(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.bigInt({ min: -1n, max: 10n ** 20n }).map(String)), {
        maxLength: 120,
      }),
    );
    for (const p of listProcedures().filter((x) => x.meta?.scope === 'admin')) {
      const shape = (p.input as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
      const keys = Object.keys(shape);
      const record = keys.length
        ? fc.record(Object.fromEntries(keys.map((k) => [k, nasty])), { requiredKeys: [] })
        : fc.constant({});
      await fc.assert(
        fc.asyncProperty(fc.oneof(record, fc.anything({ maxDepth: 2 })), async (input) => {
          try {
            await callPath(operator.caller, p.path, input);
          } catch (e) {
            if (!(e instanceof TRPCError)) throw e;
            if (e.code === 'INTERNAL_SERVER_ERROR') {
              throw new Error(`${p.path}(${JSON.stringify(input)?.slice(0, 300)}) → ${String(e.cause)}`);
            }
          }
        }),
        { numRuns: 150, seed: 20261206 + p.path.length },
      );
    }
  }, 240_000);
});
