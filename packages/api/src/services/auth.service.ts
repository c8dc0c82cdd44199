import { LockMode } from '@mikro-orm/core';
import type { Company } from '@arvlite/db';
import { Invitation, Membership, RefreshToken, User, type EntityManager } from '@arvlite/db';
import { emit } from '@arvlite/jobs';
import type { Context } from '../context.ts';
import { actorOf as actor, audit } from '../audit.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/password.ts';
import { AUTH_LIMITS, clientIpBucket, hitRateLimit } from '../auth/rate-limit.ts';
import { newOpaqueToken, sha256, signAccessToken } from '../auth/tokens.ts';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'requestId' | 'ip' | 'userAgent' | 'log'>;

export function publicUser(u: User) {
  return { id: u.id, email: u.email, name: u.name, emailVerified: u.emailVerified, createdAt: u.createdAt };
}

/** Issues an access token and a refresh token in `familyId` (a new family when omitted). */
export async function issueSession(ctx: Ctx, em: EntityManager, user: User, familyId: string = crypto.randomUUID()) {
  const refreshToken = newOpaqueToken();
  em.create(RefreshToken, {
    user,
    familyId: familyId as ReturnType<typeof crypto.randomUUID>,
    tokenHash: sha256(refreshToken),
    expiresAt: new Date(Date.now() + ctx.config.auth.refreshTokenTtlDays * 86_400_000),
    ip: ctx.ip?.slice(0, 64) ?? null,
    userAgent: ctx.userAgent?.slice(0, 512) ?? null,
  });
  const access = await signAccessToken(ctx.config.auth, user.id);
  return { user: publicUser(user), accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken };
}

export async function register(ctx: Ctx, input: { email: string; password: string; name: string }) {
  await hitRateLimit(ctx.em, { key: `register:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.registerPerIp });
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw new ValidationError(problem, { field: 'password' });
  const passwordHash = await hashPassword(input.password);
  return ctx.em.transactional(async (tem) => {
    if (await tem.count(User, { email: input.email })) {
      throw new ConflictError('An account with this email already exists; sign in instead');
    }
    const user = tem.create(User, { email: input.email, name: input.name, passwordHash });
    audit(tem, actor(ctx, user.id), { action: 'user.register', targetType: 'user', targetId: user.id });
    return issueSession(ctx, tem, user);
  });
}

const INVALID_LOGIN = 'Email or password is incorrect';

export async function login(ctx: Ctx, input: { email: string; password: string }) {
  await hitRateLimit(ctx.em, { key: `login:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.loginPerIp });
  await hitRateLimit(ctx.em, { key: `login:account:${input.email}`, ...AUTH_LIMITS.loginPerAccount });
  const user = await ctx.em.findOne(User, { email: input.email }, { populate: ['passwordHash'] });
  // Unknown emails verify against a dummy hash: same answer, similar time.
  const ok = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !ok || user.disabledAt) throw new UnauthorizedError(INVALID_LOGIN);
  return ctx.em.transactional(async (tem) => {
    audit(tem, actor(ctx, user.id), { action: 'user.login', targetType: 'user', targetId: user.id });
    return issueSession(ctx, tem, tem.merge(user));
  });
}

export async function refresh(ctx: Ctx, input: { refreshToken: string }) {
  await hitRateLimit(ctx.em, { key: `refresh:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.refreshPerIp });
  const result = await ctx.em.transactional(async (tem) => {
    const token = await tem.findOne(
      RefreshToken,
      { tokenHash: sha256(input.refreshToken) },
      { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!token || token.revokedAt || token.expiresAt < new Date() || token.user.disabledAt) {
      return { error: 'invalid' as const };
    }
    if (token.rotatedAt) {
      // A rotated token came back: it was stolen or replayed. Revoke the whole family.
      await tem.nativeUpdate(RefreshToken, { familyId: token.familyId, revokedAt: null }, { revokedAt: new Date() });
      audit(tem, actor(ctx, token.user.id), {
        action: 'session.reuse-detected',
        targetType: 'user',
        targetId: token.user.id,
        changes: { familyId: token.familyId },
      });
      return { error: 'reused' as const };
    }
    token.rotatedAt = new Date();
    return { session: await issueSession(ctx, tem, token.user, token.familyId) };
  });
  if ('error' in result) throw new UnauthorizedError('Your session has ended; sign in again');
  return result.session;
}

export async function logout(ctx: Ctx, input: { refreshToken: string }) {
  await ctx.em.transactional(async (tem) => {
    const token = await tem.findOne(RefreshToken, { tokenHash: sha256(input.refreshToken) });
    if (!token) return;
    await tem.nativeUpdate(RefreshToken, { familyId: token.familyId, revokedAt: null }, { revokedAt: new Date() });
    audit(tem, actor(ctx, token.user.id), { action: 'user.logout', targetType: 'user', targetId: token.user.id });
  });
  return { ok: true as const };
}

export async function logoutAll(ctx: Ctx, userId: string) {
  await ctx.em.transactional(async (tem) => {
    await tem.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
    audit(tem, actor(ctx, userId), { action: 'user.logout-all', targetType: 'user', targetId: userId });
  });
  return { ok: true as const };
}

export async function me(ctx: Ctx, user: User) {
  const memberships = await ctx.em.getRepository(Membership).listForUser(user.id);
  return {
    user: publicUser(user),
    memberships: memberships.map((m) => ({
      companyId: m.company.id,
      companyName: m.company.name,
      role: m.role,
    })),
  };
}

export async function acceptInvite(ctx: Ctx, user: User, input: { token: string }) {
  await hitRateLimit(ctx.em, { key: `invite:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.acceptInvitePerIp });
  await hitRateLimit(ctx.em, { key: `invite:account:${user.id}`, ...AUTH_LIMITS.acceptInvitePerAccount });
  return ctx.em.transactional(async (tem) => {
    const invitation = await tem.findOne(
      Invitation,
      { tokenHash: sha256(input.token) },
      { populate: ['company'], lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    // Used, revoked, expired or addressed to someone else: all look the same to the caller.
    if (
      !invitation ||
      invitation.acceptedAt ||
      invitation.revokedAt ||
      invitation.expiresAt < new Date() ||
      invitation.email !== user.email
    ) {
      throw new NotFoundError('Invitation');
    }
    invitation.acceptedAt = new Date();
    const existing = await tem.findOne(Membership, { company: invitation.company, user });
    if (existing) throw new ConflictError('You are already a member of this company');
    const membership = tem.create(Membership, { company: invitation.company, user, role: invitation.role });
    audit(tem, actor(ctx, user.id), {
      companyId: invitation.company.id,
      action: 'member.join',
      targetType: 'membership',
      targetId: membership.id,
      changes: { role: { from: null, to: invitation.role } },
    });
    await tem.flush(); // the ids the event carries are assigned on flush
    await emit(tem, {
      type: 'member.joined',
      companyId: invitation.company.id,
      invitationId: invitation.id,
      membershipId: membership.id,
      userId: user.id,
      role: invitation.role,
    });
    const company = invitation.company as Company;
    return { companyId: company.id, companyName: company.name, role: membership.role };
  });
}
