// Payments: each company's provider settings (credentials encrypted at rest, never answered in full), starting a
// payment for a placed order, the order's payments, and the provider notifications (verified by the provider module,
// applied here once per event, in one transaction with the order's payment).
import type { PaymentProvider as PaymentProviderName, PaymentStatus } from '@arvlite/contract';
import { Company, CustomerOrder, Payment, PaymentNotification, PaymentSettings, type EntityManager } from '@arvlite/db';
import {
  createProvider,
  MoneyError,
  NotificationRejectedError,
  paymentSecretAad,
  type PaymentSecretField,
  ProviderRequestError,
  type PaymentProvider,
  type RawNotification,
  type VerifiedNotification,
} from '@arvlite/payments';
import { decryptSecret, encryptSecret } from '@arvlite/webhooks';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Access } from '../access.ts';
import { actorOf as actor, audit } from '../audit.ts';
import type { ApiDeps, Context } from '../context.ts';
import { ConflictError, DomainError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors.ts';
import { recordOrderPayment } from './orders.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
} & Parameters<typeof actor>[0];

type SecretField = PaymentSecretField;

function secretKeyOf(config: ApiDeps['config']): string {
  const key = config.payments.secretKey;
  if (!key) throw new ServiceUnavailableError('Payments need AUTH_JWT_SECRET (the key of stored credentials)');
  return key;
}

/** Ciphertext bound to the company and the field: copied onto another row or field, it does not decrypt. */
function seal(config: ApiDeps['config'], companyId: string, field: SecretField, value: string): string {
  return encryptSecret(secretKeyOf(config), paymentSecretAad(companyId, field), value);
}

function open(config: ApiDeps['config'], companyId: string, field: SecretField, stored: string): string {
  return decryptSecret(secretKeyOf(config), paymentSecretAad(companyId, field), stored);
}

/** What may be shown of a secret: its kind prefix and last 4 characters. */
function hint(secret: string): string {
  const prefix = /^[a-z]+_(?:[a-z]+_)?/.exec(secret)?.[0] ?? '';
  return `${prefix}…${secret.slice(-4)}`;
}

function notificationUrls(config: ApiDeps['config'], companyId: string) {
  return {
    yookassa: `${config.http.publicUrl}/payments/yookassa/${companyId}/notifications`,
    stripe: `${config.http.publicUrl}/payments/stripe/${companyId}/webhook`,
  };
}

function settingsView(config: ApiDeps['config'], companyId: string, s: PaymentSettings | null) {
  const readable = (field: SecretField, stored: string | null | undefined) => {
    if (!stored) return null;
    try {
      return hint(open(config, companyId, field, stored));
    } catch {
      return '…';
    }
  };
  return {
    companyId,
    provider: (s?.provider ?? 'manual') as PaymentProviderName,
    yookassa:
      s?.yookassaShopId && s.yookassaSecretKeyEncrypted
        ? { shopId: s.yookassaShopId, secretKeyHint: readable('yookassaSecretKey', s.yookassaSecretKeyEncrypted)! }
        : null,
    stripe: s?.stripeSecretKeyEncrypted
      ? {
          secretKeyHint: readable('stripeSecretKey', s.stripeSecretKeyEncrypted)!,
          webhookSecretHint: readable('stripeWebhookSecret', s.stripeWebhookSecretEncrypted),
        }
      : null,
    /** Where to point each provider's notifications (webhooks). */
    notificationUrls: notificationUrls(config, companyId),
    updatedAt: s?.updatedAt ?? null,
  };
}

export async function getSettings(ctx: Ctx, input: { companyId: string }) {
  const { company } = await ctx.access.company(input.companyId);
  const settings = await ctx.em.findOne(PaymentSettings, { company: company.id });
  return settingsView(ctx.config, company.id, settings);
}

export async function updateSettings(
  ctx: Ctx,
  input: {
    companyId: string;
    provider: PaymentProviderName;
    yookassa?: { shopId: string; secretKey: string } | null;
    stripe?: { secretKey: string; webhookSecret: string } | null;
  },
) {
  const { company } = await ctx.access.company(input.companyId);
  secretKeyOf(ctx.config);
  return ctx.em.transactional(async (tem) => {
    let settings = await tem.findOne(
      PaymentSettings,
      { company: company.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    const before = settings?.provider ?? 'manual';
    settings ??= tem.create(PaymentSettings, {
      company: company.id,
      provider: 'manual',
      yookassaShopId: null,
      yookassaSecretKeyEncrypted: null,
      stripeSecretKeyEncrypted: null,
      stripeWebhookSecretEncrypted: null,
    });
    const changes: Record<string, unknown> = {};
    if (input.yookassa !== undefined) {
      settings.yookassaShopId = input.yookassa?.shopId ?? null;
      settings.yookassaSecretKeyEncrypted = input.yookassa
        ? seal(ctx.config, company.id, 'yookassaSecretKey', input.yookassa.secretKey)
        : null;
      changes.yookassaCredentials = input.yookassa ? 'set' : 'removed';
    }
    if (input.stripe !== undefined) {
      settings.stripeSecretKeyEncrypted = input.stripe
        ? seal(ctx.config, company.id, 'stripeSecretKey', input.stripe.secretKey)
        : null;
      settings.stripeWebhookSecretEncrypted = input.stripe
        ? seal(ctx.config, company.id, 'stripeWebhookSecret', input.stripe.webhookSecret)
        : null;
      changes.stripeCredentials = input.stripe ? 'set' : 'removed';
    }
    const configured =
      input.provider === 'manual' ||
      (input.provider === 'yookassa' && settings.yookassaSecretKeyEncrypted) ||
      (input.provider === 'stripe' && settings.stripeSecretKeyEncrypted && settings.stripeWebhookSecretEncrypted);
    if (!configured) {
      throw new ValidationError(`Give the ${input.provider} credentials before choosing it`, {
        reason: 'PAYMENT_PROVIDER_NOT_CONFIGURED',
        field: input.provider,
      });
    }
    settings.provider = input.provider;
    if (before !== input.provider) changes.provider = { from: before, to: input.provider };
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'payment-settings.update',
      targetType: 'company',
      targetId: company.id,
      changes,
    });
    await tem.flush();
    return settingsView(ctx.config, company.id, settings);
  });
}

/** The company's provider with its decrypted credentials, or null when it has none for that provider. */
export function providerFor(
  config: ApiDeps['config'],
  companyId: string,
  name: PaymentProviderName,
  settings: PaymentSettings | null,
): PaymentProvider | null {
  const read = (field: SecretField, stored: string | null | undefined) =>
    stored ? open(config, companyId, field, stored) : null;
  const yooKey = read('yookassaSecretKey', settings?.yookassaSecretKeyEncrypted);
  const stripeKey = read('stripeSecretKey', settings?.stripeSecretKeyEncrypted);
  return createProvider(
    name,
    {
      yookassa: settings?.yookassaShopId && yooKey ? { shopId: settings.yookassaShopId, secretKey: yooKey } : null,
      stripe: stripeKey
        ? { secretKey: stripeKey, webhookSecret: read('stripeWebhookSecret', settings?.stripeWebhookSecretEncrypted) }
        : null,
    },
    config.payments,
  );
}

export function paymentView(p: Payment) {
  return {
    id: p.id,
    orderId: p.order.id,
    provider: p.provider,
    providerPaymentId: p.providerPaymentId,
    amountMinor: p.amountMinor,
    currency: p.currency,
    status: p.status,
    refundedMinor: p.refundedMinor,
    confirmationUrl: p.status === 'PENDING' ? (p.confirmationUrl ?? null) : null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

async function accessOrder(ctx: Ctx, id: string): Promise<CustomerOrder> {
  const order = await ctx.em.findOne(CustomerOrder, { id });
  if (!order) throw new NotFoundError('Order');
  try {
    await ctx.access.company(order.company.id);
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError('Order');
    throw e;
  }
  return order;
}

/** A return URL must be on the installation's own origins (no open redirect through a provider). */
function checkReturnUrl(ctx: Ctx, url: string | undefined, orderId: string): string {
  if (url === undefined) return `${ctx.config.http.publicUrl}/orders/${orderId}`;
  const origin = new URL(url).origin;
  const allowed = new Set([new URL(ctx.config.http.publicUrl).origin, ...ctx.config.http.corsOrigins]);
  if (!allowed.has(origin)) {
    throw new ValidationError('The return URL must be on one of this installation’s origins', {
      reason: 'PAYMENT_RETURN_URL_NOT_ALLOWED',
      field: 'returnUrl',
    });
  }
  return url;
}

function providerError(err: unknown): never {
  if (err instanceof ProviderRequestError) {
    // 4xx: the provider refused what we sent (credentials, amount): the company must fix its settings.
    if (err.status >= 400 && err.status < 500) {
      throw new ConflictError('The payment provider refused the request; check the payment settings', {
        reason: 'PAYMENT_PROVIDER_REFUSED',
        providerStatus: err.status,
        providerCode: err.code,
      });
    }
    throw new ServiceUnavailableError('The payment provider is unavailable; try again');
  }
  if (err instanceof MoneyError) {
    throw new ValidationError(err.message, { reason: 'PAYMENT_CURRENCY_NOT_SUPPORTED' });
  }
  if (err instanceof TypeError || (err instanceof Error && err.name === 'TimeoutError')) {
    throw new ServiceUnavailableError('The payment provider could not be reached; try again');
  }
  throw err;
}

/**
 * Starts a payment for a PLACED order with the company's provider (or the one given): the provider's confirmation URL
 * (YooKassa, Stripe) or bank-transfer instructions (manual). A payment still pending for the same provider and
 * amount is given again rather than a second one made.
 */
export async function startPayment(
  ctx: Ctx,
  input: { orderId: string; provider?: PaymentProviderName; returnUrl?: string },
) {
  const order = await accessOrder(ctx, input.orderId);
  const companyId = order.company.id;
  if (order.state !== 'PLACED') {
    throw new ConflictError(`An order in ${order.state} cannot be paid`, {
      reason: 'ORDER_NOT_PAYABLE',
      state: order.state,
    });
  }
  const returnUrl = checkReturnUrl(ctx, input.returnUrl, order.id);
  const settings = await ctx.em.findOne(PaymentSettings, { company: companyId });
  const name = input.provider ?? settings?.provider ?? 'manual';
  const provider = providerFor(ctx.config, companyId, name, settings);
  if (!provider) {
    throw new ValidationError(`The company has no ${name} credentials`, {
      reason: 'PAYMENT_PROVIDER_NOT_CONFIGURED',
      field: 'provider',
    });
  }
  const reference = order.reference ?? `#${order.number}`;
  const existing = await ctx.em.findOne(
    Payment,
    { order: order.id, provider: name, status: 'PENDING', amountMinor: order.totalMinor, currency: order.currency },
    { orderBy: { createdAt: 'desc' } },
  );
  if (existing) {
    if (name === 'manual') return startView(existing, name, reference);
    // Still payable at the provider? A payment it cancelled or expired is closed here and a new one made.
    const now = await provider.fetchStatus(existing.providerPaymentId).catch(providerError);
    if (now.status === 'PENDING') return startView(existing, name, reference);
    if (now.status !== 'CANCELED') {
      throw new ConflictError('A payment of this order succeeded; its confirmation is on its way', {
        reason: 'PAYMENT_ALREADY_SUCCEEDED',
      });
    }
    await ctx.em.nativeUpdate(
      Payment,
      { id: existing.id, status: 'PENDING' },
      { status: 'CANCELED', confirmationUrl: null },
    );
  }

  const id = crypto.randomUUID();
  const created = await provider
    .createPayment({
      orderId: order.id,
      amountMinor: order.totalMinor,
      currency: order.currency,
      description: `Order ${reference}`,
      returnUrl,
      idempotencyKey: id,
      reference,
    })
    .catch(providerError);
  return ctx.em.transactional(async (tem) => {
    const payment = tem.create(Payment, {
      id,
      company: companyId,
      order: order.id,
      provider: name,
      providerPaymentId: created.providerPaymentId,
      providerIntentId: null,
      amountMinor: order.totalMinor,
      currency: order.currency,
      status: 'PENDING',
      refundedMinor: 0,
      confirmationUrl: created.confirmationUrl,
    });
    audit(tem, actor(ctx), {
      companyId,
      action: 'payment.start',
      targetType: 'order',
      targetId: order.id,
      changes: { provider: { from: null, to: name }, amountMinor: { from: null, to: order.totalMinor } },
    });
    await tem.flush();
    return startView(payment, name, reference);
  });
}

function startView(payment: Payment, name: PaymentProviderName, reference: string) {
  return {
    payment: paymentView(payment),
    confirmationUrl: payment.confirmationUrl ?? null,
    /** Bank transfer: the payer transfers the amount with this reference; an admin then marks the order paid. */
    bankTransfer:
      name === 'manual' ? { reference, amountMinor: payment.amountMinor, currency: payment.currency } : null,
  };
}

export async function listPayments(ctx: Ctx, input: { orderId: string }) {
  const order = await accessOrder(ctx, input.orderId);
  const payments = await ctx.em.find(Payment, { order: order.id }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  return { items: payments.map(paymentView) };
}

// ---- provider notifications ----

const STATUS_RANK: Record<PaymentStatus, number> = {
  PENDING: 0,
  CANCELED: 1,
  SUCCEEDED: 2,
  PARTIALLY_REFUNDED: 3,
  REFUNDED: 4,
};

const rank = (status: string): number => STATUS_RANK[status as PaymentStatus];

export interface NotificationAnswer {
  status: number;
  body: { ok: boolean; outcome?: string; duplicate?: boolean; error?: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One notification from YooKassa or Stripe for one company: verified by the provider module (Stripe: signature with
 * the company's signing secret; YooKassa: source address, then the payment read back from its API), then applied once
 * per event key in one transaction with the payment row and, for a success, `recordOrderPayment`.
 *
 * Answers: 200 applied, a duplicate, an unknown payment or an event we ignore (so the provider stops retrying);
 * 400 bad body or signature; 403 not from the provider's addresses; 404 unknown company or provider not configured;
 * 503 the provider's API could not be asked (it will retry).
 */
export async function handleNotification(
  deps: Pick<ApiDeps, 'orm' | 'config' | 'log'>,
  input: { provider: 'yookassa' | 'stripe'; companyId: string } & RawNotification,
): Promise<NotificationAnswer> {
  const log = deps.log.child({ provider: input.provider, companyId: input.companyId, route: 'payment-notification' });
  if (!UUID.test(input.companyId)) return { status: 404, body: { ok: false, error: 'not found' } };
  const em = deps.orm.fork();
  const settings = await em.findOne(PaymentSettings, { company: input.companyId });
  let provider: PaymentProvider | null = null;
  try {
    provider = settings ? providerFor(deps.config, input.companyId, input.provider, settings) : null;
  } catch (err) {
    log.error({ err }, 'payment credentials do not decrypt');
  }
  if (!provider) return { status: 404, body: { ok: false, error: 'not found' } };

  let verified: VerifiedNotification;
  try {
    verified = await provider.parseAndVerifyNotification(input);
  } catch (err) {
    if (err instanceof NotificationRejectedError) {
      log.warn({ reason: err.reason, ip: input.ip }, 'payment notification refused');
      const status = err.reason === 'FORBIDDEN_SOURCE' ? 403 : err.reason === 'NOT_CONFIGURED' ? 404 : 400;
      return { status, body: { ok: false, error: err.reason } };
    }
    if (err instanceof ProviderRequestError && err.status === 404) {
      // The provider does not know the object the notification names: forged or someone else's. Nothing changes.
      log.warn({ providerStatus: err.status }, 'payment notification names an object the provider does not know');
      return { status: 200, body: { ok: true, outcome: 'UNKNOWN_PAYMENT' } };
    }
    log.error({ err }, 'payment notification could not be verified');
    return { status: 503, body: { ok: false, error: 'provider unavailable' } };
  }

  if (!verified.confirmed) {
    // The provider's API does not (yet) say what the notification claims: forged, or ahead of the API. Nothing is
    // recorded, so the genuine notification, which carries the same key, is still applied when it comes.
    log.warn({ eventKey: verified.eventKey, status: verified.payment?.status }, 'payment notification not confirmed');
    return { status: 200, body: { ok: true, outcome: 'NOT_CONFIRMED' } };
  }
  try {
    const outcome = await em.fork().transactional((tem) => applyNotification(tem, input, verified, log));
    return { status: 200, body: { ok: true, outcome } };
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      log.info({ eventKey: verified.eventKey }, 'duplicate payment notification');
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    throw err;
  }
}

async function applyNotification(
  tem: EntityManager,
  input: { provider: 'yookassa' | 'stripe'; companyId: string },
  verified: VerifiedNotification,
  log: ApiDeps['log'],
): Promise<string> {
  // The event key first: a second delivery of the same event conflicts here and changes nothing.
  const notificationId = crypto.randomUUID();
  await tem.insert(PaymentNotification, {
    id: notificationId,
    company: input.companyId,
    provider: input.provider,
    eventKey: verified.eventKey,
    eventType: verified.eventType,
    payment: null,
    outcome: 'NO_CHANGE',
    receivedAt: new Date(),
  });
  const settle = async (outcome: PaymentNotification['outcome'], payment: Payment | null) => {
    await tem.nativeUpdate(PaymentNotification, { id: notificationId }, { outcome, payment: payment?.id ?? null });
    return outcome;
  };

  if (verified.kind === 'ignored' || !verified.payment) return settle('IGNORED', null);
  const where = verified.lookup.providerPaymentId
    ? { providerPaymentId: verified.lookup.providerPaymentId }
    : verified.lookup.providerIntentId
      ? { providerIntentId: verified.lookup.providerIntentId }
      : null;
  const payment = where
    ? await tem.findOne(
        Payment,
        { company: input.companyId, provider: input.provider, ...where },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      )
    : null;
  const state = verified.payment;
  if (
    !payment ||
    state.currency !== payment.currency ||
    (verified.kind === 'payment' && state.amountMinor !== payment.amountMinor) ||
    (state.orderId !== null && state.orderId !== payment.order.id)
  ) {
    log.warn(
      { eventKey: verified.eventKey, eventType: verified.eventType },
      'payment notification for no known payment',
    );
    return settle('UNKNOWN_PAYMENT', null);
  }

  const wasPaid = rank(payment.status) >= STATUS_RANK.SUCCEEDED;
  // States only move forward: a cancel after a success, or a success after a refund, arrives late and changes nothing.
  let changed = false;
  if (STATUS_RANK[state.status] > rank(payment.status) && !(state.status === 'CANCELED' && wasPaid)) {
    payment.status = state.status;
    changed = true;
  }
  if (state.refundedMinor > payment.refundedMinor) {
    payment.refundedMinor = Math.min(state.refundedMinor, payment.amountMinor);
    changed = true;
  }
  if (state.providerIntentId && !payment.providerIntentId) {
    payment.providerIntentId = state.providerIntentId;
    changed = true;
  }
  if (state.status !== 'PENDING' && state.status !== 'CANCELED') payment.confirmationUrl = null;
  await tem.flush();
  if (!changed) return settle('NO_CHANGE', payment);

  // The money arrived (a refund notice first also proves it): the order is paid, in this same transaction.
  if (!wasPaid && rank(payment.status) >= STATUS_RANK.SUCCEEDED) {
    try {
      // A savepoint with an empty identity map (recordOrderPayment's contract: nothing else flushed after it takes
      // the invoice counter); the payment row was flushed above.
      await tem.transactional(
        (inner) =>
          recordOrderPayment(inner, {
            companyId: input.companyId,
            orderId: payment.order.id,
            amountMinor: payment.amountMinor,
            currency: payment.currency,
            provider: input.provider,
            reference: payment.providerPaymentId,
          }),
        { clear: true },
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // Already paid (another payment, or marked by hand), cancelled, or another amount: the money is recorded on the
      // payment row for the company to refund, and the order stays as it is.
      log.warn({ err, orderId: payment.order.id, paymentId: payment.id }, 'order refused a provider payment');
      return settle('ORDER_REFUSED', payment);
    }
  }
  return settle('APPLIED', payment);
}

/** The company a payment route names exists (for a 404 before reading a body). */
export async function companyExists(deps: Pick<ApiDeps, 'orm'>, companyId: string): Promise<boolean> {
  if (!UUID.test(companyId)) return false;
  return (await deps.orm.fork().count(Company, { id: companyId })) > 0;
}
