// Walks every procedure in appRouter as a member (owner) of company B using company A's ids.
// A procedure added later without tenant scoping fails here without anyone editing this file.
import { appRouter, closeChangeEvents, createCaller, createContextInner } from '@arvlite/api';
import { TRPCError } from '@trpc/server';
import { createTestDeps } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPath, listProcedures, planInput, signUp, verifyEmailOf } from '../src/index.ts';

/** Procedures that need no sign-in; each must be here on purpose. */
const PUBLIC = new Set([
  'health.check',
  'health.watch',
  'auth.register',
  'auth.login',
  'auth.refresh',
  'auth.logout',
  'auth.verifyEmail',
  'auth.requestPasswordReset',
  'auth.resetPassword',
  'auth.oidcProviders',
  'auth.oidcStart',
  'auth.oidcCallback',
  'viewer.manifest',
  'viewer.startSession',
  'viewer.endSession',
  // The customer upload link's side: authenticated by the link's token only, scoped to its own item and video.
  'customerUpload.describe',
  'customerUpload.start',
  'customerUpload.signParts',
  'customerUpload.signUpload',
  'customerUpload.listParts',
  'customerUpload.complete',
]);

/** Signed-in procedures that act only on the caller's own account; each must be here on purpose. */
const SELF = new Set([
  'auth.me',
  'auth.logoutAll',
  'auth.requestEmailVerification',
  'auth.acceptInvite',
  'auth.changePassword',
  'auth.changeEmail',
  'auth.setLanguage',
  'auth.sessions',
  'auth.revokeSession',
  'auth.logoutOthers',
  'company.create',
  'company.list',
  'notification.list',
  'notification.unreadCount',
  'notification.markRead',
  'notification.markAllRead',
  'notification.onChange',
  'notification.preferences',
  'notification.setPreference',
  'notification.registerPushToken',
  'notification.unregisterPushToken',
]);

/** Self procedures that end the caller's own session: walked last. */
const ENDS_SESSIONS = new Set(['auth.logoutAll']);

const MARKER = 'ALPHA-SECRET-7f3a';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let callerB: ReturnType<typeof createCaller>;
const aIds: Record<string, string> = {};
const bIds: Record<string, string> = {};

function callerFor(accessToken: string) {
  return createCaller(createContextInner(deps, { requestId: 'isolation-test', ip: '10.9.9.9', accessToken }));
}

/** A checksum of every row company A owns: tables with company_id, tables with project_id of A's projects, A's users. */
async function companyAFingerprint(): Promise<string> {
  const em = deps.orm.fork();
  const cols = await em.execute<{ table_name: string; column_name: string }[]>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and column_name in ('company_id', 'project_id', 'user_id')`,
  );
  const parts: string[] = [];
  const byTable = new Map<string, string[]>();
  for (const c of cols) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  const users = [aIds.userA!, aIds.userA2!];
  for (const [table, columns] of [...byTable].sort()) {
    const where = columns.includes('company_id')
      ? `company_id = '${aIds.companyId}'`
      : columns.includes('project_id')
        ? `project_id in (select id from project where company_id = '${aIds.companyId}')`
        : `user_id in ('${users.join("','")}')`;
    const [row] = await em.execute<{ md5: string | null; n: number }[]>(
      `select md5(string_agg(t::text, '|' order by t::text)) as md5, count(*)::int as n from "${table}" t where ${where}`,
    );
    parts.push(`${table}:${row?.n}:${row?.md5}`);
  }
  const [company] = await em.execute<{ md5: string }[]>(`select md5(t::text) as md5 from company t where id = ?`, [
    aIds.companyId,
  ]);
  const [people] = await em.execute<{ md5: string }[]>(
    `select md5(string_agg(t::text, '|' order by t::text)) as md5 from app_user t where id in (?, ?)`,
    users,
  );
  return [...parts, `company:${company?.md5}`, `users:${people?.md5}`].join('\n');
}

beforeAll(async () => {
  deps = await createTestDeps();
  const a = await signUp(deps, { email: 'alpha-owner@example.com', name: `${MARKER} owner`, ip: '10.0.0.1' });
  const a2 = await signUp(deps, { email: 'alpha-editor@example.com', name: `${MARKER} editor`, ip: '10.0.0.2' });
  const b = await signUp(deps, { email: 'bravo-owner@example.com', name: 'Bravo owner', ip: '10.0.0.3' });
  await verifyEmailOf(deps, a2);
  const callerA = callerFor(a.accessToken);
  const companyA = await callerA.company.create({ name: `${MARKER} company` });
  const projectA = await callerA.project.create({
    companyId: companyA.id,
    name: `${MARKER} project`,
    description: MARKER,
  });
  const invite = await callerA.member.invite({
    companyId: companyA.id,
    email: 'alpha-editor@example.com',
    role: 'editor',
  });
  await callerFor(a2.accessToken).auth.acceptInvite({ token: invite.token });
  const pending = await callerA.member.invite({ companyId: companyA.id, email: 'pending@example.com', role: 'viewer' });
  const members = await callerA.member.list({ companyId: companyA.id });
  const videoA = await callerA.video.createUpload({
    projectId: projectA.id,
    fileName: 'alpha.mp4',
    contentType: 'video/mp4',
    size: 1000,
    title: `${MARKER} video`,
  });
  const contentA = await callerA.arContent.create({
    projectId: projectA.id,
    title: `${MARKER} AR content`,
    customer: { name: `${MARKER} customer`, email: 'alpha-customer@example.com', orderRef: MARKER },
  });
  await callerA.playlist.set({ id: contentA.id, videoIds: [videoA.videoId], defaultVideoId: videoA.videoId });
  const ruleA = await callerA.playlist.addRule({
    id: contentA.id,
    kind: 'date',
    date: '2026-05-01',
    yearly: true,
    videoId: videoA.videoId,
  });
  const hookA = await callerA.webhook.create({
    companyId: companyA.id,
    url: 'https://hooks.invalid/alpha',
    events: ['video.ready'],
    description: MARKER,
  });
  const hookDeliveryA = await callerA.webhook.sendTest({ id: hookA.endpoint.id });
  // An unread notification of A's owner, as the notifications consumer writes it.
  const [notificationA] = await deps.orm.fork().execute<{ id: string }[]>(
    `insert into notification (id, user_id, company_id, kind, params, event_id, created_at)
       values (gen_random_uuid(), ?, ?, 'video.ready', ?::jsonb, 1, now()) returning id::text as id`,
    [a.userId, companyA.id, JSON.stringify({ projectId: projectA.id, videoId: videoA.videoId, title: MARKER })],
  );
  // A paid order of A's (its line created an AR item, its invoice was issued) and a product.
  const productA = await callerA.product.create({
    companyId: companyA.id,
    kind: 'AR_CARD',
    name: `${MARKER} product`,
    priceMinor: 100_000,
    currency: 'RUB',
    termMonths: 12,
  });
  const orderA = await callerA.order.create({
    projectId: projectA.id,
    currency: 'RUB',
    customer: { name: `${MARKER} buyer`, email: 'alpha-buyer@example.com' },
    reference: MARKER,
  });
  await callerA.order.addItem({ orderId: orderA.id, productId: productA.id });
  await callerA.order.place({ id: orderA.id });
  const paidA = await callerA.order.markPaid({ id: orderA.id, reference: MARKER });
  // A print file of A's item (a row as printFile leaves it; rendering needs a compiled marker, which this walk has not).
  const [printFileA] = await deps.orm.fork().execute<{ id: string }[]>(
    `insert into print_file (id, company_id, ar_content_id, format, cache_key, status, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, 'A6', 'isolation', 'PENDING', now(), now()) returning id::text as id`,
    [companyA.id, contentA.id],
  );
  Object.assign(aIds, {
    companyId: companyA.id,
    projectId: projectA.id,
    userA: a.userId,
    userA2: a2.userId,
    ownerMembership: members.members.find((m) => m.userId === a.userId)!.membershipId,
    editorMembership: members.members.find((m) => m.userId === a2.userId)!.membershipId,
    invitationId: pending.invitationId,
    videoId: videoA.videoId,
    arContentId: contentA.id,
    ruleId: ruleA.ruleId,
    webhookEndpointId: hookA.endpoint.id,
    webhookDeliveryId: hookDeliveryA.deliveryId,
    notificationId: notificationA!.id,
    productId: productA.id,
    orderId: orderA.id,
    invoiceId: paidA.invoice.id,
    printFileId: printFileA!.id,
  });
  callerB = callerFor(b.accessToken);
  const companyB = await callerB.company.create({ name: 'Bravo company' });
  const projectB = await callerB.project.create({ companyId: companyB.id, name: 'Bravo project' });
  const membersB = await callerB.member.list({ companyId: companyB.id });
  const videoB = await callerB.video.createUpload({
    projectId: projectB.id,
    fileName: 'bravo.mp4',
    contentType: 'video/mp4',
    size: 1000,
  });
  const contentB = await callerB.arContent.create({ projectId: projectB.id, title: 'Bravo AR content' });
  await callerB.playlist.set({ id: contentB.id, videoIds: [videoB.videoId] });
  const orderB = await callerB.order.create({ projectId: projectB.id, currency: 'RUB', customer: { name: 'Bravo' } });
  Object.assign(bIds, {
    companyId: companyB.id,
    projectId: projectB.id,
    userB: b.userId,
    membership: membersB.members[0]!.membershipId,
    videoId: videoB.videoId,
    arContentId: contentB.id,
    orderId: orderB.id,
  });
});

// notification.onChange opened the process's LISTEN connection.
afterAll(() => closeChangeEvents(deps.config.database.url));

describe('tenant isolation', () => {
  const procedures = listProcedures();

  it('knows every procedure’s scope: tenant-scoped, the operator’s (admin.*), or listed here as public or self', () => {
    for (const p of procedures) {
      const scope = p.meta?.scope;
      if (scope === 'public') expect(PUBLIC.has(p.path), `${p.path} is public but not listed in PUBLIC`).toBe(true);
      else if (scope === 'self') expect(SELF.has(p.path), `${p.path} is self-scoped but not listed in SELF`).toBe(true);
      else if (scope === 'admin')
        expect(p.path.startsWith('admin.'), `${p.path} is admin-scoped outside admin.*`).toBe(true);
      else expect(scope, `${p.path} has no scope`).toBe('tenant');
      if (p.path.startsWith('admin.')) expect(scope, `${p.path} is in admin.* but not admin-scoped`).toBe('admin');
    }
    for (const path of [...PUBLIC, ...SELF]) expect(procedures.map((p) => p.path)).toContain(path);
  });

  it('answers NOT_FOUND to another user’s notification, and lists none of them', async () => {
    await expect(callerB.notification.markRead({ ids: [aIds.notificationId!] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await callerB.notification.list({})).items).toHaveLength(0);
  });

  it('answers NOT_FOUND or FORBIDDEN to company B for every procedure given company A’s ids, changing nothing', async () => {
    const before = await companyAFingerprint();
    const candidates = [...Object.values(aIds), ...Object.values(bIds)];
    const aSet = new Set(Object.values(aIds));
    let attempts = 0;
    // Ending every session of B's (its own, too) comes last, so the procedures after it still run signed in.
    const walked = procedures.filter((x) => x.meta?.scope !== 'public');
    const ordered = [
      ...walked.filter((x) => !ENDS_SESSIONS.has(x.path)),
      ...walked.filter((x) => ENDS_SESSIONS.has(x.path)),
    ];
    for (const p of ordered) {
      const plan = planInput(p.input);
      const fields = plan?.idFields ?? [];
      // Every assignment of candidate ids to the id fields that includes at least one of A's ids.
      const combos: Record<string, string>[] = [{}];
      for (const f of fields) {
        const next: Record<string, string>[] = [];
        for (const c of combos) for (const id of candidates) next.push({ ...c, [f]: id });
        combos.splice(0, combos.length, ...next);
      }
      const mixed = combos.filter((c) => Object.values(c).some((v) => aSet.has(v)));
      if (p.meta?.scope === 'tenant') {
        expect(fields.length, `${p.path} is tenant-scoped but takes no id`).toBeGreaterThan(0);
      }
      for (const ids of fields.length ? mixed : [{}]) {
        const input = plan ? plan.build(ids) : undefined;
        if (plan) expect(input, `${p.path}: could not build a valid input for ${JSON.stringify(ids)}`).toBeDefined();
        attempts++;
        let result: unknown;
        try {
          result = await callPath(callerB, p.path, input);
        } catch (e) {
          expect(e, `${p.path}(${JSON.stringify(input)})`).toBeInstanceOf(TRPCError);
          const code = (e as TRPCError).code;
          if (p.meta?.scope === 'tenant') {
            expect(['NOT_FOUND', 'FORBIDDEN'], `${p.path}(${JSON.stringify(input)}) → ${code}`).toContain(code);
          } else if (p.meta?.scope === 'admin') {
            // B is no platform admin: the operator's procedures do not exist for it, whatever the ids.
            expect(code, `${p.path}(${JSON.stringify(input)}) → ${code}`).toBe('NOT_FOUND');
          } else {
            expect(code, `${p.path}(${JSON.stringify(input)})`).not.toBe('INTERNAL_SERVER_ERROR');
          }
          continue;
        }
        expect(p.meta?.scope, `${p.path} answered a non-admin`).not.toBe('admin');
        // A call that succeeds must not reveal anything of A's.
        const text = JSON.stringify(result ?? null);
        expect(text.includes(MARKER), `${p.path}(${JSON.stringify(input)}) leaked company A data`).toBe(false);
        for (const id of aSet)
          expect(text.includes(id), `${p.path}(${JSON.stringify(input)}) returned A's id ${id}`).toBe(false);
      }
    }
    expect(attempts).toBeGreaterThan(50);
    expect(await companyAFingerprint()).toBe(before);
    // Thousands of sequential calls (14 procedures take two ids: every pair with one of A's): 527 s beside the whole
    // suite on a 2-core machine at load 15-20.
  }, 900_000);

  it('is walking the real router', () => {
    expect(listProcedures().length).toBe(
      Object.keys((appRouter._def as unknown as { procedures: object }).procedures).length,
    );
  });
});
