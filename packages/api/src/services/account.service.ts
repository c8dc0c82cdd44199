// The signed-in person's own account: password reset, password and email changes, the language of their mails, and
// their sessions (one per sign-in: a refresh token family).
import { LockMode } from '@mikro-orm/core';
import type { Language } from '@arvlite/contract';
import { PasswordResetRequest, RefreshToken, User } from '@arvlite/db';
import { passwordResetToken } from '@arvlite/domain';
import { queueMail } from '@arvlite/jobs';
import type { Context } from '../context.ts';
import { actorOf as actor, audit } from '../audit.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/password.ts';
import { AUTH_LIMITS, checkRateLimit, clearRateLimit, clientIpBucket, hitRateLimit } from '../auth/rate-limit.ts';
import { accessTokenSessionId, sha256 } from '../auth/tokens.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { requestVerification } from './auth.service.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'requestId' | 'ip' | 'userAgent' | 'log' | 'accessToken'>;

type Uuid = ReturnType<typeof crypto.randomUUID>;

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_MINUTES = 30;

/**
 * Mails a reset link when the address has an account, and answers `{ ok: true }` either way. The link's token is
 * derived from the new row's id (HMAC with the servers' key); the row keeps its SHA-256. An older unused link of the
 * account stops working.
 */
export async function requestPasswordReset(ctx: Ctx, input: { email: string }) {
  await hitRateLimit(ctx.em, {
    key: `reset:ip:${clientIpBucket(ctx.ip)}`,
    ...AUTH_LIMITS.requestPasswordResetPerIp,
  });
  await hitRateLimit(ctx.em, {
    key: `reset:email:${sha256(input.email).slice(0, 32)}`,
    ...AUTH_LIMITS.requestPasswordResetPerEmail,
  });
  await ctx.em.transactional(async (tem) => {
    const user = await tem.findOne(User, { email: input.email });
    if (!user || user.disabledAt) return;
    await tem.nativeUpdate(PasswordResetRequest, { user, usedAt: null }, { usedAt: new Date() });
    const id = crypto.randomUUID();
    tem.create(PasswordResetRequest, {
      id,
      user,
      tokenHash: sha256(passwordResetToken(ctx.config.auth.passwordResetKey, id)),
      expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MINUTES * 60_000),
    });
    audit(tem, actor(ctx, user.id), { action: 'user.request-password-reset', targetType: 'user', targetId: user.id });
    await tem.flush();
    await queueMail(tem, {
      kind: 'password-reset',
      to: user.email,
      language: user.language,
      params: { requestId: id, userName: user.name, validMinutes: PASSWORD_RESET_TTL_MINUTES },
    });
  });
  return { ok: true as const };
}

const INVALID_RESET = 'This reset link is invalid or has expired; ask for a new one';

/**
 * Sets a new password with a reset link's token (single use, 30 minutes) and ends every session of the account:
 * whoever held one must sign in again with the new password.
 */
export async function resetPassword(ctx: Ctx, input: { token: string; password: string }) {
  await hitRateLimit(ctx.em, { key: `reset-use:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.resetPasswordPerIp });
  const tokenHash = sha256(input.token);
  const pending = await ctx.em.findOne(PasswordResetRequest, { tokenHash }, { populate: ['user'] });
  if (!pending || pending.usedAt || pending.expiresAt < new Date() || pending.user.disabledAt) {
    throw new ValidationError(INVALID_RESET, { reason: 'PASSWORD_RESET_INVALID' });
  }
  const problem = passwordProblem(input.password, pending.user.email);
  if (problem) throw new ValidationError(problem, { field: 'password' });
  const passwordHash = await hashPassword(input.password);
  const ok = await ctx.em.transactional(async (tem) => {
    const row = await tem.findOne(
      PasswordResetRequest,
      { tokenHash },
      { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!row || row.usedAt || row.expiresAt < new Date()) return false;
    const now = new Date();
    row.usedAt = now;
    row.user.passwordHash = passwordHash;
    // The link reached the account's address: that proves the address as a verification link would.
    row.user.emailVerifiedAt ??= now;
    await tem.nativeUpdate(PasswordResetRequest, { user: row.user.id, usedAt: null }, { usedAt: now });
    await tem.nativeUpdate(RefreshToken, { user: row.user.id, revokedAt: null }, { revokedAt: now });
    audit(tem, actor(ctx, row.user.id), { action: 'user.reset-password', targetType: 'user', targetId: row.user.id });
    return true;
  });
  if (!ok) throw new ValidationError(INVALID_RESET, { reason: 'PASSWORD_RESET_INVALID' });
  return { ok: true as const };
}

/** The profile page's confirmation: the caller's current password, with failures limited per account. */
async function checkCurrentPassword(ctx: Ctx, user: User, currentPassword: string) {
  const failures = { key: `current-password:failures:${user.id}`, ...AUTH_LIMITS.currentPasswordFailuresPerAccount };
  await checkRateLimit(ctx.em, failures);
  const row = await ctx.em.findOne(User, { id: user.id }, { populate: ['passwordHash'], refresh: true });
  if (!(await verifyPassword(row?.passwordHash, currentPassword))) {
    await hitRateLimit(ctx.em, failures);
    throw new ValidationError('The current password is not right', { field: 'currentPassword' });
  }
  await clearRateLimit(ctx.em, failures.key);
}

/** Changes the password; every other session of the account ends (the one making the change stays). */
export async function changePassword(ctx: Ctx, user: User, input: { currentPassword: string; newPassword: string }) {
  await checkCurrentPassword(ctx, user, input.currentPassword);
  const problem = passwordProblem(input.newPassword, user.email);
  if (problem) throw new ValidationError(problem, { field: 'newPassword' });
  const passwordHash = await hashPassword(input.newPassword);
  const current = accessTokenSessionId(ctx.config.auth, ctx.accessToken);
  await ctx.em.transactional(async (tem) => {
    const row = await tem.findOneOrFail(User, { id: user.id });
    row.passwordHash = passwordHash;
    await tem.nativeUpdate(
      RefreshToken,
      { user: user.id, revokedAt: null, ...(current ? { familyId: { $ne: current as Uuid } } : {}) },
      { revokedAt: new Date() },
    );
    await tem.nativeUpdate(PasswordResetRequest, { user: user.id, usedAt: null }, { usedAt: new Date() });
    audit(tem, actor(ctx, user.id), { action: 'user.change-password', targetType: 'user', targetId: user.id });
  });
  return { ok: true as const };
}

/**
 * Asks to move the account to another address: a verification link goes to the new address, and the account keeps
 * its current address (still verified) until that link is followed. The answer is the same whether or not the new
 * address already has an account (then no mail is sent, and nothing changes).
 */
export async function changeEmail(ctx: Ctx, user: User, input: { currentPassword: string; email: string }) {
  await checkCurrentPassword(ctx, user, input.currentPassword);
  if (input.email === user.email) throw new ValidationError('This is already your email', { field: 'email' });
  await hitRateLimit(ctx.em, { key: `verify:account:${user.id}`, ...AUTH_LIMITS.requestVerificationPerAccount });
  await ctx.em.transactional(async (tem) => {
    if (await tem.count(User, { email: input.email })) return;
    audit(tem, actor(ctx, user.id), {
      action: 'user.request-email-change',
      targetType: 'user',
      targetId: user.id,
      changes: { email: { from: user.email, to: input.email } },
    });
    await requestVerification(ctx, tem, user, input.email);
  });
  return { ok: true as const, pendingEmail: input.email };
}

/** The language of the account's mails; the dashboard sets it with its own. */
export async function setLanguage(ctx: Ctx, user: User, input: { language: Language }) {
  if (user.language !== input.language) {
    await ctx.em.nativeUpdate(User, { id: user.id }, { language: input.language });
  }
  return { ok: true as const };
}

interface SessionRow {
  family_id: string;
  started_at: Date;
  last_used_at: Date;
  expires_at: Date;
  user_agent: string | null;
  ip: string | null;
}

/**
 * The account's live sessions, most recently used first. A session is a refresh token family; its live token is the
 * latest one (rotation makes a new token on every refresh), so that token's creation is the session's last use and
 * its user agent and address are the device's.
 */
export async function listSessions(ctx: Ctx, user: User) {
  const current = accessTokenSessionId(ctx.config.auth, ctx.accessToken);
  const rows = await ctx.em.execute<SessionRow[]>(
    `select family_id::text as family_id, session_started_at as started_at, created_at as last_used_at, expires_at,
            user_agent, ip
       from refresh_token
      where user_id = ? and revoked_at is null and rotated_at is null and expires_at > now()
      order by created_at desc
      limit 100`,
    [user.id],
  );
  return rows.map((r) => ({
    id: r.family_id,
    current: r.family_id === current,
    userAgent: r.user_agent?.slice(0, 256) ?? null,
    ip: r.ip,
    startedAt: new Date(r.started_at),
    lastUsedAt: new Date(r.last_used_at),
    expiresAt: new Date(r.expires_at),
  }));
}

/** Ends one session of the caller's: its refresh token and its access tokens stop working at once. */
export async function revokeSession(ctx: Ctx, user: User, input: { sessionId: string }) {
  const n = await ctx.em.transactional(async (tem) => {
    const count = await tem.nativeUpdate(
      RefreshToken,
      { user: user.id, familyId: input.sessionId as Uuid, revokedAt: null },
      { revokedAt: new Date() },
    );
    if (count) {
      audit(tem, actor(ctx, user.id), {
        action: 'session.revoke',
        targetType: 'user',
        targetId: user.id,
        changes: { familyId: input.sessionId },
      });
    }
    return count;
  });
  if (!n) throw new NotFoundError('Session');
  return { ok: true as const };
}

/** Ends every session of the caller's but the one asking. */
export async function logoutOthers(ctx: Ctx, user: User) {
  const current = accessTokenSessionId(ctx.config.auth, ctx.accessToken);
  await ctx.em.transactional(async (tem) => {
    await tem.nativeUpdate(
      RefreshToken,
      {
        user: user.id,
        revokedAt: null,
        ...(current ? { familyId: { $ne: current as Uuid } } : {}),
      },
      { revokedAt: new Date() },
    );
    audit(tem, actor(ctx, user.id), { action: 'user.logout-others', targetType: 'user', targetId: user.id });
  });
  return { ok: true as const };
}
