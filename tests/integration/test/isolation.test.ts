// Walks every procedure in appRouter as a member (owner) of company B using company A's ids.
// A procedure added later without tenant scoping fails here without anyone editing this file.
import { appRouter, closeChangeEvents, createCaller, createContextInner } from '@arvlite/api';
import { TRPCError } from '@trpc/server';
import { createTestDeps } from '@arvlite/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, verifyEmailOf } from '../src/index.ts';
import {
  callPath,
  changedParts,
  listProcedures,
  planInputs,
  tenantFingerprint,
  type InputPlan,
  type ProcedureInfo,
  type TenantOwnership,
} from '../src/router-walk.ts';

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
  'viewer.reportStage',
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

/**
 * Input fields that may hold one of company A's ids in a call of company B's that succeeds. Each entry is reviewed:
 * the id only filters B's own rows (it matches none of them) and is never looked up on its own.
 */
const FOREIGN_ID_INPUTS: Record<string, string> = {
  'audit.list.actorId': 'a filter on the company’s own audit rows; another company’s user matches none of them',
};

/**
 * Answer fields (path in the answer, `[]` for any list index) that may hold one of company A's ids in an answer to
 * company B. Each entry is reviewed; none is needed today.
 */
const FOREIGN_ID_ANSWERS: Record<string, string> = {};

/** Procedures whose B-only calls must succeed at least once, so the leak check of their answers checks something. */
const LISTS_CHECKED = [
  'video.list',
  'arContent.list',
  'member.list',
  'audit.list',
  'analytics.summary',
  'analytics.funnel',
  'project.list',
];

/** B-only mutations walked after the others: each may take away an object of B's that the others need. */
const DESTRUCTIVE = /\.(delete|archive|abortUpload|remove\w*|revoke\w*|cancel|refund)$/;

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let tokenB: string;
const aIds: Record<string, string> = {};
const bIds: Record<string, string> = {};

function callerFor(accessToken: string) {
  return createCaller(createContextInner(deps, { requestId: 'isolation-test', ip: '10.9.9.9', accessToken }));
}

/** Company B's caller with a context of its own (a fresh ORM fork), as production builds one per request. */
function callerB() {
  return callerFor(tokenB);
}

function ownershipOfA(): TenantOwnership {
  return {
    companyId: aIds.companyId!,
    userIds: [aIds.userA!, aIds.userA2!],
    ids: Object.values(aIds),
  };
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
  // Objects under A's storage prefixes, as a client's upload and the pipeline would leave them: the fingerprint lists
  // them with their ETags, so a call of B's that writes, copies or deletes one shows.
  const [sessionA] = await deps.orm
    .fork()
    .execute<{ upload_key: string }[]>(`select upload_key from upload_session where video_id = ?`, [videoA.videoId]);
  await deps.storage.put(sessionA!.upload_key, new Uint8Array(1000), 'video/mp4');
  await deps.storage.put(`${companyA.id}/orders/${orderA.id}/invoices/${paidA.invoice.id}.pdf`, MARKER);
  const [outputA] = await deps.orm
    .fork()
    .execute<{ output_id: string | null }[]>(`select output_id from video where id = ?`, [videoA.videoId]);
  if (outputA?.output_id) await deps.storage.put(`pub/${outputA.output_id}/playlist.m3u8`, MARKER);
  tokenB = b.accessToken;
  const asB = callerFor(b.accessToken);
  const companyB = await asB.company.create({ name: 'Bravo company' });
  const projectB = await asB.project.create({ companyId: companyB.id, name: 'Bravo project' });
  const membersB = await asB.member.list({ companyId: companyB.id });
  const videoB = await asB.video.createUpload({
    projectId: projectB.id,
    fileName: 'bravo.mp4',
    contentType: 'video/mp4',
    size: 1000,
  });
  const contentB = await asB.arContent.create({ projectId: projectB.id, title: 'Bravo AR content' });
  await asB.playlist.set({ id: contentB.id, videoIds: [videoB.videoId] });
  const orderB = await asB.order.create({ projectId: projectB.id, currency: 'RUB', customer: { name: 'Bravo' } });
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
    await expect(callerB().notification.markRead({ ids: [aIds.notificationId!] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await callerB().notification.list({})).items).toHaveLength(0);
  });

  it('answers NOT_FOUND or FORBIDDEN to company B for every procedure given company A’s ids, changing nothing of A’s, and shows B nothing of A’s', async () => {
    const aSet = new Set(Object.values(aIds));
    const bOnly = [...new Set(Object.values(bIds))];
    const candidates = [...aSet, ...bOnly];
    const nameOf = new Map<string, string>([
      ...Object.entries(aIds).map(([k, v]) => [v, `A.${k}`] as const),
      ...Object.entries(bIds).map(([k, v]) => [v, `B.${k}`] as const),
    ]);
    const aPattern = new RegExp([...aSet].join('|'));
    const problems = new Map<string, string[]>();
    const report = (path: string, message: string) => problems.set(path, [...(problems.get(path) ?? []), message]);
    const succeededBOnly = new Set<string>();
    /** The allow-list entries the walk met: one it never meets is stale, and goes. */
    const allowed = new Set<string>();
    let attempts = 0;
    let fingerprint = await tenantFingerprint(deps, ownershipOfA());
    expect(fingerprint.size, 'the fingerprint covers A’s tables, jobs and objects').toBeGreaterThan(20);
    expect(fingerprint.get(`storage ${aIds.companyId}/`), 'A’s seeded objects are listed').toMatch(/=.+,.+=/);

    /** Every call of a procedure: its input and which fields hold one of A's ids (none: a B-only call). */
    const callsOf = (p: ProcedureInfo): { input: unknown; aFields: string[] }[] => {
      const plans = planInputs(p.input);
      if (p.input && plans.length === 0) report(p.path, 'no input could be built from its schema');
      if (plans.length === 0) return [{ input: undefined, aFields: [] }];
      if (p.meta?.scope === 'tenant' && plans[0]!.idFields.length === 0)
        report(p.path, 'tenant-scoped but takes no id');
      const calls = new Map<string, { input: unknown; aFields: string[] }>();
      for (const plan of plans) {
        for (const ids of assignments(plan, plan.option === 0)) {
          const aFields = Object.keys(ids).filter((f) => [ids[f]!].flat().some((v) => aSet.has(v)));
          // B's own calls without optional filters: a list answers all it would show.
          const input = plan.build(ids, { optionalOut: aFields.length === 0 });
          if (!input) {
            report(p.path, `could not build a valid input for ${JSON.stringify(ids)}`);
            continue;
          }
          calls.set(JSON.stringify(input), { input, aFields });
        }
      }
      return [...calls.values()];
    };

    /**
     * The id assignments of one input option. The first option: every combination of candidate ids in its single id
     * fields (a list field alone, such as mark-read's `ids`, stands for one). Another option of a union: one pass, each
     * field in turn through every candidate while the others hold B's ids. A list beside single ids (a playlist's
     * `videoIds`) gets one pass too: a list of each candidate while the required single ids hold B's.
     */
    const assignments = (plan: InputPlan, full: boolean): Record<string, string | string[]>[] => {
      const singles = plan.idFields.filter((f) => !plan.listFields.includes(f));
      const dims = singles.length ? singles : plan.listFields;
      const out: Record<string, string | string[]>[] = full ? combinations(dims, candidates) : [];
      const sweep = (fields: string[], others: string[]) => {
        for (const f of fields) {
          const required = others.filter((o) => o !== f && !plan.optionalFields.includes(o));
          for (const base of combinations(required, bOnly)) for (const id of candidates) out.push({ ...base, [f]: id });
        }
      };
      if (!full) sweep(dims, dims);
      if (singles.length && plan.listFields.length) sweep(plan.listFields, singles);
      return out.map((ids) =>
        Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, plan.listFields.includes(k) ? [v].flat() : v])),
      );
    };

    const describeInput = (input: unknown) =>
      JSON.stringify(input ?? null).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, (id) => nameOf.get(id) ?? id);

    /** Calls one input as B, with a fresh context, and reports what it must not do. */
    const walkCall = async (p: ProcedureInfo, input: unknown, aFields: string[]) => {
      attempts++;
      const what = `${p.path}(${describeInput(input)})`;
      let result: unknown;
      try {
        result = await callPath(callerB(), p.path, input);
      } catch (e) {
        if (!(e instanceof TRPCError)) return report(p.path, `${what} threw ${String(e)}`);
        if (p.meta?.scope === 'admin') {
          // B is no platform admin: the operator's procedures do not exist for it, whatever the ids.
          if (e.code !== 'NOT_FOUND') report(p.path, `${what} → ${e.code}, not NOT_FOUND`);
        } else if (p.meta?.scope === 'tenant' && aFields.length > 0) {
          if (e.code !== 'NOT_FOUND' && e.code !== 'FORBIDDEN') report(p.path, `${what} → ${e.code}`);
        } else if (e.code === 'INTERNAL_SERVER_ERROR') {
          report(p.path, `${what} → INTERNAL_SERVER_ERROR: ${String(e.cause)}`);
        }
        return;
      }
      if (p.meta?.scope === 'admin') report(p.path, `${what} answered a non-admin`);
      for (const f of aFields) if (FOREIGN_ID_INPUTS[`${p.path}.${f}`]) allowed.add(`${p.path}.${f}`);
      const foreign = aFields.filter((f) => !FOREIGN_ID_INPUTS[`${p.path}.${f}`]);
      if (foreign.length) report(p.path, `${what} succeeded with A's id in ${foreign.join(', ')}`);
      if (aFields.length === 0) succeededBOnly.add(p.path);
      // Nothing of A's in the answer: neither its marker text nor one of its ids (outside a reviewed answer field).
      for (const [at, value] of leaves(result)) {
        if (value.includes(MARKER)) report(p.path, `${what} answered A's text at ${at || '(root)'}`);
        const id = aPattern.exec(value)?.[0];
        if (id && FOREIGN_ID_ANSWERS[`${p.path}:${at}`]) allowed.add(`${p.path}:${at}`);
        else if (id) report(p.path, `${what} answered A's id ${nameOf.get(id)} at ${at || '(root)'}`);
      }
    };

    /** After each procedure: nothing of A's changed (rows, rows reached through foreign keys, jobs, objects). */
    const checkFingerprint = async (path: string, calls: string) => {
      const now = await tenantFingerprint(deps, ownershipOfA());
      const changed = changedParts(fingerprint, now);
      if (changed.length) report(path, `${calls} changed company A's ${changed.join(', ')} (fingerprint)`);
      fingerprint = now;
    };

    const walked = listProcedures().filter((x) => x.meta?.scope !== 'public');
    const calls = new Map(walked.map((p) => [p.path, callsOf(p)]));
    // First every call with one of A's ids and B's own reads; then B's own mutations, those that may take away an
    // object of B's last, and ending every session of B's (its own too) at the very end.
    for (const p of walked.filter((x) => !ENDS_SESSIONS.has(x.path))) {
      const now = calls.get(p.path)!.filter((c) => c.aFields.length > 0 || p.type !== 'mutation');
      for (const c of now) await walkCall(p, c.input, c.aFields);
      await checkFingerprint(p.path, `its ${now.length} calls`);
    }
    const mutations = walked.filter((x) => x.type === 'mutation');
    const rank = (x: ProcedureInfo) => (ENDS_SESSIONS.has(x.path) ? 2 : DESTRUCTIVE.test(x.path) ? 1 : 0);
    for (const p of [...mutations].sort((x, y) => rank(x) - rank(y))) {
      const own = calls.get(p.path)!.filter((c) => c.aFields.length === 0);
      for (const c of own) await walkCall(p, c.input, c.aFields);
      await checkFingerprint(p.path, `its ${own.length} calls with B's own ids`);
    }

    // Per procedure, what reached A's data first (a success, an answer, a change), then wrong error codes.
    const reachedA = (m: string) => (/succeeded with|answered|\(fingerprint\)/.test(m) ? 0 : 1);
    const found = [...problems].map(([path, list]) =>
      [
        `${path}: ${list.length} problem(s)`,
        ...[...list]
          .sort((x, y) => reachedA(x) - reachedA(y))
          .slice(0, 6)
          .map((m) => `  ${m}`),
      ].join('\n'),
    );
    expect(found.join('\n'), 'the walk found what it must not').toBe('');
    expect(attempts).toBeGreaterThan(50);
    expect(
      [...Object.keys(FOREIGN_ID_INPUTS), ...Object.keys(FOREIGN_ID_ANSWERS)].filter((k) => !allowed.has(k)),
      'allow-list entries the walk never needed',
    ).toEqual([]);
    expect(
      LISTS_CHECKED.filter((path) => !succeededBOnly.has(path)),
      'procedures that never answered B its own data',
    ).toEqual([]);
    // About 11,000 sequential calls (14 procedures take two ids: every pair of candidates) and a fingerprint after each
    // procedure: 29-40 s alone at load 6-8 (the walk before fresh contexts per call: 54-75 s), 527 s beside the whole
    // suite at load 15-20 before.
  }, 900_000);

  it('is walking the real router', () => {
    expect(listProcedures().length).toBe(
      Object.keys((appRouter._def as unknown as { procedures: object }).procedures).length,
    );
  });
});

/** Every assignment of the values to the fields ([{}] for no fields). */
function combinations(fields: string[], values: string[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const f of fields) out = out.flatMap((c) => values.map((v) => ({ ...c, [f]: v })));
  return out;
}

/** Every string in an answer with its path (`items[].title`); object keys count as strings at their own path. */
function leaves(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, `${at}[]`));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([k, v]) => [
      [at ? `${at}.{key}` : '{key}', k] as [string, string],
      ...leaves(v, at ? `${at}.${k}` : k),
    ]);
  }
  return [];
}
