// Account flows end to end in Debian's Chromium against the real server and worker, with mail through the embedded
// SMTP server: each mail is read from its .eml (mailparser) and its link followed in the browser. Verify an email
// (after a resend), invite by email (and resend) and accept in a Russian browser, reset a password after which the
// old sessions are refused, the profile's sessions, and signing in with Yandex against a local OIDC provider.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArvliteClient, TRPCClientError } from '@arvlite/client';
import { issuedVerificationToken, mailLink, mailsTo, startMockOidc, type ParsedMail } from '@arvlite/integration-tests';
import { buildServer } from '@arvlite/server';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { launchChromium } from '@arvlite/test-utils/browser';
import { startWorker } from '@arvlite/worker';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWeb } from './build-web.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const shots = path.join(webRoot, 'test-results');
const { smtpPort, mailDir } = inject('testServices');

let baseUrl: string;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let work: string;
let en: BrowserContext;
let page: Page;
let oidc: Awaited<ReturnType<typeof startMockOidc>>;
const stamp = Date.now();
const ada = {
  name: 'Ada Operator',
  email: `ada.accounts+${stamp}@example.com`,
  password: 'a long enough passphrase 42',
};
const bob = { name: 'Борис', email: `bob.accounts+${stamp}@example.com`, password: 'другая длинная фраза 42' };
const newPassword = 'a brand new passphrase 77';

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'arvlite-accounts-e2e-'));
  const dist = path.join(work, 'dist');
  await buildWeb({
    root: webRoot,
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });
  oidc = await startMockOidc();
  const reserved = await reservePort(); // held until the server binds it
  const { port } = reserved;
  baseUrl = `http://127.0.0.1:${port}`;
  deps = await createTestDeps({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    WORKER_POLL_INTERVAL_MS: '200',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'yandex',
        issuer: oidc.issuer,
        clientId: 'arvlite-web',
        clientSecret: 'mock-secret',
        label: 'Yandex ID',
        allowInsecure: true,
      },
    ]),
  });
  const app = await buildServer(deps, { webDist: dist });
  await reserved.listen(app);
  const worker = await startWorker(deps, { concurrency: 2 });
  mkdirSync(shots, { recursive: true });
  en = await launchChromium(path.join(work, 'profile-en'), { viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = en.pages()[0] ?? (await en.newPage());
  page.setDefaultTimeout(20_000);
  watchRefreshes(page);
  page.on('pageerror', (e) => console.error('[page error]', e.message));

  afterAll(async () => {
    await en?.close();
    await worker.stop();
    await app.close();
    await oidc.stop();
    rmSync(work, { recursive: true, force: true });
  });
}, 180_000);

const shot = (p: Page, name: string) =>
  p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled' });

const withLink = (mails: ParsedMail[], linkPath: string) => mails.filter((m) => m.text?.includes(linkPath));

/** Waits for `count` mails to `to` with a link to `linkPath` (other mails, such as notifications, may come too). */
async function linkMails(to: string, linkPath: string, count = 1): Promise<ParsedMail[]> {
  let found: ParsedMail[] = [];
  await expect
    .poll(async () => (found = withLink(await mailsTo(mailDir, to, 1, 0), linkPath)).length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(count);
  return found;
}

async function userIdOf(email: string): Promise<string> {
  const [row] = await deps.orm.fork().execute<{ id: string }[]>('select id from app_user where email = ?', [email]);
  return row!.id;
}

async function refreshCode(refreshToken: string): Promise<string> {
  const anon = createArvliteClient({ url: `${baseUrl}/trpc` });
  try {
    await anon.auth.refresh.mutate({ refreshToken });
    return 'OK';
  } catch (e) {
    return e instanceof TRPCClientError ? String((e.data as { code?: string } | undefined)?.code) : 'ERROR';
  }
}

const refreshesInFlight = new Map<Page, number>();

/** Counts the page's auth.refresh calls in flight. */
function watchRefreshes(p: Page) {
  refreshesInFlight.set(p, 0);
  const isRefresh = (r: { url(): string }) => r.url().includes('auth.refresh');
  const add = (d: number) => refreshesInFlight.set(p, (refreshesInFlight.get(p) ?? 0) + d);
  p.on('request', (r) => isRefresh(r) && add(1));
  p.on('requestfinished', (r) => isRefresh(r) && add(-1));
  p.on('requestfailed', (r) => isRefresh(r) && add(-1));
}

/**
 * Opens a page (a full load, even when only the fragment differs) once no refresh of the current one is in flight:
 * leaving mid-refresh would lose the rotated token, and presenting the old one again ends the session (reuse
 * detection), as it would for a person closing the tab at that instant.
 */
async function load(p: Page, url: string) {
  await expect.poll(() => refreshesInFlight.get(p) ?? 0).toBe(0);
  await p.waitForTimeout(250); // the answer's token is being stored
  await p.goto('about:blank');
  await p.goto(url);
}

async function signOut(p: Page, name: string, signOutLabel = 'Sign out') {
  await p.getByRole('button', { name: new RegExp(name) }).click();
  await p.getByRole('menuitem', { name: signOutLabel }).click();
}

let companyUrl = '';
let inviteLink = '';

// Each flow drives a browser through several pages and mails: 18-23 s in quiet CI runs, over the default 30 s once
// with the machine loaded (ci51), after which the later flows, which build on it, failed too.
describe('accounts in a real browser', { timeout: 90_000 }, () => {
  it('signs up unverified, resends the verification mail, and verifies with its link', async () => {
    await page.goto(`${baseUrl}/sign-up`);
    await page.getByLabel('Your name').fill(ada.name);
    await page.getByLabel('Email').fill(ada.email);
    await page.locator('input[type=password]').fill(ada.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    const banner = page.getByRole('status').filter({ hasText: 'Verify your email address' });
    await banner.waitFor();
    await shot(page, 'accounts-01-unverified-banner');

    await linkMails(ada.email, '/verify-email#');
    await banner.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByText(`A new link is on its way to ${ada.email}.`).waitFor();
    const mails = await linkMails(ada.email, '/verify-email#', 2);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toMatch(/verify|confirm/i);
    // The resend replaced the first link: the newest mail carries the live one.
    const token = await issuedVerificationToken(deps, await userIdOf(ada.email));
    const links = mails.map((m) => mailLink(m, baseUrl, '/verify-email#'));
    expect(links).toContain(`${baseUrl}/verify-email#${token}`);

    await load(page, `${baseUrl}/verify-email#${token}`);
    await page.getByText('Your email address is verified.').waitFor();
    // The token left the address bar.
    expect(page.url()).toBe(`${baseUrl}/verify-email`);
    await shot(page, 'accounts-02-verified');
    // A replaced link is refused (a fresh page load: only the fragment would differ otherwise).
    await load(
      page,
      links.find((l) => !l.endsWith(token))!,
    );
    await page.getByText(/invalid, used or expired/).waitFor();

    await load(page, `${baseUrl}/`);
    await page
      .getByRole('heading', { name: 'New company' })
      .or(page.getByRole('heading', { name: /Create your company/ }))
      .waitFor();
    await expect.poll(() => page.getByText('Verify your email address').count()).toBe(0);
    await page.getByLabel('Company name').fill('Harbour Media');
    await page.getByRole('button', { name: 'Create company' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    companyUrl = page.url();
  });

  it('invites by email, sends the invitation again, and the invitee accepts from the mail in Russian', async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Invite by email').fill(bob.email);
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    const pending = page.getByRole('table', { name: 'Pending invitations' });
    await pending.getByText(bob.email).waitFor();
    await pending.getByRole('button', { name: `Send the invitation for ${bob.email} again` }).click();
    await page.getByText('Invitation sent again').waitFor();
    await shot(page, 'accounts-03-invitation-resent');
    const invitations = await linkMails(bob.email, '/invite#', 2);
    expect(invitations).toHaveLength(2);
    inviteLink = mailLink(invitations[0]!, baseUrl, '/invite#');
    expect(mailLink(invitations[1]!, baseUrl, '/invite#')).toBe(inviteLink);

    const ru = await launchChromium(path.join(work, 'profile-ru'), {
      locale: 'ru-RU',
      viewport: { width: 1280, height: 800 },
    });
    try {
      const p = ru.pages()[0] ?? (await ru.newPage());
      p.setDefaultTimeout(20_000);
      watchRefreshes(p);
      await p.goto(`${baseUrl}/sign-up`);
      await p.getByLabel('Ваше имя').fill(bob.name);
      await p.getByLabel('Эл. почта').fill(bob.email);
      await p.locator('input[type=password]').fill(bob.password);
      await p.getByRole('button', { name: 'Создать аккаунт' }).click();
      await p.getByRole('status').filter({ hasText: 'Подтвердите адрес почты' }).waitFor();

      // The verification mail comes in the language the account was made in.
      const [verify] = await linkMails(bob.email, '/verify-email#');
      expect(verify!.subject).toMatch(/[а-яё]/i);
      await load(p, mailLink(verify!, baseUrl, '/verify-email#'));
      await p.getByText('Адрес электронной почты подтверждён.').waitFor();

      await load(p, inviteLink);
      await p.getByRole('button', { name: 'Принять приглашение' }).click();
      await p.getByRole('heading', { level: 1, name: 'Проекты' }).waitFor();
      expect(p.url()).toBe(companyUrl);
      await shot(p, 'accounts-04-invitation-accepted-ru');
    } finally {
      await ru.close();
    }
    await load(page, page.url());
    await page.getByRole('table', { name: 'Members' }).getByText(bob.email).waitFor();
  });

  it('resets a password from the mail: every old session is refused, the link works once', async () => {
    const browserSession = await page.evaluate(() => window.localStorage.getItem('arvlite.refreshToken'));
    expect(browserSession).toBeTruthy();
    const other = await createArvliteClient({ url: `${baseUrl}/trpc` }).auth.login.mutate({
      email: ada.email,
      password: ada.password,
    });

    // This browser forgets its session without ending it (as if it were another device): it stays live until the reset.
    await page.evaluate(() => window.localStorage.removeItem('arvlite.refreshToken'));
    const carried = await createArvliteClient({ url: `${baseUrl}/trpc` }).auth.refresh.mutate({
      refreshToken: browserSession!,
    });
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(ada.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText(`If ${ada.email} has an account, a link is on its way.`, { exact: false }).waitFor();

    const [reset] = await linkMails(ada.email, '/reset-password#');
    expect(reset).toBeDefined();
    const link = mailLink(reset!, baseUrl, '/reset-password#');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    expect(page.url()).toBe(`${baseUrl}/reset-password`);
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText(/Your password is set/).waitFor();
    await shot(page, 'accounts-05-password-reset');

    expect(await refreshCode(carried.refreshToken)).toBe('UNAUTHORIZED');
    expect(await refreshCode(other.refreshToken)).toBe('UNAUTHORIZED');

    await page.goto(`${baseUrl}/sign-in`);
    await page.goto(link);
    await page.getByLabel('New password').fill('and yet another passphrase 9');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('This reset link is invalid, used or expired. Ask for a new one.').waitFor();

    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Email').fill(ada.email);
    await page.locator('input[type=password]').fill(ada.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is not right.').waitFor();
    await page.locator('input[type=password]').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  it('shows the sessions on the profile page and signs out everywhere else', async () => {
    const other = await createArvliteClient({ url: `${baseUrl}/trpc` }).auth.login.mutate({
      email: ada.email,
      password: newPassword,
    });
    await page.getByRole('button', { name: new RegExp(ada.name) }).click();
    await page.getByRole('menuitem', { name: 'Profile and security' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profile and security' }).waitFor();
    const sessions = page.getByRole('table', { name: 'Active sessions' });
    await sessions.getByText('This device').waitFor();
    await expect.poll(() => sessions.getByRole('row').count()).toBe(3); // header, this browser, the other sign-in
    await shot(page, 'accounts-06-profile');
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await expect.poll(() => sessions.getByRole('row').count()).toBe(2);
    expect(await refreshCode(other.refreshToken)).toBe('UNAUTHORIZED');
  });

  it('signs in with Yandex (a local OIDC provider) from the sign-in page', async () => {
    await signOut(page, ada.name);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const yan = `yan+${stamp}@example.com`;
    oidc.setClaims({ sub: `yandex-${stamp}`, email: yan, email_verified: true, name: 'Yan Dex' });
    await page.getByRole('button', { name: 'Continue with Yandex ID' }).click();
    await page
      .getByRole('heading', { name: 'New company' })
      .or(page.getByRole('heading', { name: /Create your company/ }))
      .waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => window.sessionStorage.getItem('arvlite.oidc'))).toBeNull();
    await page.getByRole('button', { name: /Yan Dex/ }).waitFor();
    // The provider vouched for the address: no verification banner.
    expect(await page.getByText('Verify your email address').count()).toBe(0);
    await shot(page, 'accounts-07-yandex');
  });
});
