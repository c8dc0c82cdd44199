import { ROLES, roleAtLeast, type Role } from '@arvlite/contract';
import { Invitation, Membership, User, Video, type EntityManager } from '@arvlite/db';
import { invitationToken } from '@arvlite/domain';
import { abandonUpload, emit, queueMail } from '@arvlite/jobs';
import { LockMode } from '@mikro-orm/core';
import type { Access } from '../access.ts';
import { actorOf as actor, audit } from '../audit.ts';
import { AUTH_LIMITS, hitRateLimit } from '../auth/rate-limit.ts';
import { sha256 } from '../auth/tokens.ts';
import type { Context } from '../context.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'storage' | 'log' | 'requestId' | 'ip' | 'userAgent'> & {
  access: Access;
  caller: { userId: string };
};

/** Whether a member of `inviterRole` may (still) invite someone as `role`: admins and owners, up to their own role. */
export function canInvite(inviterRole: Role, role: Role): boolean {
  return roleAtLeast(inviterRole, 'admin') && roleAtLeast(inviterRole, role);
}

/** Revokes the member's pending invitations their role (now `role`, or none when removed) no longer allows. */
async function revokeInvitationsBeyond(tem: EntityManager, companyId: string, userId: string, role: Role | null) {
  const beyond = ROLES.filter((r) => role === null || !canInvite(role, r));
  if (beyond.length === 0) return 0;
  return tem.nativeUpdate(
    Invitation,
    { company: companyId, invitedBy: userId, role: { $in: beyond }, acceptedAt: null, revokedAt: null },
    { revokedAt: new Date() },
  );
}

/** Nobody hands out or changes a role above their own. */
function assertCanGrant(mine: Role, target: Role) {
  if (!roleAtLeast(mine, target)) throw new ForbiddenError(`Only an ${target} or higher can grant the ${target} role`);
}

export async function invite(ctx: Ctx, input: { companyId: string; email: string; role: Role }) {
  return ctx.em.transactional(async (tem) => {
    const { company, role } = await ctx.access.company(input.companyId);
    assertCanGrant(role, input.role);
    const already = await tem.count(Membership, { company, user: { email: input.email } });
    if (already) throw new ConflictError('This person is already a member');
    // A new invitation replaces any pending one for the same email.
    await tem.nativeUpdate(
      Invitation,
      { company, email: input.email, acceptedAt: null, revokedAt: null },
      { revokedAt: new Date() },
    );
    // Derived from the invitation's id with a server key: the invitation mail derives the same link at send time, so
    // no event, job or log row ever holds the token.
    const invitationId = crypto.randomUUID();
    const token = invitationToken(ctx.config.auth.invitationKey, invitationId);
    const invitation = tem.create(Invitation, {
      id: invitationId,
      company,
      email: input.email,
      role: input.role,
      tokenHash: sha256(token),
      invitedBy: tem.getReference(User, ctx.caller.userId),
      expiresAt: new Date(Date.now() + ctx.config.auth.inviteTtlHours * 3_600_000),
    });
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'member.invite',
      targetType: 'invitation',
      targetId: invitation.id,
      changes: { email: { from: null, to: input.email }, role: { from: null, to: input.role } },
    });
    await tem.flush(); // the ids the event carries are assigned on flush
    await emit(tem, {
      type: 'member.invited',
      companyId: company.id,
      invitationId: invitation.id,
      role: input.role,
      invitedByUserId: ctx.caller.userId,
    });
    // The token is returned once, for the inviter to send; only its hash is stored.
    return {
      invitationId: invitation.id,
      token,
      acceptUrl: `${ctx.config.http.publicUrl}/invite#${token}`,
      expiresAt: invitation.expiresAt,
    };
  });
}

export async function listMembers(ctx: Ctx, input: { companyId: string }) {
  const { company } = await ctx.access.company(input.companyId);
  const [members, invitations] = await Promise.all([
    ctx.em.find(Membership, { company }, { populate: ['user'], orderBy: { createdAt: 'asc' } }),
    ctx.em.find(
      Invitation,
      { company, acceptedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } },
      { orderBy: { createdAt: 'asc' } },
    ),
  ]);
  return {
    members: members.map((m) => ({
      membershipId: m.id,
      userId: m.user.id,
      email: m.user.email,
      name: m.user.name,
      role: m.role,
      joinedAt: m.createdAt,
    })),
    invitations: invitations.map((i) => ({ invitationId: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt })),
  };
}

/**
 * The caller's and the target's memberships, locked. The company's owner rows are locked first, always in the same
 * order, so member changes in one company run one after another and the last-owner count cannot go stale (two
 * concurrent demotions would otherwise each count the other's owner and leave none). The caller's role is read again
 * under the lock.
 */
async function loadMembership(ctx: Ctx, companyId: string, membershipId: string) {
  await ctx.access.company(companyId);
  await ctx.em.execute(`select id from membership where company_id = ? and role = 'owner' order by id for update`, [
    companyId,
  ]);
  const mine = await ctx.em.findOne(
    Membership,
    { company: companyId, user: ctx.caller.userId },
    { lockMode: LockMode.PESSIMISTIC_READ, refresh: true },
  );
  if (!mine) throw new NotFoundError('Company');
  if (!roleAtLeast(mine.role, 'admin')) throw new ForbiddenError('This needs the admin role or higher');
  const target = await ctx.em.findOne(
    Membership,
    { id: membershipId, company: companyId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!target) throw new NotFoundError('Member');
  return { mine, target };
}

export async function updateRole(ctx: Ctx, input: { companyId: string; membershipId: string; role: Role }) {
  return ctx.em.transactional(async (tem) => {
    const { mine, target } = await loadMembership({ ...ctx, em: tem }, input.companyId, input.membershipId);
    assertCanGrant(mine.role, input.role);
    assertCanGrant(mine.role, target.role);
    if (
      target.role === 'owner' &&
      input.role !== 'owner' &&
      (await tem.getRepository(Membership).countOwners(input.companyId)) <= 1
    ) {
      throw new ConflictError('The last owner cannot be demoted; make someone else owner first');
    }
    const from = target.role;
    target.role = input.role;
    if (!roleAtLeast(input.role, from)) await revokeInvitationsBeyond(tem, input.companyId, target.user.id, input.role);
    audit(tem, actor(ctx), {
      companyId: input.companyId,
      action: 'member.update-role',
      targetType: 'membership',
      targetId: target.id,
      changes: { role: { from, to: input.role } },
    });
    return { membershipId: target.id, role: target.role };
  });
}

/**
 * A removed member's uploads in progress in the company end with their membership: aborted in storage, their quota
 * reservation released, the video FAILED (UPLOAD_ABORTED). Each in its own transaction after the removal committed,
 * so a storage failure never undoes the removal; what is left is swept by upload:expire.
 */
async function abandonUploadsOf(ctx: Ctx, companyId: string, userId: string) {
  const open = await ctx.em
    .fork()
    .find(
      Video,
      { company: companyId, createdBy: userId, status: 'AWAITING_UPLOAD', deletedAt: null },
      { fields: ['id'] },
    );
  for (const { id } of open) {
    try {
      await ctx.em.fork().transactional(async (tem) => {
        const video = await tem.findOne(
          Video,
          { id, status: 'AWAITING_UPLOAD' },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        );
        if (!video) return;
        await abandonUpload(tem, ctx.storage, video, {
          code: 'UPLOAD_ABORTED',
          message: 'The upload was cancelled: its uploader was removed from the company',
        });
        audit(tem, actor(ctx), { companyId, action: 'video.abort-upload', targetType: 'video', targetId: id });
      });
    } catch (err) {
      ctx.log.warn({ err, videoId: id }, 'could not abort a removed member upload; upload:expire sweeps it');
    }
  }
}

export async function removeMember(ctx: Ctx, input: { companyId: string; membershipId: string }) {
  const removed = await ctx.em.transactional(async (tem) => {
    const { mine, target } = await loadMembership({ ...ctx, em: tem }, input.companyId, input.membershipId);
    assertCanGrant(mine.role, target.role);
    if (target.role === 'owner' && (await tem.getRepository(Membership).countOwners(input.companyId)) <= 1) {
      throw new ConflictError('The last owner cannot be removed; make someone else owner first');
    }
    tem.remove(target);
    await revokeInvitationsBeyond(tem, input.companyId, target.user.id, null);
    audit(tem, actor(ctx), {
      companyId: input.companyId,
      action: 'member.remove',
      targetType: 'membership',
      targetId: target.id,
      changes: { userId: { from: target.user.id, to: null }, role: { from: target.role, to: null } },
    });
    return target.user.id;
  });
  await abandonUploadsOf(ctx, input.companyId, removed);
  return { ok: true as const };
}

/**
 * Revokes a pending invitation. Like every member change it is judged by its target: the invitation's role must be one
 * the caller could grant (an admin does not revoke an owner's invitation).
 */
export async function revokeInvite(ctx: Ctx, input: { companyId: string; invitationId: string }) {
  return ctx.em.transactional(async (tem) => {
    const { company, role } = await ctx.access.company(input.companyId);
    const invitation = await tem.findOne(Invitation, {
      id: input.invitationId,
      company,
      acceptedAt: null,
      revokedAt: null,
    });
    if (!invitation) throw new NotFoundError('Invitation');
    if (!canInvite(role, invitation.role))
      throw new ForbiddenError(`Only an ${invitation.role} or higher can revoke this`);
    invitation.revokedAt = new Date();
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'member.revoke-invite',
      targetType: 'invitation',
      targetId: invitation.id,
    });
    return { ok: true as const };
  });
}

/**
 * Sends a pending invitation's mail again (the same link: its token derives from the invitation's id), at most a few
 * times an hour per invitation. The caller's live role must still allow the invitation's role.
 */
export async function resendInvite(ctx: Ctx, input: { companyId: string; invitationId: string }) {
  const { company, role } = await ctx.access.company(input.companyId);
  const invitation = await ctx.em.findOne(
    Invitation,
    { id: input.invitationId, company, acceptedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } },
    { populate: ['invitedBy'] },
  );
  if (!invitation) throw new NotFoundError('Invitation');
  if (!canInvite(role, invitation.role))
    throw new ForbiddenError(`Only an ${invitation.role} or higher can resend this`);
  await hitRateLimit(ctx.em, { key: `invite-resend:${invitation.id}`, ...AUTH_LIMITS.resendInvitePerInvitation });
  await ctx.em.transactional(async (tem) => {
    await queueMail(tem, {
      kind: 'invitation',
      to: invitation.email,
      language: company.language,
      companyId: company.id,
      params: {
        invitationId: invitation.id,
        companyName: company.name,
        inviterName: invitation.invitedBy?.name ?? null,
        role: invitation.role,
        expiresAt: invitation.expiresAt.toISOString(),
      },
    });
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'member.resend-invite',
      targetType: 'invitation',
      targetId: invitation.id,
    });
  });
  return { ok: true as const };
}
