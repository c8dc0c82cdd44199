import { createHmac } from 'node:crypto';
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { Invitation, Membership, RefreshToken, User } from '@arvlite/db';
import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { markEmailVerified, registerUser, startTestPlatform } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  platform = await startTestPlatform();
});

async function trpcError(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<AppRouter>;
  }
  throw new Error('expected the call to fail');
}

const nowS = () => Math.floor(Date.now() / 1000);
/** A JWT signed with HS256 by hand, for headers and claims jose will not produce. */
function handSigned(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('accounts', () => {
  it('registers with a normalized email and signs in with any casing', async () => {
    const c = platform.client();
    expect(
      await c.auth.register.mutate({
        email: '  Ada.Lovelace@Example.COM ',
        password: 'analytical-engine-1843',
        name: ' Ada ',
      }),
    ).toEqual({ ok: true });
    const res = await c.auth.login.mutate({ email: 'ada.lovelace@example.com', password: 'analytical-engine-1843' });
    expect(res.user.email).toBe('ada.lovelace@example.com');
    expect(res.user.name).toBe('Ada');
    const again = await c.auth.login.mutate({ email: 'ADA.LOVELACE@example.com', password: 'analytical-engine-1843' });
    expect(again.user.id).toBe(res.user.id);
    // A taken email gets the same answer and changes nothing (security/register-enumeration.test.ts).
    expect(
      await c.auth.register.mutate({
        email: 'ada.lovelace@EXAMPLE.com',
        password: 'another-long-pass-99',
        name: 'Ada',
      }),
    ).toEqual({ ok: true });
    expect(
      (await trpcError(c.auth.login.mutate({ email: 'ada.lovelace@example.com', password: 'another-long-pass-99' })))
        .data?.code,
    ).toBe('UNAUTHORIZED');
    const stored = await platform.deps.orm
      .fork()
      .findOneOrFail(User, { id: res.user.id }, { populate: ['passwordHash'] });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('enforces the password policy with a clear message', async () => {
    const c = platform.client();
    const cases: [string, RegExp][] = [
      ['short', /at least 10/],
      ['password123', /too common/],
      ['grace@example.com', /email/],
      ['aaaaaaaaaaaa', /repetitive/],
    ];
    for (const [password, msg] of cases) {
      const e = await trpcError(c.auth.register.mutate({ email: 'grace@example.com', password, name: 'Grace' }));
      expect(e.data?.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(msg);
    }
    const empty = await trpcError(c.auth.register.mutate({ email: 'grace@example.com', password: '', name: 'Grace' }));
    expect(empty.data?.fieldErrors?.password?.[0]).toMatch(/empty/);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    // That both run one argon2id verify at the same parameters (so take similar time) is counted, not timed, in
    // packages/api/src/auth/password.spec.ts.
    const u = await registerUser(platform.client);
    const c = platform.client();
    const wrongErr = await trpcError(c.auth.login.mutate({ email: u.email, password: 'not-the-password-x' }));
    const unknownErr = await trpcError(
      c.auth.login.mutate({ email: 'nobody@example.com', password: 'not-the-password-x' }),
    );
    expect(wrongErr.message).toBe(unknownErr.message);
    expect(wrongErr.data?.code).toBe('UNAUTHORIZED');
    expect(unknownErr.data?.code).toBe('UNAUTHORIZED');
    expect(wrongErr.data?.httpStatus).toBe(unknownErr.data?.httpStatus);
  });

  it('rotates refresh tokens, and reusing a rotated one revokes the family', async () => {
    const u = await registerUser(platform.client);
    const c = platform.client();
    const first = await c.auth.refresh.mutate({ refreshToken: u.refreshToken });
    expect(first.refreshToken).not.toBe(u.refreshToken);
    const second = await c.auth.refresh.mutate({ refreshToken: first.refreshToken });
    // The stolen original comes back:
    const reuse = await trpcError(c.auth.refresh.mutate({ refreshToken: u.refreshToken }));
    expect(reuse.data?.code).toBe('UNAUTHORIZED');
    // ...and the newest token of the family is dead too.
    const after = await trpcError(c.auth.refresh.mutate({ refreshToken: second.refreshToken }));
    expect(after.data?.code).toBe('UNAUTHORIZED');
    const stored = await platform.deps.orm.fork().find(RefreshToken, { user: u.userId });
    expect(stored.length).toBeGreaterThanOrEqual(3); // the original and both rotations
    expect(stored.every((t) => t.revokedAt)).toBe(true);
    expect(stored.map((t) => t.tokenHash)).not.toContain(u.refreshToken);
  });

  it('logs out one session, and all of them', async () => {
    const u = await registerUser(platform.client);
    const c = platform.client();
    const other = await c.auth.login.mutate({ email: u.email, password: u.password });
    await c.auth.logout.mutate({ refreshToken: u.refreshToken });
    expect((await trpcError(c.auth.refresh.mutate({ refreshToken: u.refreshToken }))).data?.code).toBe('UNAUTHORIZED');
    const stillOk = await c.auth.refresh.mutate({ refreshToken: other.refreshToken });
    // The logged-out session's access token ended with it; the other session signs everything out.
    expect((await trpcError(u.client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
    await platform.client(() => stillOk.accessToken).auth.logoutAll.mutate();
    expect((await trpcError(c.auth.refresh.mutate({ refreshToken: stillOk.refreshToken }))).data?.code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('refuses forged, expired, wrong-audience and alg:none tokens', async () => {
    const u = await registerUser(platform.client);
    const { config } = platform.deps;
    const secret = new TextEncoder().encode(config.auth.jwtSecret);
    const base = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(u.userId)
        .setIssuer(config.auth.issuer)
        .setAudience(config.auth.audience)
        .setIssuedAt();
    const tokens = {
      forged: await base()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('x'.repeat(40))),
      expired: await base()
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(secret),
      wrongAudience: await base().setAudience('someone-else').setExpirationTime('5m').sign(secret),
      wrongIssuer: await base().setIssuer('https://evil.example').setExpirationTime('5m').sign(secret),
      none: new UnsecuredJWT({})
        .setSubject(u.userId)
        .setIssuer(config.auth.issuer)
        .setAudience(config.auth.audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .encode(),
      garbage: 'not.a.jwt',
      // The checks the hand-written verifier (packages/api/src/auth/tokens.ts) must make as jose's did.
      otherAlgorithm: await new SignJWT({})
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(u.userId)
        .setIssuer(config.auth.issuer)
        .setAudience(config.auth.audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(secret),
      notYetValid: await base().setNotBefore('10m').setExpirationTime('20m').sign(secret),
      noExpiry: await base().sign(secret),
      criticalExtension: handSigned(
        { alg: 'HS256', crit: ['x-policy'], 'x-policy': 1 },
        { sub: u.userId, iss: config.auth.issuer, aud: config.auth.audience, iat: nowS(), exp: nowS() + 300 },
        config.auth.jwtSecret,
      ),
      noSubject: handSigned(
        { alg: 'HS256' },
        { iss: config.auth.issuer, aud: config.auth.audience, iat: nowS(), exp: nowS() + 300 },
        config.auth.jwtSecret,
      ),
      // The right signature over the claims, but the header swapped for one the signature does not cover.
      swappedHeader: (() => {
        const good = handSigned(
          { alg: 'HS256' },
          { sub: u.userId, iss: config.auth.issuer, aud: config.auth.audience, iat: nowS(), exp: nowS() + 300 },
          config.auth.jwtSecret,
        );
        const [, payload, sig] = good.split('.');
        return `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${payload}.${sig}`;
      })(),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const e = await trpcError(platform.client(() => token).auth.me.query());
      expect(e.data?.code, name).toBe('UNAUTHORIZED');
    }
    const ok = await platform.client(() => u.accessToken).auth.me.query();
    expect(ok.user.id).toBe(u.userId);
    // The hand signing above is right: the same token without the flaw is accepted (it names u's live session, as
    // every access token must).
    const { sid } = JSON.parse(Buffer.from(u.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as {
      sid: string;
    };
    const claims = {
      sub: u.userId,
      iss: config.auth.issuer,
      aud: config.auth.audience,
      iat: nowS(),
      exp: nowS() + 300,
    };
    const valid = handSigned({ alg: 'HS256' }, { ...claims, sid }, config.auth.jwtSecret);
    expect((await platform.client(() => valid).auth.me.query()).user.id).toBe(u.userId);
    // Without a session, a well-signed token is refused.
    const sessionless = handSigned({ alg: 'HS256' }, claims, config.auth.jwtSecret);
    expect((await trpcError(platform.client(() => sessionless).auth.me.query())).data?.code).toBe('UNAUTHORIZED');
  });

  it('rate-limits login per account with a retry-after, in Postgres', async () => {
    const u = await registerUser(platform.client);
    const c = platform.client();
    let limited: TRPCClientError<AppRouter> | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const e = await trpcError(c.auth.login.mutate({ email: u.email, password: 'wrong-password-xx' }));
      if (e.data?.code === 'TOO_MANY_REQUESTS') limited = e;
    }
    expect(limited).toBeDefined();
    expect((limited!.data as { details?: { retryAfterS?: number } }).details?.retryAfterS).toBeGreaterThan(0);
    const raw = await fetch(`${platform.baseUrl}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: u.email, password: u.password } }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('revoking a user takes effect at once, with a still-valid access token', async () => {
    const u = await registerUser(platform.client);
    await u.client.auth.me.query();
    await platform.deps.orm.fork().nativeUpdate(User, { id: u.userId }, { disabledAt: new Date() });
    expect((await trpcError(u.client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
  });
});

describe('companies, members and projects', () => {
  it('makes the creator owner, and protects the last owner', async () => {
    const owner = await registerUser(platform.client);
    const company = await owner.client.company.create.mutate({ name: 'Acme Prints', timezone: 'Europe/Berlin' });
    expect(company.role).toBe('owner');
    expect(company.storageQuotaBytes).toBe(platform.deps.config.companies.defaultQuotaBytes);
    const { members } = await owner.client.member.list.query({ companyId: company.id });
    const me = members.find((m) => m.userId === owner.userId)!;
    expect(
      (
        await trpcError(
          owner.client.member.updateRole.mutate({
            companyId: company.id,
            membershipId: me.membershipId,
            role: 'admin',
          }),
        )
      ).message,
    ).toMatch(/last owner/);
    expect(
      (await trpcError(owner.client.member.remove.mutate({ companyId: company.id, membershipId: me.membershipId })))
        .message,
    ).toMatch(/last owner/);
  });

  it('invites with a single-use token, and a removed member loses access at once', async () => {
    const owner = await registerUser(platform.client);
    const editor = await registerUser(platform.client);
    await markEmailVerified(platform.deps, editor.userId);
    const company = await owner.client.company.create.mutate({ name: 'Photo Lab' });
    const inv = await owner.client.member.invite.mutate({
      companyId: company.id,
      email: editor.email.toUpperCase(),
      role: 'editor',
    });
    expect(inv.acceptUrl).toContain('#');
    const joined = await editor.client.auth.acceptInvite.mutate({ token: inv.token });
    expect(joined).toMatchObject({ companyId: company.id, role: 'editor' });
    expect((await trpcError(editor.client.auth.acceptInvite.mutate({ token: inv.token }))).data?.code).toBe(
      'NOT_FOUND',
    );
    const project = await editor.client.project.create.mutate({ companyId: company.id, name: 'Weddings' });
    // Editors cannot archive (admin), and cannot invite.
    expect((await trpcError(editor.client.project.archive.mutate({ id: project.id }))).data?.code).toBe('FORBIDDEN');
    expect(
      (
        await trpcError(
          editor.client.member.invite.mutate({ companyId: company.id, email: 'x@example.com', role: 'viewer' }),
        )
      ).data?.code,
    ).toBe('FORBIDDEN');
    const { members } = await owner.client.member.list.query({ companyId: company.id });
    const m = members.find((x) => x.userId === editor.userId)!;
    await owner.client.member.remove.mutate({ companyId: company.id, membershipId: m.membershipId });
    // Same access token, still unexpired: the live membership decides.
    expect((await trpcError(editor.client.project.byId.query({ id: project.id }))).data?.code).toBe('NOT_FOUND');
    expect(await platform.deps.orm.fork().count(Membership, { user: editor.userId })).toBe(0);
  });

  it('refuses expired invitations and invitations addressed to someone else', async () => {
    const owner = await registerUser(platform.client);
    const invitee = await registerUser(platform.client);
    const stranger = await registerUser(platform.client);
    await markEmailVerified(platform.deps, invitee.userId);
    await markEmailVerified(platform.deps, stranger.userId);
    const company = await owner.client.company.create.mutate({ name: 'Studio' });
    const inv = await owner.client.member.invite.mutate({
      companyId: company.id,
      email: invitee.email,
      role: 'viewer',
    });
    expect((await trpcError(stranger.client.auth.acceptInvite.mutate({ token: inv.token }))).data?.code).toBe(
      'NOT_FOUND',
    );
    await platform.deps.orm
      .fork()
      .nativeUpdate(Invitation, { id: inv.invitationId }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await trpcError(invitee.client.auth.acceptInvite.mutate({ token: inv.token }))).data?.code).toBe(
      'NOT_FOUND',
    );
  });

  it('never lets an admin grant owner, and paginates projects', async () => {
    const owner = await registerUser(platform.client);
    const admin = await registerUser(platform.client);
    await markEmailVerified(platform.deps, admin.userId);
    const company = await owner.client.company.create.mutate({ name: 'Big Co' });
    const inv = await owner.client.member.invite.mutate({ companyId: company.id, email: admin.email, role: 'admin' });
    await admin.client.auth.acceptInvite.mutate({ token: inv.token });
    expect(
      (
        await trpcError(
          admin.client.member.invite.mutate({ companyId: company.id, email: 'boss@example.com', role: 'owner' }),
        )
      ).data?.code,
    ).toBe('FORBIDDEN');
    for (let i = 0; i < 5; i++) await admin.client.project.create.mutate({ companyId: company.id, name: `P${i}` });
    const page1 = await admin.client.project.list.query({ companyId: company.id, limit: 2 });
    const page2 = await admin.client.project.list.query({ companyId: company.id, limit: 2, cursor: page1.nextCursor! });
    const page3 = await admin.client.project.list.query({ companyId: company.id, limit: 2, cursor: page2.nextCursor! });
    expect([...page1.items, ...page2.items, ...page3.items].map((p) => p.name)).toEqual(['P4', 'P3', 'P2', 'P1', 'P0']);
    expect(page3.nextCursor).toBeNull();
    // A cursor the API did not make is refused, not taken as "from the start" (a client would loop forever).
    const forged = [
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', "x' or 1=1"])).toString('base64url'),
      'not-a-cursor',
      page1.nextCursor!.slice(0, -3),
    ];
    for (const cursor of forged) {
      const err = await trpcError(admin.client.project.list.query({ companyId: company.id, limit: 2, cursor }));
      expect([err.data?.code, (err.data as { details?: { reason?: string } }).details?.reason]).toEqual([
        'BAD_REQUEST',
        'INVALID_CURSOR',
      ]);
    }
  });

  it('writes an audit entry for every mutation, without secrets, readable by admins only', async () => {
    const owner = await registerUser(platform.client);
    const viewer = await registerUser(platform.client);
    await markEmailVerified(platform.deps, viewer.userId);
    const company = await owner.client.company.create.mutate({ name: 'Audited' });
    await owner.client.company.update.mutate({ id: company.id, name: 'Audited Ltd' });
    const inv = await owner.client.member.invite.mutate({ companyId: company.id, email: viewer.email, role: 'viewer' });
    await viewer.client.auth.acceptInvite.mutate({ token: inv.token });
    const p = await owner.client.project.create.mutate({ companyId: company.id, name: 'Alpha' });
    await owner.client.project.update.mutate({ id: p.id, description: 'first' });
    await owner.client.project.archive.mutate({ id: p.id });
    expect((await owner.client.company.byId.query({ id: company.id })).name).toBe('Audited Ltd');
    expect(await owner.client.project.byId.query({ id: p.id })).toMatchObject({ description: 'first' });
    expect((await owner.client.project.byId.query({ id: p.id })).archivedAt).toBeInstanceOf(Date);
    const log = await owner.client.audit.list.query({ companyId: company.id, limit: 50 });
    expect(log.items.map((e) => e.action).reverse()).toEqual([
      'company.create',
      'company.update',
      'member.invite',
      'member.join',
      'project.create',
      'project.update',
      'project.archive',
    ]);
    const update = log.items.find((e) => e.action === 'company.update')!;
    expect(update.changes).toEqual({ name: { from: 'Audited', to: 'Audited Ltd' } });
    expect(update.requestId).toBeTruthy();
    expect(update.ip).toMatch(/^10\./); // the owner's forwarded address
    expect(JSON.stringify(log)).not.toContain(inv.token);
    expect((await trpcError(viewer.client.audit.list.query({ companyId: company.id, limit: 10 }))).data?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('hides internals of unexpected errors behind a request id', async () => {
    const u = await registerUser(platform.client);
    const company = await u.client.company.create.mutate({ name: 'Fragile' });
    // Break the database under the API: the next query fails unexpectedly.
    await platform.deps.orm.fork().execute('alter table project rename to project_gone');
    try {
      const e = await trpcError(u.client.project.list.query({ companyId: company.id }));
      expect(e.data?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(e.message).toMatch(/^Internal server error \(request id [\w-]+\)$/);
      expect(JSON.stringify(e.shape)).not.toMatch(/project_gone|select|stack|at \//i);
    } finally {
      await platform.deps.orm.fork().execute('alter table project_gone rename to project');
    }
  });
});
