// Accounts: password reset (same answer for unknown addresses, single use, 30 minutes, every session ends), changing
// the password and the email from the profile, the session list and its revocation, resending and revoking
// invitations, and the verify-email mail in the account's language (through the embedded SMTP server).
import { passwordResetToken } from '@arvlite/api';
import { TRPCError } from '@trpc/server';
import { describe, expect, inject, it } from 'vitest';
import {
  callerAt,
  issuedVerificationToken,
  mailsTo,
  markEmailVerified,
  randomIp,
  signUp,
  startTestPlatform,
} from '../src/index.ts';

const { smtpPort, mailDir } = inject('testServices');
const { deps } = await startTestPlatform({ worker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return (e as TRPCError).code;
  }
  return 'OK';
}

async function rows<T>(sql: string, params: unknown[]): Promise<T[]> {
  return deps.orm.fork().execute<T[]>(sql, params);
}

/** The newest reset request of the account: its token as the mailer derives it, and its row. */
async function resetTokenOf(userId: string) {
  const [row] = await rows<{ id: string; created_at: Date; expires_at: Date }>(
    'select id, created_at, expires_at from password_reset_request where user_id = ? order by created_at desc limit 1',
    [userId],
  );
  if (!row) throw new Error('no reset request');
  return { ...row, token: passwordResetToken(deps.config.auth.passwordResetKey, row.id) };
}

/** How long this file waits for a mail (mailsTo returns what has come by then). */
const MAIL_WAIT = 20_000;

describe('password reset', () => {
  it('answers alike for an unknown address, and mails only a known one', async () => {
    const user = await signUp(deps);
    const anon = callerAt(deps, randomIp());
    const unknown = `nobody-${Date.now()}@example.com`;
    expect(await anon.auth.requestPasswordReset({ email: unknown })).toEqual({ ok: true });
    expect(await anon.auth.requestPasswordReset({ email: user.email })).toEqual({ ok: true });
    const queued = await rows<{ recipient: string; params: Record<string, unknown> }>(
      `select recipient, params from email_message where kind = 'password-reset' and recipient in (?, ?)`,
      [unknown, user.email],
    );
    expect(queued.map((r) => r.recipient)).toEqual([user.email]);
    const { token, id } = await resetTokenOf(user.userId);
    // The log keeps the request's id, never the token.
    expect(queued[0]!.params).toMatchObject({ requestId: id, validMinutes: 30 });
    expect(JSON.stringify(queued[0])).not.toContain(token);
    // Only the token's hash is stored.
    const [stored] = await rows<{ token_hash: string }>('select token_hash from password_reset_request where id = ?', [
      id,
    ]);
    expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.token_hash).not.toContain(token);
  });

  it('is limited per address', async () => {
    const anon = callerAt(deps, randomIp());
    const email = `limited-${Date.now()}@example.com`;
    for (let i = 0; i < 3; i++) await anon.auth.requestPasswordReset({ email });
    expect(await codeOf(anon.auth.requestPasswordReset({ email }))).toBe('TOO_MANY_REQUESTS');
  });

  it('sets the password once, ends every session, and refuses the link again', async () => {
    const user = await signUp(deps);
    const second = await callerAt(deps, randomIp()).auth.login({ email: user.email, password: user.password });
    await callerAt(deps, randomIp()).auth.requestPasswordReset({ email: user.email });
    const { token, created_at, expires_at } = await resetTokenOf(user.userId);
    expect(new Date(expires_at).getTime() - new Date(created_at).getTime()).toBeCloseTo(30 * 60_000, -3);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32); // 256 bits

    const anon = callerAt(deps, randomIp());
    // A weak password is refused without using the link up.
    expect(await codeOf(anon.auth.resetPassword({ token, password: 'short' }))).toBe('BAD_REQUEST');
    const newPassword = 'a brand new passphrase 77';
    expect(await anon.auth.resetPassword({ token, password: newPassword })).toEqual({ ok: true });

    // Every session's refresh token is refused from now on.
    for (const refreshToken of [user.refreshToken, second.refreshToken]) {
      expect(await codeOf(anon.auth.refresh({ refreshToken }))).toBe('UNAUTHORIZED');
    }
    // Single use.
    expect(await codeOf(anon.auth.resetPassword({ token, password: 'yet another passphrase 88' }))).toBe('BAD_REQUEST');
    expect(await codeOf(anon.auth.login({ email: user.email, password: user.password }))).toBe('UNAUTHORIZED');
    const fresh = await anon.auth.login({ email: user.email, password: newPassword });
    expect(fresh.user.emailVerified).toBe(true); // the link proved the address
  });

  it('refuses a link after 30 minutes, and an older link once a newer one is asked for', async () => {
    const user = await signUp(deps);
    const anon = callerAt(deps, randomIp());
    await anon.auth.requestPasswordReset({ email: user.email });
    const first = await resetTokenOf(user.userId);
    await anon.auth.requestPasswordReset({ email: user.email });
    const second = await resetTokenOf(user.userId);
    expect(await codeOf(anon.auth.resetPassword({ token: first.token, password: 'good passphrase number 1' }))).toBe(
      'BAD_REQUEST',
    );
    await deps.orm.fork().execute(
      `update password_reset_request set created_at = now() - interval '31 minutes',
                expires_at = now() - interval '1 minute' where id = ?`,
      [second.id],
    );
    expect(await codeOf(anon.auth.resetPassword({ token: second.token, password: 'good passphrase number 2' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(anon.auth.refresh({ refreshToken: user.refreshToken }))).toBe('OK');
  });
});

describe('profile', () => {
  it('changes the password with the current one, ending the other sessions only', async () => {
    const user = await signUp(deps);
    const other = await callerAt(deps, randomIp()).auth.login({ email: user.email, password: user.password });
    const wrong = user.caller.auth.changePassword({ currentPassword: 'not the password', newPassword: 'x'.repeat(12) });
    await expect(wrong).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { details: { field: 'currentPassword' } },
    });
    const newPassword = 'changed passphrase 4242';
    await user.caller.auth.changePassword({ currentPassword: user.password, newPassword });
    expect(await codeOf(user.caller.auth.refresh({ refreshToken: other.refreshToken }))).toBe('UNAUTHORIZED');
    expect(await codeOf(user.caller.auth.refresh({ refreshToken: user.refreshToken }))).toBe('OK');
    expect(await codeOf(callerAt(deps, randomIp()).auth.login({ email: user.email, password: newPassword }))).toBe(
      'OK',
    );
  });

  it('changes the email once the new address is verified; a taken address gets the same answer and no link', async () => {
    const user = await signUp(deps);
    await markEmailVerified(deps, user.userId);
    const taken = await signUp(deps);
    const newEmail = `moved-${Date.now()}@example.com`;
    await expect(
      user.caller.auth.changeEmail({ currentPassword: 'wrong password here', email: newEmail }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await user.caller.auth.changeEmail({ currentPassword: user.password, email: taken.email })).toEqual({
      ok: true,
      pendingEmail: taken.email,
    });
    const [none] = await rows<{ n: number }>(
      'select count(*)::int as n from email_verification_token where user_id = ? and change_email',
      [user.userId],
    );
    expect(none!.n).toBe(0);

    await user.caller.auth.changeEmail({ currentPassword: user.password, email: newEmail });
    // Until the link is followed the account keeps its (verified) address.
    expect((await user.caller.auth.me()).user).toMatchObject({ email: user.email, emailVerified: true });
    const token = await issuedVerificationToken(deps, user.userId);
    const mails = await mailsTo(mailDir, newEmail, 1, MAIL_WAIT);
    expect(mails[0]?.text).toContain(`/verify-email#${token}`);
    await callerAt(deps, randomIp()).auth.verifyEmail({ token });
    expect((await user.caller.auth.me()).user).toMatchObject({ email: newEmail, emailVerified: true });
    expect(await codeOf(callerAt(deps, randomIp()).auth.login({ email: newEmail, password: user.password }))).toBe(
      'OK',
    );
  });

  it('mails the verification link in the language chosen at sign-up', async () => {
    const email = `ru-${Date.now()}@example.com`;
    const anon = callerAt(deps, randomIp());
    await anon.auth.register({ email, password: 'a long russian passphrase', name: 'Ирина', language: 'ru' });
    const [mail] = await mailsTo(mailDir, email, 1, MAIL_WAIT);
    expect(mail?.subject).toMatch(/[а-яА-Я]/);
    expect(mail?.text).toContain('Ирина');
    const [user] = await rows<{ id: string }>('select id from app_user where email = ?', [email]);
    expect(mail?.text).toContain(`/verify-email#${await issuedVerificationToken(deps, user!.id)}`);
  });

  it('lists sessions with device and last use, and revokes one or all others', async () => {
    const user = await signUp(deps);
    const anon = callerAt(deps, randomIp());
    const phone = await anon.auth.login({ email: user.email, password: user.password });
    const tablet = await anon.auth.login({ email: user.email, password: user.password });
    const sessions = await user.caller.auth.sessions();
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    for (const s of sessions) expect(s.lastUsedAt).toBeInstanceOf(Date);

    const phoneSession = (await callerAt(deps, randomIp(), phone.accessToken).auth.sessions()).find((s) => s.current)!;
    await user.caller.auth.revokeSession({ sessionId: phoneSession.id });
    expect(await codeOf(anon.auth.refresh({ refreshToken: phone.refreshToken }))).toBe('UNAUTHORIZED');
    expect(await codeOf(user.caller.auth.revokeSession({ sessionId: phoneSession.id }))).toBe('NOT_FOUND');
    // Someone else's session is not found.
    const stranger = await signUp(deps);
    const strangerSession = (await stranger.caller.auth.sessions())[0]!;
    expect(await codeOf(user.caller.auth.revokeSession({ sessionId: strangerSession.id }))).toBe('NOT_FOUND');
    expect(await codeOf(anon.auth.refresh({ refreshToken: stranger.refreshToken }))).toBe('OK');

    await user.caller.auth.logoutOthers();
    expect(await codeOf(anon.auth.refresh({ refreshToken: tablet.refreshToken }))).toBe('UNAUTHORIZED');
    const left = await user.caller.auth.sessions();
    expect(left).toHaveLength(1);
    expect(left[0]!.current).toBe(true);
  });
});

describe('invitations', () => {
  it('resends a pending invitation (limited) and revokes it', async () => {
    const owner = await signUp(deps, { name: 'Olga Owner' });
    const company = await owner.caller.company.create({ name: 'Resend Co' });
    const email = `invitee-${Date.now()}@example.com`;
    const invited = await owner.caller.member.invite({ companyId: company.id, email, role: 'editor' });
    await owner.caller.member.resendInvite({ companyId: company.id, invitationId: invited.invitationId });
    const mails = await mailsTo(mailDir, email, 2, MAIL_WAIT);
    expect(mails).toHaveLength(2);
    for (const m of mails) expect(m.text).toContain(invited.acceptUrl);

    // A viewer may not resend.
    const viewer = await signUp(deps);
    await markEmailVerified(deps, viewer.userId);
    const v = await owner.caller.member.invite({ companyId: company.id, email: viewer.email, role: 'viewer' });
    await viewer.caller.auth.acceptInvite({ token: v.token });
    expect(
      await codeOf(viewer.caller.member.resendInvite({ companyId: company.id, invitationId: invited.invitationId })),
    ).toBe('FORBIDDEN');

    await owner.caller.member.resendInvite({ companyId: company.id, invitationId: invited.invitationId });
    await owner.caller.member.resendInvite({ companyId: company.id, invitationId: invited.invitationId });
    expect(
      await codeOf(owner.caller.member.resendInvite({ companyId: company.id, invitationId: invited.invitationId })),
    ).toBe('TOO_MANY_REQUESTS');

    await owner.caller.member.revokeInvite({ companyId: company.id, invitationId: invited.invitationId });
    expect(
      await codeOf(owner.caller.member.resendInvite({ companyId: company.id, invitationId: invited.invitationId })),
    ).toBe('NOT_FOUND');
    const list = await owner.caller.member.list({ companyId: company.id });
    expect(list.invitations.map((i) => i.invitationId)).not.toContain(invited.invitationId);
  });
});
