// A removed or demoted admin's pending invitations stop working (security review, finding 10): they are revoked on
// removal or demotion, and acceptance checks the inviter's live role.
import { Company, Invitation, Membership, User } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { markEmailVerified, signUp, type CallerUser } from '../../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps();
});

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
}

/** An owner, an admin of the same company, and a verified invitee the admin invited as editor. */
async function setup() {
  const owner = await signUp(deps);
  const admin = await signUp(deps);
  const invitee = await signUp(deps);
  await markEmailVerified(deps, invitee.userId);
  const company = await owner.caller.company.create({ name: 'Invitations' });
  const em = deps.orm.fork();
  const adminMembership = em.create(Membership, {
    company: em.getReference(Company, company.id),
    user: em.getReference(User, admin.userId),
    role: 'admin',
  });
  await em.flush();
  const inv = await admin.caller.member.invite({ companyId: company.id, email: invitee.email, role: 'editor' });
  return { owner, admin, invitee, company, adminMembershipId: adminMembership.id, inv };
}

async function accept(invitee: CallerUser, token: string) {
  return codeOf(invitee.caller.auth.acceptInvite({ token }));
}

describe("a removed or demoted admin's invitations", () => {
  it('are revoked when the admin is removed', async () => {
    const s = await setup();
    await s.owner.caller.member.remove({ companyId: s.company.id, membershipId: s.adminMembershipId });
    const row = await deps.orm.fork().findOneOrFail(Invitation, { id: s.inv.invitationId });
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect((await s.owner.caller.member.list({ companyId: s.company.id })).invitations).toEqual([]);
    expect(await accept(s.invitee, s.inv.token)).toBe('NOT_FOUND');
  });

  it('are revoked when the admin is demoted below the role they can grant', async () => {
    const s = await setup();
    await s.owner.caller.member.updateRole({
      companyId: s.company.id,
      membershipId: s.adminMembershipId,
      role: 'editor',
    });
    expect(await accept(s.invitee, s.inv.token)).toBe('NOT_FOUND');
  });

  it("acceptance checks the inviter's live role, however the membership went", async () => {
    const s = await setup();
    // Removed behind the service's back (e.g. by an operator in SQL): nothing revoked the invitation.
    await deps.orm.fork().nativeDelete(Membership, { id: s.adminMembershipId });
    expect(await accept(s.invitee, s.inv.token)).toBe('NOT_FOUND');

    const t = await setup();
    await deps.orm.fork().nativeUpdate(Membership, { id: t.adminMembershipId }, { role: 'viewer' });
    expect(await accept(t.invitee, t.inv.token)).toBe('NOT_FOUND');
  });

  it('an admin still in place keeps their invitations working', async () => {
    const s = await setup();
    expect(await s.invitee.caller.auth.acceptInvite({ token: s.inv.token })).toMatchObject({ role: 'editor' });
  });
});
