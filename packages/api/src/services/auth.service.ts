import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Company } from '@arvlite/db';
import { DEFAULT_LANGUAGE, type Language } from '@arvlite/contract';
import {
  EmailVerificationToken,
  Invitation,
  Membership,
  PasswordResetRequest,
  RefreshToken,
  User,
  type EntityManager,
} from '@arvlite/db';
import { EMAIL_VERIFICATION_TTL_MS, emailVerificationToken, emailVerificationTokenHash } from '@arvlite/domain';
import { canInvite } from './member.service.ts';
import { emit } from '@arvlite/jobs';
import type { Context } from '../context.ts';
import { actorOf as actor, audit } from '../audit.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/password.ts';
import { AUTH_LIMITS, checkRateLimit, clearRateLimit, clientIpBucket, hitRateLimit } from '../auth/rate-limit.ts';
import { newOpaqueToken, sha256, signAccessToken } from '../auth/tokens.ts';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  UnauthorizedError,
  ValidationError,
} from '../errors.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'requestId' | 'ip' | 'userAgent' | 'log'>;

export function publicUser(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    emailVerified: u.emailVerifiedAt !== null,
    createdAt: u.createdAt,
  };
}

/**
 * Issues an access token and a refresh token, in a new session (family) or, on rotation, in `family`. A session
 * ends AUTH_SESSION_MAX_DAYS after its sign-in whatever the rotations: no refresh token outlives that.
 */
export async function issueSession(
  ctx: Ctx,
  em: EntityManager,
  user: User,
  family: { id: string; startedAt: Date } = { id: crypto.randomUUID(), startedAt: new Date() },
) {
  const refreshToken = newOpaqueToken();
  const now = Date.now();
  const sessionEnd = family.startedAt.getTime() + ctx.config.auth.sessionMaxDays * 86_400_000;
  em.create(RefreshToken, {
    user,
    familyId: family.id as ReturnType<typeof crypto.randomUUID>,
    tokenHash: sha256(refreshToken),
    sessionStartedAt: family.startedAt,
    expiresAt: new Date(Math.min(now + ctx.config.auth.refreshTokenTtlDays * 86_400_000, sessionEnd)),
    ip: ctx.ip?.slice(0, 64) ?? null,
    userAgent: ctx.userAgent?.slice(0, 512) ?? null,
  });
  const access = await signAccessToken(ctx.config.auth, user.id, family.id);
  return { user: publicUser(user), accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken };
}

/**
 * Creates an account, and answers `{ ok: true }` whether or not the email already has one, so the answer does not
 * tell who has an account: a taken email changes nothing (the coming mail tells its owner). The client signs in next
 * (auth.login), which works for the account it just made. A new account starts unverified, with a verification
 * request through the outbox.
 */
export async function register(
  ctx: Ctx,
  input: { email: string; password: string; name: string; language?: Language | undefined },
) {
  await hitRateLimit(ctx.em, { key: `register:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.registerPerIp });
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw new ValidationError(problem, { field: 'password' });
  // Both paths hash: the answer comes in similar time either way.
  const passwordHash = await hashPassword(input.password);
  try {
    await ctx.em.transactional(async (tem) => {
      if (await tem.count(User, { email: input.email })) return;
      const user = tem.create(User, {
        email: input.email,
        name: input.name,
        passwordHash,
        language: input.language ?? DEFAULT_LANGUAGE,
      });
      audit(tem, actor(ctx, user.id), { action: 'user.register', targetType: 'user', targetId: user.id });
      await requestVerification(ctx, tem, user);
    });
  } catch (e) {
    // The same email registered at the same moment: the other call made the account.
    if (!(e instanceof UniqueConstraintViolationException)) throw e;
  }
  return { ok: true as const };
}

/**
 * Issues a verification token for the user's current email (or, with `newEmail`, for an email change): a row whose id
 * derives the token (HMAC with the servers' key), of which only the SHA-256 is kept, and a
 * user.verification-requested event carrying the ids. An older unused token of the same kind stops working.
 */
export async function requestVerification(
  ctx: Ctx,
  tem: EntityManager,
  user: Pick<User, 'id' | 'email'>,
  newEmail?: string,
) {
  const changeEmail = newEmail !== undefined;
  await tem.nativeDelete(EmailVerificationToken, {
    $or: [{ user: user.id, usedAt: null, changeEmail }, { expiresAt: { $lt: new Date() } }],
  });
  const id = crypto.randomUUID();
  tem.create(EmailVerificationToken, {
    id,
    user: tem.getReference(User, user.id),
    email: newEmail ?? user.email,
    changeEmail,
    tokenHash: emailVerificationTokenHash(emailVerificationToken(ctx.config.auth.emailVerificationKey, id)),
    expiresAt: new Date(Date.now() + EMAIL_VERIFICATION_TTL_MS),
  });
  await tem.flush(); // the user row must exist before the event names it
  await emit(tem, { type: 'user.verification-requested', userId: user.id, tokenId: id });
}

/** Sends (once mail lands) a new verification link to the caller's address. */
export async function requestEmailVerification(ctx: Ctx, user: User) {
  if (user.emailVerifiedAt) return { ok: true as const, alreadyVerified: true };
  await hitRateLimit(ctx.em, { key: `verify:account:${user.id}`, ...AUTH_LIMITS.requestVerificationPerAccount });
  await ctx.em.transactional(async (tem) => {
    await requestVerification(ctx, tem, user);
  });
  return { ok: true as const, alreadyVerified: false };
}

const INVALID_VERIFICATION = 'This verification link is invalid or has expired; ask for a new one';

/** Redeems a verification token (single use), marking the address it was issued for verified. */
export async function verifyEmail(ctx: Ctx, input: { token: string }) {
  await hitRateLimit(ctx.em, { key: `verify:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.verifyEmailPerIp });
  const ok = await ctx.em.transactional(async (tem) => {
    const row = await tem.findOne(
      EmailVerificationToken,
      { tokenHash: emailVerificationTokenHash(input.token) },
      { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!row || row.usedAt || row.expiresAt < new Date()) return false;
    if (row.changeEmail) return changeEmailTo(ctx, tem, row);
    if (row.user.email !== row.email) return false;
    row.usedAt = new Date();
    if (!row.user.emailVerifiedAt) {
      row.user.emailVerifiedAt = new Date();
      audit(tem, actor(ctx, row.user.id), {
        action: 'user.verify-email',
        targetType: 'user',
        targetId: row.user.id,
      });
    }
    return true;
  });
  if (!ok) throw new ValidationError(INVALID_VERIFICATION, { reason: 'EMAIL_VERIFICATION_INVALID' });
  return { ok: true as const };
}

/**
 * Redeems an email change: the account moves to the proven address, verified. Every other pending verification or
 * change of the account stops working, and so does a pending password reset (it was mailed to the old address).
 */
async function changeEmailTo(ctx: Ctx, tem: EntityManager, row: EmailVerificationToken): Promise<boolean> {
  // Taken since the request (the request itself never says whether an address has an account).
  if (await tem.count(User, { email: row.email, id: { $ne: row.user.id } })) return false;
  const from = row.user.email;
  row.usedAt = new Date();
  row.user.email = row.email;
  row.user.emailVerifiedAt = new Date();
  await tem.nativeDelete(EmailVerificationToken, { user: row.user.id, usedAt: null, id: { $ne: row.id } });
  await tem.nativeUpdate(PasswordResetRequest, { user: row.user.id, usedAt: null }, { usedAt: new Date() });
  audit(tem, actor(ctx, row.user.id), {
    action: 'user.change-email',
    targetType: 'user',
    targetId: row.user.id,
    changes: { email: { from, to: row.email } },
  });
  return true;
}

const INVALID_LOGIN = 'Email or password is incorrect';

export async function login(ctx: Ctx, input: { email: string; password: string }) {
  await hitRateLimit(ctx.em, { key: `login:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.loginPerIp });
  // Failures, not attempts, per account and address: a stranger's failures elsewhere never lock the owner out.
  const failures = {
    key: `login:failures:${clientIpBucket(ctx.ip)}:${sha256(input.email).slice(0, 32)}`,
    ...AUTH_LIMITS.loginFailuresPerAccountAndIp,
  };
  await checkRateLimit(ctx.em, failures);
  const user = await ctx.em.findOne(User, { email: input.email }, { populate: ['passwordHash'] });
  // Unknown emails verify against a dummy hash: same answer, similar time.
  const ok = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !ok || user.disabledAt) {
    await hitRateLimit(ctx.em, failures);
    throw new UnauthorizedError(INVALID_LOGIN);
  }
  await clearRateLimit(ctx.em, failures.key);
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
    return {
      session: await issueSession(ctx, tem, token.user, { id: token.familyId, startedAt: token.sessionStartedAt }),
    };
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

export async function me(ctx: Ctx & Pick<Context, 'storage'>, user: User) {
  const memberships = await ctx.em.getRepository(Membership).listForUser(user.id);
  return {
    user: publicUser(user),
    /** The installation's operator (granted by the CLI only): the dashboard shows the admin pages. */
    isPlatformAdmin: user.isPlatformAdmin,
    /** How this installation's store takes uploads (STORAGE_PROVIDER): the dashboard builds its uploader for it. */
    uploadKind: ctx.storage.uploadKind,
    memberships: memberships.map((m) => ({
      companyId: m.company.id,
      companyName: m.company.name,
      role: m.role,
      /** Set while the platform operator suspends the company: reads work, changes answer COMPANY_SUSPENDED. */
      suspension: m.company.suspendedAt ? { at: m.company.suspendedAt, reason: m.company.suspendedReason ?? '' } : null,
    })),
  };
}

export async function acceptInvite(ctx: Ctx, user: User, input: { token: string }) {
  await hitRateLimit(ctx.em, { key: `invite:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.acceptInvitePerIp });
  await hitRateLimit(ctx.em, { key: `invite:account:${user.id}`, ...AUTH_LIMITS.acceptInvitePerAccount });
  // Invitations are addressed by email: only someone who proved that address may take one.
  if (!user.emailVerifiedAt) {
    throw new PreconditionFailedError('Verify your email address before accepting an invitation', 'EMAIL_NOT_VERIFIED');
  }
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
    // The inviter's live role must still allow this invitation (removed or demoted: it died with their role).
    const inviter = invitation.invitedBy
      ? await tem.findOne(
          Membership,
          { company: invitation.company, user: invitation.invitedBy },
          { lockMode: LockMode.PESSIMISTIC_READ },
        )
      : null;
    if (!inviter || !canInvite(inviter.role, invitation.role)) throw new NotFoundError('Invitation');
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
