// API keys over real HTTP, tRPC and REST alike: shown once, hashed at rest, live revocation and expiry, one company,
// the key's role, user-only procedures refused, last use recorded, audited.
import { createHash } from 'node:crypto';
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { ApiKey, AuditLog } from '@arvlite/db';
import { waitFor } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let admin: TestUser;
let other: TestUser;
let companyId: string;
let projectId: string;
let otherProjectId: string;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { LOG_LEVEL: 'error', API_KEY_RATE_LIMIT_PER_MINUTE: '40' } });
  admin = await registerUser(platform.client);
  other = await registerUser(platform.client);
  companyId = (await admin.client.company.create.mutate({ name: 'Keys Inc' })).id;
  projectId = (await admin.client.project.create.mutate({ companyId, name: 'Shop orders' })).id;
  const otherCompany = (await other.client.company.create.mutate({ name: 'Elsewhere Ltd' })).id;
  otherProjectId = (await other.client.project.create.mutate({ companyId: otherCompany, name: 'Theirs' })).id;
});

const keyClient = (key: string) => platform.client(() => key);
const rest = (key: string | undefined, path: string, init: RequestInit = {}) =>
  fetch(`${platform.baseUrl}/api/v1${path}`, {
    ...init,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string>),
    },
  });

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected failure');
}
const detailsOf = (e: TRPCClientError<AppRouter>) => (e.data as { details?: { reason?: string } }).details;

async function newKey(role: 'viewer' | 'editor' | 'admin', expiresAt?: Date) {
  return admin.client.apiKey.create.mutate({ companyId, name: `${role} key`, role, expiresAt });
}

describe('API keys', () => {
  it('are shown once, stored as SHA-256 only, and listed by prefix', async () => {
    const created = await newKey('editor');
    expect(created.key).toMatch(/^arv_live_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey.prefix).toBe(created.key.slice(0, 17));
    const listed = await admin.client.apiKey.list.query({ companyId });
    const row = listed.find((k) => k.id === created.apiKey.id)!;
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(row).toMatchObject({ name: 'editor key', role: 'editor', prefix: created.apiKey.prefix, revokedAt: null });
    const [stored] = await platform.deps.orm
      .fork()
      .execute<Record<string, unknown>[]>('select * from api_key where id = ?', [created.apiKey.id]);
    expect(stored!.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(17));
  });

  it('work as a Bearer token for tRPC and REST, in their own company only (NOT_FOUND elsewhere)', async () => {
    const { key } = await newKey('editor');
    const project = await keyClient(key).project.byId.query({ id: projectId });
    expect(project.id).toBe(projectId);
    const e = await failure(keyClient(key).project.byId.query({ id: otherProjectId }));
    expect(e.data?.code).toBe('NOT_FOUND');
    const created = await rest(key, '/ar-content', {
      method: 'POST',
      body: JSON.stringify({ projectId, title: 'Order 1001', expiresAt: '2030-01-01T00:00:00.000Z' }),
    });
    expect(created.status).toBe(200);
    const item = (await created.json()) as { id: string; expiresAt: string; createdAt: string };
    expect(item.expiresAt).toBe('2030-01-01T00:00:00.000Z');
    expect(item.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const elsewhere = await rest(key, `/videos?projectId=${otherProjectId}`);
    expect(elsewhere.status).toBe(404);
    const body = (await elsewhere.json()) as Record<string, unknown>;
    expect(body).toEqual({
      code: 'NOT_FOUND',
      message: 'Project not found',
      requestId: elsewhere.headers.get('x-request-id'),
    });
    // The other company's AR content id, through REST: NOT_FOUND as well.
    const theirs = await other.client.arContent.create.mutate({ projectId: otherProjectId, title: 'Not yours' });
    expect((await rest(key, `/ar-content/${theirs.id}`)).status).toBe(404);
  });

  it('carry their role: a viewer key reads but cannot write', async () => {
    const { key } = await newKey('viewer');
    expect((await rest(key, `/ar-content?projectId=${projectId}`)).status).toBe(200);
    const refused = await rest(key, '/ar-content', {
      method: 'POST',
      body: JSON.stringify({ projectId, title: 'No' }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('FORBIDDEN');
    const e = await failure(keyClient(key).project.create.mutate({ companyId, name: 'No' }));
    expect(e.data?.code).toBe('FORBIDDEN');
  });

  it('are refused by user-only procedures (profile, companies, members, keys) with a typed error', async () => {
    const { key } = await newKey('admin');
    for (const call of [
      () => keyClient(key).auth.me.query(),
      () => keyClient(key).company.list.query(),
      () => keyClient(key).member.list.query({ companyId }),
      () => keyClient(key).apiKey.create.mutate({ companyId, name: 'escalate', role: 'admin' }),
    ]) {
      const e = await failure(call());
      expect(e.data?.code).toBe('FORBIDDEN');
      expect(detailsOf(e)?.reason).toBe('API_KEY_NOT_ALLOWED');
    }
  });

  it('revoked: refused at once; expired: refused; both with one answer', async () => {
    const { key, apiKey } = await newKey('editor');
    expect((await rest(key, `/videos?projectId=${projectId}`)).status).toBe(200);
    await admin.client.apiKey.revoke.mutate({ companyId, id: apiKey.id });
    const revoked = await rest(key, `/videos?projectId=${projectId}`);
    expect(revoked.status).toBe(401);
    const revokedBody = (await revoked.json()) as { code: string; details?: { reason?: string } };
    expect(revokedBody.details?.reason).toBe('API_KEY_INVALID');
    expect((await failure(keyClient(key).project.byId.query({ id: projectId }))).data?.code).toBe('UNAUTHORIZED');

    const soonExpires = new Date(Date.now() + 1500);
    const soon = await newKey('editor', soonExpires);
    expect((await rest(soon.key, `/videos?projectId=${projectId}`)).status).toBe(200);
    await waitFor('the key to expire', () => Date.now() > soonExpires.getTime() + 50);
    const expired = await rest(soon.key, `/videos?projectId=${projectId}`);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { details?: { reason?: string } }).details?.reason).toBe('API_KEY_INVALID');
    // A made-up key of the right shape, and a malformed one: the same answer.
    expect((await rest(`arv_live_${'A'.repeat(43)}`, `/videos?projectId=${projectId}`)).status).toBe(401);
    expect((await rest('arv_live_short', `/videos?projectId=${projectId}`)).status).toBe(401);
  });

  it('record their last use (at most once a minute) and are rate limited per key', async () => {
    const { key, apiKey } = await newKey('viewer');
    const lastUsed = async () =>
      (await platform.deps.orm.fork().findOneOrFail(ApiKey, { id: apiKey.id })).lastUsedAt?.getTime() ?? null;
    expect(await lastUsed()).toBeNull();
    await rest(key, `/videos?projectId=${projectId}`);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await rest(key, `/videos?projectId=${projectId}`);
    expect(await lastUsed()).toBe(first);
    // The limit is 40 a minute in this file; this key has made 2 calls.
    const answers = await Promise.all(Array.from({ length: 40 }, () => rest(key, `/videos?projectId=${projectId}`)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBe(2);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another key of the same company is not affected.
    const fresh = await newKey('viewer');
    expect((await rest(fresh.key, `/videos?projectId=${projectId}`)).status).toBe(200);
  });

  it('audit every change: creation and revocation by the admin, content changes by the key', async () => {
    const { key, apiKey } = await newKey('editor');
    const created = await rest(key, '/ar-content', {
      method: 'POST',
      body: JSON.stringify({ projectId, title: 'Via key' }),
    });
    const item = (await created.json()) as { id: string };
    await admin.client.apiKey.revoke.mutate({ companyId, id: apiKey.id });
    const rows = await platform.deps.orm
      .fork()
      .find(AuditLog, { targetId: { $in: [apiKey.id, item.id] } }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.action, r.actorId, r.actorApiKeyId])).toEqual([
      ['api-key.create', admin.userId, null],
      ['ar-content.create', null, apiKey.id],
      ['api-key.revoke', admin.userId, null],
    ]);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('cannot be made with the owner role, in the past, or by an editor', async () => {
    const editorKey = await newKey('editor');
    const owner = await failure(admin.client.apiKey.create.mutate({ companyId, name: 'x', role: 'owner' as 'admin' }));
    expect(owner.data?.code).toBe('BAD_REQUEST');
    expect(owner.data?.fieldErrors?.role).toHaveLength(1);
    const past = await failure(newKey('viewer', new Date(Date.now() - 60_000)));
    expect(past.data?.code).toBe('BAD_REQUEST');
    const e = await failure(keyClient(editorKey.key).apiKey.list.query({ companyId }));
    expect(e.data?.code).toBe('FORBIDDEN');
  });
});
