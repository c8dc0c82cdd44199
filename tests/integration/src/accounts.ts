// Accounts for tests that call the router directly (createCaller): sign-up as the clients do it (register, then
// sign in), and verified emails, the real way (the token the mailer will send) or directly in the database.
import { randomBytes } from 'node:crypto';
import { createCaller, createContextInner, emailVerificationToken, type ApiDeps } from '@arvlite/api';

type Deps = Omit<ApiDeps, 'storage'> & Partial<Pick<ApiDeps, 'storage'>>;

export function callerAt(deps: Deps, ip: string, accessToken?: string) {
  return createCaller(createContextInner(deps as ApiDeps, { requestId: `test-${ip}`, ip, accessToken }));
}

export interface CallerUser {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  ip: string;
  caller: ReturnType<typeof callerAt>;
}

export function randomIp(): string {
  return `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
}

/** Registers a new account and signs it in, from its own address. */
export async function signUp(
  deps: Deps,
  opts: { email?: string; name?: string; ip?: string } = {},
): Promise<CallerUser> {
  const ip = opts.ip ?? randomIp();
  const email = opts.email ?? `user-${randomBytes(5).toString('hex')}@example.com`;
  const password = `Sturdy-${randomBytes(8).toString('hex')}`;
  const anon = callerAt(deps, ip);
  await anon.auth.register({ email, password, name: opts.name ?? 'Test User' });
  const session = await anon.auth.login({ email, password });
  return {
    email,
    password,
    ip,
    userId: session.user.id,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    caller: callerAt(deps, ip, session.accessToken),
  };
}

/** The raw token of the user's newest outstanding verification request, derived from its id as the mailer will. */
export async function issuedVerificationToken(deps: Deps, userId: string): Promise<string> {
  const [row] = await deps.orm
    .fork()
    .execute<{ id: string }[]>(
      'select id from email_verification_token where user_id = ? and used_at is null order by created_at desc limit 1',
      [userId],
    );
  if (!row) throw new Error(`No verification token was issued for user ${userId}`);
  return emailVerificationToken(deps.config.auth.emailVerificationKey, row.id);
}

/** Verifies an account's email the real way: a token is issued, derived as the mailer will, and redeemed. */
export async function verifyEmailOf(
  deps: Deps,
  user: { userId: string; accessToken: string },
  ip = randomIp(),
): Promise<void> {
  const caller = callerAt(deps, ip, user.accessToken);
  await caller.auth.requestEmailVerification();
  await caller.auth.verifyEmail({ token: await issuedVerificationToken(deps, user.userId) });
}

/** Marks an account's email verified directly in the database: for fixtures whose subject is not verification. */
export async function markEmailVerified(deps: Pick<Deps, 'orm'>, userId: string): Promise<void> {
  await deps.orm.fork().execute('update app_user set email_verified_at = now() where id = ?', [userId]);
}
