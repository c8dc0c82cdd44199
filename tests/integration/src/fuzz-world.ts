// The objects the fuzzers draw ids and tokens from: one company of the fuzz user's with a project, videos (one READY),
// AR items (one READY with a published marker, a playlist and a rule), a member and a pending invitation, webhooks,
// an API key, products, orders in several states, a print file, a notification, viewer and upload-link tokens; and
// an invitation to the fuzz user from another company, a verification and a password-reset token, and an operator.
// Also what the rarer procedures need to get past their door: a customer upload completed through its link (bytes in
// storage), logo bytes at the presigned key, an order's print sheet, and OIDC sign-ins started at the mock provider.
import { randomUUID } from 'node:crypto';
import {
  createCaller,
  createContextInner,
  emailVerificationToken,
  passwordResetToken,
  type ApiDeps,
} from '@arvlite/api';
import { insertReadyArContent, insertReadyVideo } from '@arvlite/test-utils/seed';
import pg from 'pg';
import { markEmailVerified } from './accounts.ts';

/** A signed-in account of the fuzz run; `token` is replaced when a fuzzed call ends its session. */
export interface FuzzActor {
  userId: string;
  email: string;
  password: string;
  passwordHash: string;
  token: string;
  refreshToken: string;
}

export interface FuzzWorld {
  /** The fuzz user: owner of `company`, member of nothing else until it accepts its invitation. */
  user: FuzzActor;
  /** A platform admin (admin.* are called as this account). */
  operator: FuzzActor;
  /** Candidate values by kind: ids (uuids), tokens and other strings that inputs name. */
  pool: Record<string, string[]>;
  /**
   * Whole valid inputs for procedures whose fields must agree with each other (drawn alongside the field-wise ones):
   * auth.oidcCallback's callback URL (state and code), binding and provider come from one started sign-in.
   */
  inputs: Record<string, unknown[]>;
}

/** The OIDC provider configured in the fuzz deps (oidc-mock.ts), and where its sign-ins come back to. */
export interface FuzzOidc {
  provider: string;
  redirectUri: string;
}

/**
 * How many OIDC sign-ins the world starts for whole inputs, and how many more for the field-wise pools. Each callback
 * can be finished once (its state is single use, consumed by any call naming it): the field-wise draws, which mostly
 * pair a callback with another sign-in's binding, would use up the whole inputs' states if they shared them.
 */
const OIDC_SIGN_INS = { whole: 6, fields: 3 };

/** The first bytes of an MP4 (an `ftyp` box): enough for video.completeUpload's sniffing; nothing processes it here. */
function mp4Bytes(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  out.set([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomiso2mp41')]);
  return out;
}

/** A PNG's signature (what completeLogoUpload sniffs) and some padding. */
function pngBytes(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return out;
}

/** PUTs bytes to a presigned URL with the headers it was signed with, as a client does. */
async function put(url: string, headers: Record<string, string>, body: Uint8Array<ArrayBuffer>): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers, body });
  if (!res.ok) throw new Error(`PUT of the fuzz world's bytes answered ${res.status}: ${await res.text()}`);
}

let ipCounter = 0;
/** A different client address for every call (per-IP rate limits never pile up on one), the same sequence each run. */
export function nextIp(): string {
  const n = ++ipCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function callerOf(deps: ApiDeps, token?: string) {
  return createCaller(
    createContextInner(deps, { requestId: `fuzz-seed-${ipCounter}`, ip: nextIp(), accessToken: token }),
  );
}

async function sql<T>(deps: ApiDeps, text: string, params: unknown[] = []): Promise<T[]> {
  return deps.orm.fork().execute<T[]>(text, params);
}

async function account(deps: ApiDeps, email: string, name: string): Promise<FuzzActor> {
  const password = `Fuzz-${randomUUID()}`;
  const anon = callerOf(deps);
  await anon.auth.register({ email, password, name });
  const session = await anon.auth.login({ email, password });
  const [row] = await sql<{ password_hash: string }>(deps, 'select password_hash from app_user where id = ?', [
    session.user.id,
  ]);
  return {
    userId: session.user.id,
    email,
    password,
    passwordHash: row!.password_hash,
    token: session.accessToken,
    refreshToken: session.refreshToken,
  };
}

/**
 * Puts an account back as it was seeded (enabled, its password and email) and signs it in again: for the calls after
 * one that disabled it, changed its password or ended its sessions.
 */
export async function restoreActor(deps: ApiDeps, actor: FuzzActor, world: FuzzWorld): Promise<void> {
  await sql(deps, 'update app_user set disabled_at = null, password_hash = ?, email = ? where id = ?', [
    actor.passwordHash,
    actor.email,
    actor.userId,
  ]);
  const session = await callerOf(deps).auth.login({ email: actor.email, password: actor.password });
  actor.token = session.accessToken;
  actor.refreshToken = session.refreshToken;
  // The new session is one auth.revokeSession can name.
  if (actor === world.user)
    world.pool.session!.push(...(await callerOf(deps, actor.token).auth.sessions()).map((s) => s.id));
}

/**
 * Undoes what fuzzed calls may have done to the world as a whole: a suspended company (admin.suspendCompany), the fuzz
 * user demoted in its own company (member.updateRole on its own membership).
 */
export async function repairWorld(deps: ApiDeps, world: FuzzWorld): Promise<void> {
  await sql(deps, 'update company set suspended_at = null, suspended_reason = null where suspended_at is not null');
  await sql(deps, `update membership set role = 'owner' where user_id = ? and company_id = ?`, [
    world.user.userId,
    world.pool.company![0],
  ]);
}

export async function seedWorld(deps: ApiDeps, oidc: FuzzOidc): Promise<FuzzWorld> {
  const user = await account(deps, 'fuzzer@example.com', 'Fuzzer');
  const member = await account(deps, 'fuzz-member@example.com', 'Fuzz member');
  const other = await account(deps, 'fuzz-other@example.com', 'Fuzz other');
  const operator = await account(deps, 'fuzz-operator@example.com', 'Fuzz operator');
  await sql(deps, 'update app_user set is_platform_admin = true where id = ?', [operator.userId]);
  const me = () => callerOf(deps, user.token);

  const company = await me().company.create({ name: 'Fuzz Co' });
  const project = await me().project.create({ companyId: company.id, name: 'Fuzz project', description: 'fuzz' });
  const archivedProject = await me().project.create({ companyId: company.id, name: 'Fuzz archived' });
  await me().project.archive({ id: archivedProject.id });

  // A member (editor) who accepted, and a pending invitation.
  const invited = await me().member.invite({ companyId: company.id, email: member.email, role: 'editor' });
  await markEmailVerified(deps, member.userId);
  await callerOf(deps, member.token).auth.acceptInvite({ token: invited.token });
  const pending = await me().member.invite({
    companyId: company.id,
    email: 'fuzz-pending@example.com',
    role: 'viewer',
  });
  const members = await me().member.list({ companyId: company.id });
  // Another company invites the fuzz user: its token is the one auth.acceptInvite can redeem.
  const otherCompany = await callerOf(deps, other.token).company.create({ name: 'Fuzz other Co' });
  const toFuzzer = await callerOf(deps, other.token).member.invite({
    companyId: otherCompany.id,
    email: user.email,
    role: 'viewer',
  });

  // Videos: two waiting for their upload (single and multipart) and one READY with its outputs.
  const single = await me().video.createUpload({
    projectId: project.id,
    fileName: 'fuzz.mp4',
    contentType: 'video/mp4',
    size: 1000,
    title: 'Fuzz single',
  });
  const multi = await me().video.createUpload({
    projectId: project.id,
    fileName: 'fuzz-big.mp4',
    contentType: 'video/mp4',
    size: 64 * 1024 * 1024,
    title: 'Fuzz multipart',
  });
  const db = new pg.Client({ connectionString: deps.config.database.url });
  await db.connect();
  let readyVideo: string;
  let readyContent: { contentId: string; publicId: string };
  try {
    const tenant = { userId: user.userId, companyId: company.id, projectId: project.id };
    readyVideo = await insertReadyVideo(db, tenant);
    readyContent = await insertReadyArContent(db, tenant, { videoIds: [readyVideo], title: 'Fuzz READY item' });
  } finally {
    await db.end();
  }

  // AR items: a draft with a playlist and a rule, and the READY one with a rule of its own.
  const content = await me().arContent.create({
    projectId: project.id,
    title: 'Fuzz AR item',
    customer: { name: 'Fuzz customer', email: 'fuzz-customer@example.com', orderRef: 'F-1' },
  });
  await me().playlist.set({ id: content.id, videoIds: [single.videoId, readyVideo], defaultVideoId: readyVideo });
  const rule = await me().playlist.addRule({
    id: content.id,
    kind: 'date',
    date: '2026-05-01',
    yearly: true,
    videoId: readyVideo,
  });
  const readyRule = await me().playlist.addRule({
    id: readyContent.contentId,
    kind: 'window',
    start: new Date('2026-06-01T00:00:00Z'),
    end: new Date('2026-06-30T00:00:00Z'),
    videoId: readyVideo,
  });
  const uploadLink = await me().arContent.createUploadLink({ id: content.id });
  // A customer upload through its own link of the draft item, completed with bytes in storage: the video
  // approveCustomerVideo and rejectCustomerVideo review.
  const customerLink = await me().arContent.createUploadLink({ id: content.id });
  const customerClip = mp4Bytes(1000);
  const customerVideo = await callerOf(deps).customerUpload.start({
    token: customerLink.token,
    fileName: 'customer.mp4',
    contentType: 'video/mp4',
    size: customerClip.length,
  });
  const customerPut = await callerOf(deps).customerUpload.signUpload({ token: customerLink.token });
  await put(customerPut.url, customerPut.headers, customerClip);
  await callerOf(deps).customerUpload.complete({ token: customerLink.token });
  const readyLink = await me().arContent.createUploadLink({ id: readyContent.contentId });
  const viewerSession = await callerOf(deps).viewer.startSession({
    publicId: readyContent.publicId,
    device: { platform: 'web' },
  });

  const hook = await me().webhook.create({
    companyId: company.id,
    url: 'https://hooks.invalid/fuzz',
    events: ['video.ready'],
    description: 'fuzz',
  });
  const delivery = await me().webhook.sendTest({ id: hook.endpoint.id });
  const apiKey = await me().apiKey.create({ companyId: company.id, name: 'fuzz key', role: 'editor' });
  // Two logo uploads with their bytes PUT (each can complete once) and one still waiting for them.
  const logos: string[] = [];
  for (let i = 0; i < 3; i++) {
    const logo = await me().company.createLogoUpload({ companyId: company.id, contentType: 'image/png', size: 1000 });
    if (i < 2) await put(logo.url, logo.headers, pngBytes(1000));
    logos.push(logo.key);
  }

  // Products and orders: a draft with a line, a placed one, and paid ones (one moved on to production).
  const product = await me().product.create({
    companyId: company.id,
    kind: 'AR_CARD',
    name: 'Fuzz product',
    priceMinor: 100_000,
    currency: 'RUB',
    termMonths: 12,
  });
  const order = async (paid: boolean, place = true) => {
    const o = await me().order.create({
      projectId: project.id,
      currency: 'RUB',
      customer: { name: 'Fuzz buyer', email: 'fuzz-buyer@example.com' },
      reference: 'fuzz',
    });
    const line = await me().order.addItem({ orderId: o.id, productId: product.id });
    if (place) await me().order.place({ id: o.id });
    const invoiceId = paid ? (await me().order.markPaid({ id: o.id, reference: 'fuzz' })).invoice.id : undefined;
    return { id: o.id, itemIds: (line.items ?? []).map((i) => i.id), invoiceId };
  };
  const draft = await order(false, false);
  const placed = await order(false);
  const paid = await order(true);
  const producing = await order(true);
  await me().order.markInProduction({ id: producing.id });
  const shipping = await order(true);
  await me().order.markInProduction({ id: shipping.id });
  await me().order.markShipped({ id: shipping.id });

  const [printFile] = await sql<{ id: string }>(
    deps,
    `insert into print_file (id, company_id, ar_content_id, format, cache_key, status, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, 'A6', 'fuzz', 'PENDING', now(), now()) returning id::text as id`,
    [company.id, readyContent.contentId],
  );
  // An order's print sheet, PENDING as order.printSheet leaves it (no worker renders it in the fuzz run).
  const [printSheet] = await sql<{ id: string }>(
    deps,
    `insert into print_file (id, company_id, order_id, format, cache_key, status, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, null, 'fuzz-sheet', 'PENDING', now(), now()) returning id::text as id`,
    [company.id, placed.id],
  );
  const [notification] = await sql<{ id: string }>(
    deps,
    `insert into notification (id, user_id, company_id, kind, params, event_id, created_at)
       values (gen_random_uuid(), ?, ?, 'video.ready', ?::jsonb, 1, now()) returning id::text as id`,
    [user.userId, company.id, JSON.stringify({ projectId: project.id, videoId: readyVideo, title: 'fuzz' })],
  );

  // Email verification and password reset requests of the fuzz user, with their tokens as the mailer derives them.
  await me().auth.requestEmailVerification();
  await callerOf(deps).auth.requestPasswordReset({ email: user.email });
  const [verification] = await sql<{ id: string }>(
    deps,
    'select id from email_verification_token where user_id = ? order by created_at desc limit 1',
    [user.userId],
  );
  const [reset] = await sql<{ id: string }>(
    deps,
    'select id from password_reset_request where user_id = ? order by created_at desc limit 1',
    [user.userId],
  );
  // Verified after its token was issued: the invitation above can be accepted, and the token still redeemed.
  await markEmailVerified(deps, user.userId);
  const sessions = await me().auth.sessions();
  // OIDC sign-ins started and followed to the provider's redirect, as a browser would: callback URLs with a code.
  const oidcInputs: { provider: string; callbackUrl: string; binding: string }[] = [];
  for (let i = 0; i < OIDC_SIGN_INS.whole + OIDC_SIGN_INS.fields; i++) {
    const started = await callerOf(deps).auth.oidcStart({ provider: oidc.provider, redirectUri: oidc.redirectUri });
    const res = await fetch(started.authorizationUrl, { redirect: 'manual' });
    const callbackUrl = res.headers.get('location');
    if (!callbackUrl?.startsWith(oidc.redirectUri)) throw new Error(`the mock provider redirected to ${callbackUrl}`);
    oidcInputs.push({ provider: oidc.provider, callbackUrl, binding: started.binding });
  }
  const jobs = await sql<{ id: string }>(deps, 'select id::text as id from graphile_worker.jobs limit 5');
  const { auth } = deps.config;

  const pool: Record<string, string[]> = {
    company: [company.id, otherCompany.id],
    project: [project.id, archivedProject.id],
    video: [single.videoId, multi.videoId, readyVideo, customerVideo.videoId],
    arContent: [content.id, readyContent.contentId],
    rule: [rule.ruleId, readyRule.ruleId],
    membership: members.members.map((m) => m.membershipId),
    invitation: [pending.invitationId, toFuzzer.invitationId],
    user: [user.userId, member.userId, other.userId, operator.userId],
    webhook: [hook.endpoint.id],
    delivery: [delivery.deliveryId],
    apiKey: [apiKey.apiKey.id],
    product: [product.id],
    order: [draft.id, placed.id, paid.id, producing.id, shipping.id],
    orderItem: [...draft.itemIds, ...placed.itemIds],
    invoice: [paid.invoiceId!, producing.invoiceId!, shipping.invoiceId!],
    printFile: [printFile!.id, printSheet!.id],
    notification: [notification!.id],
    session: sessions.map((s) => s.id),
    viewerSession: [viewerSession.sessionId],
    job: jobs.map((j) => j.id),
    publicId: [readyContent.publicId],
    uploadToken: [uploadLink.token, readyLink.token],
    uploadLink: [uploadLink.link.id, readyLink.link.id],
    url: ['https://hooks.invalid/fuzz-2', 'http://example.com/return', 'https://example.com/return?x=1'],
    inviteToken: [toFuzzer.token, pending.token],
    verifyToken: [emailVerificationToken(auth.emailVerificationKey, verification!.id)],
    resetToken: [passwordResetToken(auth.passwordResetKey, reset!.id)],
    refreshToken: [user.refreshToken, member.refreshToken],
    logoKey: logos,
    email: [user.email, member.email, other.email, 'fuzz-pending@example.com', 'fuzz-customer@example.com'],
    password: [user.password],
    oidcProvider: [oidc.provider],
    oidcRedirect: [oidc.redirectUri],
    oidcCallbackUrl: oidcInputs.slice(OIDC_SIGN_INS.whole).map((i) => i.callbackUrl),
    oidcBinding: oidcInputs.slice(OIDC_SIGN_INS.whole).map((i) => i.binding),
  };
  return { user, operator, pool, inputs: { 'auth.oidcCallback': oidcInputs.slice(0, OIDC_SIGN_INS.whole) } };
}
