// Rules that had no test (issue 25, "Rules with no test today"), at the service level: createCaller on this file's
// cloned database, a fresh context per call. Every refusal names its code and is checked to change nothing.
import { createCaller, createContextInner } from '@arvlite/api';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintDiff, installationFingerprint } from '../src/db-fingerprint.ts';
import { markEmailVerified, signUp, tinyPng, type CallerUser } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;

beforeAll(async () => {
  deps = await createTestDeps();
});

/** A caller with a context of its own (a fresh ORM fork), as each HTTP request gets. */
function as(user: Pick<CallerUser, 'ip' | 'accessToken'>) {
  return createCaller(
    createContextInner(deps, { requestId: 'rules-test', ip: user.ip, accessToken: user.accessToken }),
  );
}
const anonymous = (ip = '10.66.0.1') =>
  createCaller(createContextInner(deps, { requestId: 'rules-test', ip, accessToken: undefined }));

/** The tRPC code a call was refused with ('OK' when it succeeded). */
function codeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (e: unknown) => (e instanceof TRPCError ? e.code : `threw ${String(e)}`),
  );
}

/** Runs a call that must be refused with `code` and change nothing (rate-limit counters aside). */
async function refusedUnchanged(call: () => Promise<unknown>, code: string) {
  const opts = { ignoreTables: ['rate_limit'] };
  const before = await installationFingerprint(deps, opts);
  expect(await codeOf(call())).toBe(code);
  expect(fingerprintDiff(before, await installationFingerprint(deps, opts))).toEqual([]);
}

/** A company with an owner and members of the given roles, each verified and joined through an invitation. */
async function companyWith<R extends 'owner' | 'admin' | 'editor' | 'viewer'>(roles: R[]) {
  const owner = await signUp(deps, { name: 'Rules owner' });
  const company = await as(owner).company.create({ name: 'Rules company' });
  const people = {} as Record<R, CallerUser & { membershipId: string }>;
  for (const role of roles) {
    const u = await signUp(deps, { name: `Rules ${role}` });
    await markEmailVerified(deps, u.userId);
    const inv = await as(owner).member.invite({ companyId: company.id, email: u.email, role });
    await as(u).auth.acceptInvite({ token: inv.token });
    const list = await as(owner).member.list({ companyId: company.id });
    people[role] = { ...u, membershipId: list.members.find((m) => m.userId === u.userId)!.membershipId };
  }
  const list = await as(owner).member.list({ companyId: company.id });
  const ownerMembershipId = list.members.find((m) => m.userId === owner.userId)!.membershipId;
  return { owner, ownerMembershipId, companyId: company.id, people };
}

describe('member changes are judged by the target’s role', () => {
  it('an admin can neither demote nor remove an owner, even with another owner in place', async () => {
    const { ownerMembershipId, companyId, people } = await companyWith(['owner', 'admin']);
    const admin = people.admin;
    // Two owners: the last-owner rule is not what stops the admin.
    for (const target of [ownerMembershipId, people.owner.membershipId]) {
      for (const role of ['admin', 'editor', 'viewer'] as const) {
        await refusedUnchanged(
          () => as(admin).member.updateRole({ companyId, membershipId: target, role }),
          'FORBIDDEN',
        );
      }
      await refusedUnchanged(() => as(admin).member.remove({ companyId, membershipId: target }), 'FORBIDDEN');
    }
    // Nor raise anyone (themselves included) to owner.
    await refusedUnchanged(
      () => as(admin).member.updateRole({ companyId, membershipId: admin.membershipId, role: 'owner' }),
      'FORBIDDEN',
    );
    const roles = (await as(people.owner).member.list({ companyId })).members.map((m) => m.role).sort();
    expect(roles).toEqual(['admin', 'owner', 'owner']);
  });

  it('an admin may change and remove members at or below their own role; an owner may demote another owner', async () => {
    const { owner, companyId, people } = await companyWith(['owner', 'admin', 'editor', 'viewer']);
    const admin = as(people.admin);
    expect(
      await admin.member.updateRole({ companyId, membershipId: people.editor.membershipId, role: 'viewer' }),
    ).toEqual({ membershipId: people.editor.membershipId, role: 'viewer' });
    expect(await admin.member.remove({ companyId, membershipId: people.viewer.membershipId })).toEqual({ ok: true });
    expect(
      await as(owner).member.updateRole({ companyId, membershipId: people.owner.membershipId, role: 'admin' }),
    ).toEqual({ membershipId: people.owner.membershipId, role: 'admin' });
    const after = (await as(owner).member.list({ companyId })).members;
    expect(after.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [owner.userId, 'owner'],
        [people.owner.userId, 'admin'],
        [people.admin.userId, 'admin'],
        [people.editor.userId, 'viewer'],
      ].sort(),
    );
  });
});

describe('invitations', () => {
  it('revokeInvite: the invitation is gone from the list, its token no longer joins, a second revoke is NOT_FOUND', async () => {
    const { owner, companyId, people } = await companyWith(['admin', 'editor']);
    const invitee = await signUp(deps, { name: 'Invitee' });
    await markEmailVerified(deps, invitee.userId);
    const inv = await as(owner).member.invite({ companyId, email: invitee.email, role: 'editor' });
    // Editors may not revoke; another company's admin does not find it.
    await refusedUnchanged(
      () => as(people.editor).member.revokeInvite({ companyId, invitationId: inv.invitationId }),
      'FORBIDDEN',
    );
    const stranger = await signUp(deps);
    const strangerCompany = await as(stranger).company.create({ name: 'Elsewhere' });
    await refusedUnchanged(
      () => as(stranger).member.revokeInvite({ companyId: strangerCompany.id, invitationId: inv.invitationId }),
      'NOT_FOUND',
    );

    expect(await as(people.admin).member.revokeInvite({ companyId, invitationId: inv.invitationId })).toEqual({
      ok: true,
    });
    const listed = await as(owner).member.list({ companyId });
    expect(listed.invitations.map((i) => i.invitationId)).not.toContain(inv.invitationId);
    const [row] = await deps.orm
      .fork()
      .execute<{ revoked: boolean }[]>('select revoked_at is not null as revoked from invitation where id = ?', [
        inv.invitationId,
      ]);
    expect(row).toEqual({ revoked: true });
    const audit = await as(owner).audit.list({ companyId, action: 'member.revoke-invite', limit: 10 });
    expect(audit.items.map((e) => [e.targetType, e.targetId])).toEqual([['invitation', inv.invitationId]]);

    // Accepting the revoked invitation is refused, and nobody joins.
    await refusedUnchanged(() => as(invitee).auth.acceptInvite({ token: inv.token }), 'NOT_FOUND');
    expect((await as(owner).member.list({ companyId })).members.map((m) => m.userId)).not.toContain(invitee.userId);
    await refusedUnchanged(
      () => as(owner).member.revokeInvite({ companyId, invitationId: inv.invitationId }),
      'NOT_FOUND',
    );
  });

  it('an admin cannot revoke an invitation to a role above their own (an owner’s invitation); an owner can', async () => {
    const { owner, companyId, people } = await companyWith(['admin']);
    const toOwner = await as(owner).member.invite({ companyId, email: 'next-owner@example.com', role: 'owner' });
    const toEditor = await as(owner).member.invite({ companyId, email: 'next-editor@example.com', role: 'editor' });
    await refusedUnchanged(
      () => as(people.admin).member.revokeInvite({ companyId, invitationId: toOwner.invitationId }),
      'FORBIDDEN',
    );
    expect(await as(people.admin).member.revokeInvite({ companyId, invitationId: toEditor.invitationId })).toEqual({
      ok: true,
    });
    expect(await as(owner).member.revokeInvite({ companyId, invitationId: toOwner.invitationId })).toEqual({
      ok: true,
    });
    expect((await as(owner).member.list({ companyId })).invitations).toEqual([]);
  });

  it('a new invitation for the same email replaces the pending one: only the new token joins, with the new role', async () => {
    const { owner, companyId } = await companyWith([]);
    const invitee = await signUp(deps, { name: 'Twice invited' });
    await markEmailVerified(deps, invitee.userId);
    const first = await as(owner).member.invite({ companyId, email: invitee.email, role: 'admin' });
    const second = await as(owner).member.invite({ companyId, email: invitee.email.toUpperCase(), role: 'viewer' });
    expect(second.invitationId).not.toBe(first.invitationId);
    const pending = (await as(owner).member.list({ companyId })).invitations;
    expect(pending.map((i) => [i.invitationId, i.role])).toEqual([[second.invitationId, 'viewer']]);

    await refusedUnchanged(() => as(invitee).auth.acceptInvite({ token: first.token }), 'NOT_FOUND');
    expect(await as(invitee).auth.acceptInvite({ token: second.token })).toMatchObject({ companyId, role: 'viewer' });
    const members = (await as(owner).member.list({ companyId })).members;
    expect(members.find((m) => m.userId === invitee.userId)?.role).toBe('viewer');
    // The replaced token stays dead after the new one was used.
    expect(await codeOf(as(invitee).auth.acceptInvite({ token: first.token }))).toBe('NOT_FOUND');
  });
});

describe('archived objects are refused by the server', () => {
  it('an ARCHIVED AR item takes no change: fields, marker, playlist, rules', async () => {
    const { owner, companyId } = await companyWith([]);
    const o = () => as(owner);
    const project = await o().project.create({ companyId, name: 'Archive rules' });
    const video = await o().video.createUpload({
      projectId: project.id,
      fileName: 'a.mp4',
      contentType: 'video/mp4',
      size: 1000,
    });
    const item = await o().arContent.create({ projectId: project.id, title: 'To archive' });
    await o().playlist.set({ id: item.id, videoIds: [video.videoId], defaultVideoId: video.videoId });
    const rule = await o().playlist.addRule({
      id: item.id,
      kind: 'date',
      date: '2026-05-01',
      yearly: true,
      videoId: video.videoId,
    });
    // A marker upload opened before the archive.
    const png = tinyPng();
    const upload = await o().arContent.createMarkerUpload({ id: item.id, contentType: 'image/png', size: png.length });
    expect((await fetch(upload.url, { method: 'PUT', body: png, headers: upload.headers })).status).toBe(200);
    await o().arContent.archive({ id: item.id });
    expect((await o().arContent.byId({ id: item.id })).status).toBe('ARCHIVED');

    const id = item.id;
    await refusedUnchanged(() => o().arContent.update({ id, title: 'Changed' }), 'CONFLICT');
    await refusedUnchanged(() => o().arContent.update({ id, customer: { name: 'Someone' } }), 'CONFLICT');
    await refusedUnchanged(
      () => o().arContent.createMarkerUpload({ id, contentType: 'image/png', size: png.length }),
      'CONFLICT',
    );
    await refusedUnchanged(() => o().arContent.completeMarkerUpload({ id }), 'CONFLICT');
    await refusedUnchanged(() => o().playlist.set({ id, videoIds: [] }), 'CONFLICT');
    await refusedUnchanged(
      () => o().playlist.addRule({ id, kind: 'date', date: '2026-06-01', yearly: false, videoId: video.videoId }),
      'CONFLICT',
    );
    await refusedUnchanged(() => o().playlist.removeRule({ id, ruleId: rule.ruleId }), 'CONFLICT');
    await refusedUnchanged(() => o().arContent.createUploadLink({ id }), 'CONFLICT');
    expect((await o().arContent.byId({ id })).title).toBe('To archive');
  });

  it('an archived project takes no new upload and no new AR item', async () => {
    const { owner, companyId } = await companyWith([]);
    const o = () => as(owner);
    const project = await o().project.create({ companyId, name: 'Archived project' });
    await o().project.archive({ id: project.id });
    await refusedUnchanged(
      () =>
        o().video.createUpload({ projectId: project.id, fileName: 'late.mp4', contentType: 'video/mp4', size: 1000 }),
      'CONFLICT',
    );
    // A multipart-sized upload too (it would open a multipart upload in storage).
    await refusedUnchanged(
      () =>
        o().video.createUpload({
          projectId: project.id,
          fileName: 'big.mp4',
          contentType: 'video/mp4',
          size: 200 * 1024 * 1024,
        }),
      'CONFLICT',
    );
    await refusedUnchanged(() => o().arContent.create({ projectId: project.id, title: 'Late item' }), 'CONFLICT');
    await refusedUnchanged(
      () => o().arContent.importCsv({ projectId: project.id, csv: 'title\nLate', dryRun: false }),
      'CONFLICT',
    );
    await refusedUnchanged(() => o().project.update({ id: project.id, name: 'Renamed' }), 'CONFLICT');
  });

  it('an upload started before its project was archived can be neither continued nor completed', async () => {
    const { owner, companyId } = await companyWith([]);
    const o = () => as(owner);
    const project = await o().project.create({ companyId, name: 'Archived mid-upload' });
    const bytes = new Uint8Array(1000).fill(9);
    const single = await o().video.createUpload({
      projectId: project.id,
      fileName: 'mid.mp4',
      contentType: 'video/mp4',
      size: bytes.length,
    });
    if (single.kind !== 'single') throw new Error('expected a single-part upload');
    const multi = await o().video.createUpload({
      projectId: project.id,
      fileName: 'mid-big.mp4',
      contentType: 'video/mp4',
      size: 200 * 1024 * 1024,
    });
    if (multi.kind !== 'multipart') throw new Error('expected a multipart upload');
    // The bytes are in storage before the archive: only completing is left.
    expect((await fetch(single.url, { method: 'PUT', body: bytes, headers: single.headers })).status).toBe(200);
    await o().project.archive({ id: project.id });

    await refusedUnchanged(() => o().video.signUpload({ videoId: single.videoId }), 'CONFLICT');
    await refusedUnchanged(() => o().video.signUploadParts({ videoId: multi.videoId, partNumbers: [1] }), 'CONFLICT');
    await refusedUnchanged(() => o().video.completeUpload({ videoId: single.videoId }), 'CONFLICT');
    expect((await o().video.byId({ id: single.videoId })).status).toBe('AWAITING_UPLOAD');
    // Cancelling is still allowed: it releases the quota the upload reserved.
    expect((await o().video.abortUpload({ videoId: multi.videoId })).status).toBe('FAILED');
  });
});

describe('refresh', () => {
  it('an expired refresh token is refused with UNAUTHORIZED and issues nothing', async () => {
    const u = await signUp(deps);
    await deps.orm
      .fork()
      .execute(`update refresh_token set expires_at = now() - interval '1 second' where user_id = ?`, [u.userId]);
    await refusedUnchanged(() => anonymous(u.ip).auth.refresh({ refreshToken: u.refreshToken }), 'UNAUTHORIZED');
  });

  it('a disabled user’s refresh is refused with UNAUTHORIZED, their sessions still unrevoked', async () => {
    const u = await signUp(deps);
    // Disabled behind the service's back (no session revoked): refresh itself must look at the account.
    await deps.orm.fork().execute('update app_user set disabled_at = now() where id = ?', [u.userId]);
    const [live] = await deps.orm
      .fork()
      .execute<{ n: number }[]>(
        'select count(*)::int as n from refresh_token where user_id = ? and revoked_at is null',
        [u.userId],
      );
    expect(live).toEqual({ n: 1 });
    await refusedUnchanged(() => anonymous(u.ip).auth.refresh({ refreshToken: u.refreshToken }), 'UNAUTHORIZED');
    // Enabled again, the same token works: it was the account that was refused, not the token.
    await deps.orm.fork().execute('update app_user set disabled_at = null where id = ?', [u.userId]);
    const again = await anonymous(u.ip).auth.refresh({ refreshToken: u.refreshToken });
    expect(again.user.id).toBe(u.userId);
  });
});
