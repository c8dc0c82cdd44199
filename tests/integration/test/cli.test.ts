// The arvlite CLI as a child process: usage errors exit 2 with help, doctor finds a broken S3 and says how to fix it,
// set-quota changes a quota (audited) and a failed one changes nothing, create-admin is the way to the operator flag,
// suspend-company and disable-user go through the same admin services as the dashboard.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, Company, RefreshToken, User } from '@arvlite/db';
import { createTestDeps, freePort, type TestDeps } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/index.ts';

/** Each run is a new Node process loading the API's modules: seconds apiece on a loaded machine. */
const SLOW = { timeout: 240_000 };
let deps: TestDeps;
let env: Record<string, string>;
let companyId: string;
const dataDir = mkdtempSync(join(tmpdir(), 'arvlite-cli-'));

beforeAll(async () => {
  deps = await createTestDeps();
  env = {
    DATABASE_URL: deps.config.database.url,
    S3_ENDPOINT: deps.config.s3.endpoint,
    S3_BUCKET: deps.config.s3.bucket,
    DEV_SMTP_PORT: String(inject('testServices').smtpPort),
    DATA_DIR: dataDir,
  };
  const em = deps.orm.fork();
  const company = em.create(Company, { name: 'Quota Co', storageQuotaBytes: 1000 });
  await em.flush();
  companyId = company.id;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const quotaOf = async (id: string) =>
  (await deps.orm.fork().findOneOrFail(Company, { id }, { refresh: true })).storageQuotaBytes;
const auditsOf = (id: string) => deps.orm.fork().count(AuditLog, { targetId: id, action: 'admin.company.set-plan' });

describe('arvlite CLI', () => {
  it('prints help and exits 0 for --help; a usage error exits 2 with the help text', SLOW, async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: arvlite');
    expect(help.stdout).toMatch(/Exit codes: 0 done, 1 failed or refused .*, 2 usage error/);

    const unknown = await runCli(['no-such-command'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'no-such-command'");
    expect(unknown.stderr).toContain('Usage: arvlite');

    const missing = await runCli(['set-quota'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'companyId'");
    expect(missing.stderr).toContain('Usage: arvlite set-quota');

    const group = await runCli(['jobs'], env);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('Usage: arvlite jobs');

    const badOption = await runCli(['jobs', 'list', '--state', 'sleeping'], env);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('state: Invalid option');
    expect(badOption.stderr).toContain('Usage: arvlite jobs list');
  });

  it('set-quota sets the quota with an audit entry; a failed one changes nothing', SLOW, async () => {
    const bad = await runCli(['set-quota', companyId, 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a size such as 10GiB');
    expect(await quotaOf(companyId)).toBe(1000);

    const notUuid = await runCli(['set-quota', 'company-1', '1GiB'], env);
    expect(notUuid.code).toBe(2);
    expect(notUuid.stderr).toContain('companyId: expected a UUID');

    const unknown = await runCli(['set-quota', '00000000-0000-4000-8000-000000000000', '1GiB'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Company not found');
    expect(await quotaOf(companyId)).toBe(1000);
    expect(await auditsOf(companyId)).toBe(0);

    const ok = await runCli(['set-quota', companyId, '2GiB'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(await quotaOf(companyId)).toBe(2 * 2 ** 30);
    const audit = await deps.orm
      .fork()
      .findOneOrFail(AuditLog, { targetId: companyId, action: 'admin.company.set-plan' });
    expect(audit).toMatchObject({
      actorId: null,
      requestId: 'cli:set-quota',
      changes: { storageQuotaBytes: { from: 1000, to: 2 * 2 ** 30 } },
    });

    // Plan and quota are validated together: a bad plan changes neither.
    const badPlan = await runCli(['set-quota', companyId, '5GiB', '--plan', 'platinum'], env);
    expect(badPlan.code).toBe(2);
    expect(await quotaOf(companyId)).toBe(2 * 2 ** 30);
    expect(await auditsOf(companyId)).toBe(1);
  });

  it(
    'create-admin creates an operator from a piped password, or promotes an existing account; bad input changes nothing',
    SLOW,
    async () => {
      const email = 'operator@example.com';
      const weak = await runCli(['create-admin', email, '--name', 'Operator', '--password-stdin'], env, 'short\n');
      expect(weak.code).toBe(2);
      expect(weak.stderr).toContain('Usage: arvlite create-admin');
      expect(await deps.orm.fork().count(User, { email })).toBe(0);

      const noName = await runCli(['create-admin', email, '--password-stdin'], env, 'Sturdy-operator-pass-1\n');
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('--password-stdin needs --name');

      const unknown = await runCli(['create-admin', email], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('User not found');

      const created = await runCli(
        ['create-admin', 'Operator@Example.com', '--name', 'Operator', '--password-stdin'],
        env,
        'Sturdy-operator-pass-1\n',
      );
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const operator = await deps.orm.fork().findOneOrFail(User, { email });
      expect(operator.isPlatformAdmin).toBe(true);
      expect(operator.emailVerifiedAt).not.toBeNull();

      const member = deps.orm.fork();
      const plain = member.create(User, { email: 'member@example.com', name: 'Member' });
      await member.flush();
      const promoted = await runCli(['create-admin', 'member@example.com'], env);
      expect(promoted.code).toBe(0);
      expect((await deps.orm.fork().findOneOrFail(User, { id: plain.id })).isPlatformAdmin).toBe(true);
      expect(
        await deps.orm
          .fork()
          .count(AuditLog, { targetId: plain.id, action: 'admin.user.grant-admin', requestId: 'cli:create-admin' }),
      ).toBe(1);
    },
  );

  it('suspend-company needs a reason and resumes; disable-user ends sessions and enables again', SLOW, async () => {
    const noReason = await runCli(['suspend-company', companyId], env);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('give --reason to suspend, or --resume alone');
    const suspended = await runCli(['suspend-company', companyId, '--reason', 'Unpaid invoice'], env);
    expect(suspended.code).toBe(0);
    const row = await deps.orm.fork().findOneOrFail(Company, { id: companyId });
    expect(row.suspendedAt).not.toBeNull();
    expect(row.suspendedReason).toBe('Unpaid invoice');
    expect((await runCli(['suspend-company', companyId, '--resume'], env)).code).toBe(0);
    expect((await deps.orm.fork().findOneOrFail(Company, { id: companyId })).suspendedAt).toBeNull();

    const em = deps.orm.fork();
    const user = em.create(User, { email: 'disable-me@example.com', name: 'Someone' });
    em.create(RefreshToken, {
      user,
      familyId: crypto.randomUUID(),
      tokenHash: 'a'.repeat(64),
      expiresAt: new Date(Date.now() + 86_400_000),
      sessionStartedAt: new Date(),
    });
    await em.flush();
    expect((await runCli(['disable-user', 'nobody@example.com'], env)).code).toBe(1);
    const disabled = await runCli(['disable-user', 'DISABLE-ME@example.com'], env);
    expect(disabled.stderr).toBe('');
    expect(disabled.code).toBe(0);
    expect((await deps.orm.fork().findOneOrFail(User, { id: user.id })).disabledAt).not.toBeNull();
    expect(await deps.orm.fork().count(RefreshToken, { user: user.id, revokedAt: null })).toBe(0);
    expect((await runCli(['disable-user', user.id, '--enable'], env)).code).toBe(0);
    expect((await deps.orm.fork().findOneOrFail(User, { id: user.id })).disabledAt).toBeNull();
  });

  it(
    'jobs list shows a failed job with its error; jobs retry queues it again, all or none; reprocess checks its filters',
    SLOW,
    async () => {
      const em = deps.orm.fork();
      const [job] = await em.execute<{ id: string }[]>(
        `select id::text as id from graphile_worker.add_job('system:noop', '{}'::json, max_attempts := 1)`,
      );
      await em.execute(`select graphile_worker.permanently_fail_jobs(array[?]::bigint[], 'Broken on purpose')`, [
        job!.id,
      ]);
      const attemptsOf = async () =>
        (
          await deps.orm
            .fork()
            .execute<{ attempts: number }[]>(`select attempts from graphile_worker.jobs where id = ?`, [job!.id])
        )[0]!.attempts;

      const list = await runCli(['jobs', 'list', '--state', 'failed', '--json'], env);
      expect(list.code).toBe(0);
      const listed = list.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(listed).toContainEqual(
        expect.objectContaining({ id: job!.id, task: 'system:noop', state: 'failed', lastError: 'Broken on purpose' }),
      );

      const partly = await runCli(['jobs', 'retry', job!.id, '999999999'], env);
      expect(partly.code).toBe(1);
      expect(partly.stderr).toContain('no job 999999999; nothing was retried');
      expect(await attemptsOf()).toBe(1);
      const retried = await runCli(['jobs', 'retry', job!.id], env);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain(`1 job(s) queued again: ${job!.id}`);
      expect(await attemptsOf()).toBe(0);

      const badRung = await runCli(['reprocess', '--missing-rendition', '4k'], env);
      expect(badRung.code).toBe(2);
      expect(badRung.stderr).toContain('Usage: arvlite reprocess');
      const dry = await runCli(['reprocess', '--company', companyId, '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('0 video(s) would be reprocessed');
    },
  );

  it('doctor passes against the running services and exits 0', async () => {
    const r = await runCli(['doctor'], env);
    expect(r.stdout, r.stdout + r.stderr).toContain('everything looks right');
    expect(r.code).toBe(0);
    for (const check of ['config', 'postgres', 'migrations', 's3', 'smtp', 'ffmpeg', 'disk (DATA_DIR)']) {
      expect(r.stdout).toMatch(new RegExp(`^ok +${check.replace(/[()]/g, '\\$&')}:`, 'm'));
    }
    expect(r.stdout).toMatch(/ffmpeg: .*libx264, aac/);
  }, 60_000);

  it('doctor reports a broken S3 endpoint with a fix, and exits 1', async () => {
    const closed = await freePort();
    const r = await runCli(['doctor'], { ...env, S3_ENDPOINT: `http://127.0.0.1:${closed}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`^FAIL s3: bucket ${deps.config.s3.bucket} at http://127.0.0.1:${closed}: .*ECONNREFUSED`, 'm'),
    );
    expect(r.stdout).toMatch(/^ {5}fix: check S3_ENDPOINT \(http:\/\/127\.0\.0\.1:\d+\), S3_REGION, S3_BUCKET/m);
    // The other checks still ran.
    expect(r.stdout).toMatch(/^ok +postgres:/m);
    expect(r.stdout).toContain('1 problem(s) found');
  }, 60_000);
});
