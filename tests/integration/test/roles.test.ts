// Walks every tenant procedure of appRouter as members of the company itself whose role is below the procedure's
// minimum, with valid ids of that company's objects: each call must answer FORBIDDEN and change nothing (no row in any
// table, no job, no object in storage). The minimum roles are compared with a checked-in table first, so a role
// change is a visible diff of tests/integration/src/role-table.ts. A tenant procedure added later is walked without
// anyone editing this file (only the table, and an id kind if it names a new kind of object).
import { appRouter, createCaller, createContextInner } from '@arvlite/api';
import { ROLES, type Role } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fingerprintDiff, installationFingerprint, type Fingerprint } from '../src/db-fingerprint.ts';
import { markEmailVerified, signUp, tinyPng, type CallerUser } from '../src/index.ts';
import { ROLE_TABLE } from '../src/role-table.ts';
import { callPath, listProcedures, planInput, type ProcedureInfo } from '../src/router-walk.ts';

/** The kinds of object an id field can name; each is seeded once in the company. */
type Kind =
  | 'company'
  | 'project'
  | 'video'
  | 'arContent'
  | 'rule'
  | 'membership'
  | 'invitation'
  | 'apiKey'
  | 'webhook'
  | 'webhookDelivery'
  | 'product'
  | 'order'
  | 'orderItem'
  | 'invoice'
  | 'printFile'
  | 'uploadLink'
  | 'user';

/** Id fields by name; `id` takes its kind from the procedure's namespace (below) unless overridden. */
const FIELD_KINDS: Record<string, Kind> = {
  companyId: 'company',
  projectId: 'project',
  videoId: 'video',
  defaultVideoId: 'video',
  // A list of ids is walked with one id in it.
  videoIds: 'video',
  arContentId: 'arContent',
  ruleId: 'rule',
  membershipId: 'membership',
  invitationId: 'invitation',
  orderId: 'order',
  productId: 'product',
  itemId: 'orderItem',
  invoiceId: 'invoice',
  printFileId: 'printFile',
  deliveryId: 'webhookDelivery',
  actorId: 'user',
};
const ID_BY_NAMESPACE: Record<string, Kind> = {
  company: 'company',
  project: 'project',
  video: 'video',
  arContent: 'arContent',
  playlist: 'arContent',
  apiKey: 'apiKey',
  webhook: 'webhook',
  product: 'product',
  order: 'order',
};
const ID_OVERRIDES: Record<string, Kind> = { 'arContent.revokeUploadLink': 'uploadLink' };

function kindOf(path: string, field: string): Kind | undefined {
  if (field === 'id') return ID_OVERRIDES[path] ?? ID_BY_NAMESPACE[path.split('.')[0]!];
  return FIELD_KINDS[field];
}

const rank = (r: Role) => ROLES.indexOf(r);

let deps: Awaited<ReturnType<typeof createTestDeps>>;
const ids = {} as Record<Kind, string>;
const members = {} as Record<Role, CallerUser>;
/** One API key of each role a key can have (never owner), as the bearer token a REST client sends. */
const keys = {} as Record<'viewer' | 'editor' | 'admin', string>;

/** A caller with a context of its own, as each HTTP request gets: a fresh ORM fork per call. */
function freshCaller(user: Pick<CallerUser, 'ip' | 'accessToken'>) {
  return createCaller(
    createContextInner(deps, { requestId: 'roles-walk', ip: user.ip, accessToken: user.accessToken }),
  );
}

async function put(url: string, headers: Record<string, string> | undefined, body: Uint8Array) {
  const res = await fetch(url, { method: 'PUT', body: new Uint8Array(body), headers });
  expect(res.status, `PUT ${url}`).toBe(200);
}

beforeAll(async () => {
  deps = await createTestDeps();
  const owner = await signUp(deps, { name: 'Role walk owner' });
  members.owner = owner;
  const oc = () => freshCaller(owner);
  const company = await oc().company.create({ name: 'Role walk company' });
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    const u = await signUp(deps, { name: `Role walk ${role}` });
    await markEmailVerified(deps, u.userId);
    const inv = await oc().member.invite({ companyId: company.id, email: u.email, role });
    await freshCaller(u).auth.acceptInvite({ token: inv.token });
    members[role] = u;
  }
  const pending = await oc().member.invite({ companyId: company.id, email: 'pending@example.com', role: 'viewer' });
  const list = await oc().member.list({ companyId: company.id });
  const project = await oc().project.create({ companyId: company.id, name: 'Role walk project' });
  // A video whose upload is in storage (not completed) and an AR item with a marker photo uploaded: objects a wrongly
  // allowed delete, abort or archive would remove.
  const bytes = new Uint8Array(1000).fill(7);
  const video = await oc().video.createUpload({
    projectId: project.id,
    fileName: 'walk.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
    title: 'Role walk video',
  });
  if (video.kind !== 'single') throw new Error('expected a single-part upload');
  await put(video.url, video.headers, bytes);
  const content = await oc().arContent.create({ projectId: project.id, title: 'Role walk item' });
  const png = tinyPng();
  const marker = await oc().arContent.createMarkerUpload({
    id: content.id,
    contentType: 'image/png',
    size: png.length,
  });
  await put(marker.url, marker.headers, png);
  await oc().playlist.set({ id: content.id, videoIds: [video.videoId], defaultVideoId: video.videoId });
  const rule = await oc().playlist.addRule({
    id: content.id,
    kind: 'date',
    date: '2026-05-01',
    yearly: true,
    videoId: video.videoId,
  });
  const link = await oc().arContent.createUploadLink({ id: content.id });
  const hook = await oc().webhook.create({
    companyId: company.id,
    url: 'https://hooks.invalid/roles',
    events: ['video.ready'],
  });
  const delivery = await oc().webhook.sendTest({ id: hook.endpoint.id });
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    keys[role] = (await oc().apiKey.create({ companyId: company.id, name: `Role walk ${role} key`, role })).key;
  }
  const key = await oc().apiKey.create({ companyId: company.id, name: 'Role walk key', role: 'viewer' });
  const product = await oc().product.create({
    companyId: company.id,
    kind: 'AR_CARD',
    name: 'Role walk card',
    priceMinor: 100_000,
    currency: 'RUB',
    termMonths: 12,
  });
  const order = await oc().order.create({ projectId: project.id, currency: 'RUB', customer: { name: 'Buyer' } });
  await oc().order.addItem({ orderId: order.id, productId: product.id });
  await oc().order.place({ id: order.id });
  const paid = await oc().order.markPaid({ id: order.id, reference: 'walk' });
  const full = await oc().order.byId({ id: order.id });
  // A print file of the item, as printFile leaves it (rendering needs a compiled marker, which this walk has not).
  const [printFile] = await deps.orm.fork().execute<{ id: string }[]>(
    `insert into print_file (id, company_id, ar_content_id, format, cache_key, status, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, 'A6', 'roles', 'PENDING', now(), now()) returning id::text as id`,
    [company.id, content.id],
  );
  Object.assign(ids, {
    company: company.id,
    project: project.id,
    video: video.videoId,
    arContent: content.id,
    rule: rule.ruleId,
    // The owner's membership: the one a wrongly allowed demotion or removal would hurt most.
    membership: list.members.find((m) => m.userId === owner.userId)!.membershipId,
    invitation: pending.invitationId,
    apiKey: key.apiKey.id,
    webhook: hook.endpoint.id,
    webhookDelivery: delivery.deliveryId,
    product: product.id,
    order: order.id,
    orderItem: full.items?.[0]?.id ?? '',
    invoice: paid.invoice.id,
    printFile: printFile!.id,
    uploadLink: link.link.id,
    user: owner.userId,
  } satisfies Record<Kind, string>);
}, 120_000);

/** The router's tenant procedures with their declared minimum role. */
function tenantProcedures(): (ProcedureInfo & { meta: { scope: 'tenant'; minRole: Role; usersOnly?: boolean } })[] {
  return listProcedures().filter(
    (p): p is ProcedureInfo & { meta: { scope: 'tenant'; minRole: Role; usersOnly?: boolean } } =>
      p.meta?.scope === 'tenant',
  );
}

describe('roles', () => {
  it('every tenant procedure’s minimum role is the one in the checked-in table', () => {
    const router = Object.fromEntries(
      tenantProcedures().map((p) => [
        p.path,
        { minRole: p.meta.minRole, ...(p.meta.usersOnly ? { usersOnly: true as const } : {}) },
      ]),
    );
    expect(router).toEqual(ROLE_TABLE);
    expect(Object.keys(router).length).toBeGreaterThan(80);
    // The table is read from the real router (not a copy of itself).
    expect(listProcedures().length).toBe(
      Object.keys((appRouter._def as unknown as { procedures: object }).procedures).length,
    );
  });

  it('answers FORBIDDEN to every member below a procedure’s minimum role, with valid ids, changing nothing', async () => {
    // Nothing a refused call does may show anywhere: not in a row, a job or an object. Nothing is left out.
    const before: Fingerprint = await installationFingerprint(deps);
    const walked = new Set<string>();
    let calls = 0;
    for (const { path, top, input } of walkPlan()) {
      // Every role below the minimum (one below it included); each call is checked on its own.
      for (const role of ROLES.filter((r) => rank(r) < rank(top))) {
        calls++;
        const outcome = await outcomeOf(callPath(freshCaller(members[role]), path, input));
        const changed = fingerprintDiff(before, await installationFingerprint(deps));
        expect(
          { outcome, changed },
          `${path} as ${role} (needs ${top}) with ${JSON.stringify(input)}: must be refused, changing nothing`,
        ).toEqual({ outcome: 'FORBIDDEN', changed: [] });
        walked.add(path);
      }
    }
    // Every procedure above viewer was walked, with at least the role one below its minimum.
    const aboveLowest = Object.entries(ROLE_TABLE).filter(([, r]) => r.minRole !== 'viewer');
    expect(aboveLowest.length).toBeGreaterThan(50);
    for (const [path] of aboveLowest) expect(walked.has(path), `${path} was not walked`).toBe(true);
    expect(calls).toBeGreaterThan(aboveLowest.length);
  }, 300_000);

  it('answers FORBIDDEN to every API key below a procedure’s minimum role, and to any key where only users may call', async () => {
    // A key's call counts against its rate limit and may record its use: those two writes are expected.
    const ignore = { ignoreTables: ['rate_limit'], ignoreColumns: { api_key: ['last_used_at'] } };
    const before = await installationFingerprint(deps, ignore);
    let calls = 0;
    for (const { path, top, usersOnly, input } of walkPlan()) {
      const refused = (['viewer', 'editor', 'admin'] as const).filter((r) => usersOnly || rank(r) < rank(top));
      for (const role of refused) {
        calls++;
        const outcome = await outcomeOf(
          callPath(freshCaller({ ip: '10.77.0.1', accessToken: keys[role] }), path, input),
        );
        const changed = fingerprintDiff(before, await installationFingerprint(deps, ignore));
        expect(
          { outcome, changed },
          `${path} with a ${role} key (needs ${top}${usersOnly ? ', users only' : ''}): must be refused, changing nothing`,
        ).toEqual({ outcome: 'FORBIDDEN', changed: [] });
      }
    }
    expect(calls).toBeGreaterThan(50);
  }, 300_000);
});

/** How a call ended: 'succeeded', or the tRPC code it was refused with. */
function outcomeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'succeeded',
    (e: unknown) => (e instanceof TRPCError ? e.code : `threw ${String(e)}`),
  );
}

/**
 * Each tenant procedure with the role it needs and a valid input naming the company's own objects. The role is the
 * higher of the table's and the router's: lowering a role in the router alone still gets the procedure called by the
 * roles the table says must be refused.
 */
function walkPlan(): { path: string; top: Role; usersOnly: boolean; input: Record<string, unknown> | undefined }[] {
  return tenantProcedures().flatMap((p) => {
    const expected = ROLE_TABLE[p.path]?.minRole ?? p.meta.minRole;
    const top = rank(expected) > rank(p.meta.minRole) ? expected : p.meta.minRole;
    const usersOnly = Boolean(p.meta.usersOnly || ROLE_TABLE[p.path]?.usersOnly);
    // Every option of a union input (a rule of each kind, a payment provider of each kind) is its own call.
    const options = unionOptions(p.input);
    const inputs = options.flatMap((option, i) => {
      const plan = planInput(option);
      if (!plan) return [];
      const given: Record<string, string> = {};
      for (const field of plan.idFields) {
        const kind = kindOf(p.path, field);
        expect(
          kind,
          `${p.path}.${field}: which kind of object does it name? (FIELD_KINDS / ID_OVERRIDES)`,
        ).toBeDefined();
        given[field] = ids[kind!];
      }
      const input = plan.build(given);
      expect(input, `${p.path} option ${i}: could not build a valid input for ${JSON.stringify(given)}`).toBeDefined();
      return [input];
    });
    expect(inputs.length, `${p.path}: no option of its input could be built`).toBeGreaterThan(0);
    return inputs.map((input) => ({ path: p.path, top, usersOnly, input }));
  });
}

/** The options of a union input, nested unions flattened; any other input is its own only option. */
function unionOptions(schema: z.ZodType | undefined): (z.ZodType | undefined)[] {
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap((o) => unionOptions(o));
  return [schema];
}
