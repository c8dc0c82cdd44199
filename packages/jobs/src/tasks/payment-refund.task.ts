// payment:refund: carries out one order refund at the payment provider (YooKassa or Stripe), keyed by the refund row's
// id as the provider's idempotency key, so a retried job never refunds twice. The outcome is recorded on the row: a
// provider's refusal (4xx) is final (FAILED, with its message); anything else is retried by graphile-worker.
import type { PaymentProvider as PaymentProviderName } from '@arvlite/contract';
import { createProvider, paymentSecretAad, ProviderRequestError, type PaymentSecretField } from '@arvlite/payments';
import { decryptSecret } from '@arvlite/webhooks';
import { defineTask } from '../define-task.ts';

interface RefundRow {
  id: string;
  company_id: string;
  payment_id: string;
  amount_minor: string;
  status: string | null;
  provider: PaymentProviderName;
  provider_payment_id: string;
  provider_intent_id: string | null;
  currency: string;
  yookassa_shop_id: string | null;
  yookassa_secret_key_encrypted: string | null;
  stripe_secret_key_encrypted: string | null;
}

export const paymentRefund = defineTask('payment:refund', async ({ em, payload, deps, log }) => {
  const row = await em.fork().transactional(async (tem) => {
    const [found] = await tem.execute<RefundRow[]>(
      `select r.id::text as id, r.company_id::text as company_id, r.payment_id::text as payment_id,
              r.amount_minor::text as amount_minor, r.status, p.provider, p.provider_payment_id, p.provider_intent_id,
              p.currency, s.yookassa_shop_id, s.yookassa_secret_key_encrypted, s.stripe_secret_key_encrypted
         from payment_refund r
         join payment p on p.id = r.payment_id
         left join payment_settings s on s.company_id = r.company_id
        where r.id = ? for update of r`,
      [payload.refundId],
    );
    if (!found || found.status === 'SUCCEEDED' || found.status === 'FAILED') return null;
    await tem.execute('update payment_refund set attempts = attempts + 1, updated_at = now() where id = ?', [found.id]);
    return found;
  });
  if (!row) return;

  const fail = async (message: string) => {
    await em.execute(`update payment_refund set status = 'FAILED', error = ?, updated_at = now() where id = ?`, [
      message.slice(0, 500),
      row.id,
    ]);
    log.warn({ refundId: row.id, error: message }, 'provider refund failed');
  };
  const key = deps.config.payments.secretKey;
  const read = (field: PaymentSecretField, stored: string | null) => {
    if (!stored || !key) return null;
    try {
      return decryptSecret(key, paymentSecretAad(row.company_id, field), stored);
    } catch {
      return null;
    }
  };
  const yooKey = read('yookassaSecretKey', row.yookassa_secret_key_encrypted);
  const stripeKey = read('stripeSecretKey', row.stripe_secret_key_encrypted);
  const provider = createProvider(
    row.provider,
    {
      yookassa: row.yookassa_shop_id && yooKey ? { shopId: row.yookassa_shop_id, secretKey: yooKey } : null,
      stripe: stripeKey ? { secretKey: stripeKey, webhookSecret: null } : null,
    },
    deps.config.payments,
  );
  if (!provider) return fail(`The company has no ${row.provider} credentials any more`);

  let result;
  try {
    result = await provider.refund({
      providerPaymentId: row.provider_payment_id,
      providerIntentId: row.provider_intent_id,
      amountMinor: Number(row.amount_minor),
      currency: row.currency,
      idempotencyKey: row.id,
    });
  } catch (err) {
    if (err instanceof ProviderRequestError && err.status >= 400 && err.status < 500) return fail(err.message);
    await em.execute('update payment_refund set error = ?, updated_at = now() where id = ?', [
      String((err as Error).message ?? err).slice(0, 500),
      row.id,
    ]);
    throw err;
  }
  await em.fork().transactional(async (tem) => {
    await tem.execute(
      `update payment_refund set status = ?, provider_refund_id = ?, error = null, updated_at = now() where id = ?`,
      [result.status, result.providerRefundId.slice(0, 255), row.id],
    );
    if (result.status !== 'SUCCEEDED') return;
    // What we refunded, or what the provider reported if more (its notifications may come first): never added twice.
    await tem.execute(
      `update payment p set
          refunded_minor = greatest(p.refunded_minor, least(p.amount_minor, r.total)),
          status = case when greatest(p.refunded_minor, least(p.amount_minor, r.total)) >= p.amount_minor
                        then 'REFUNDED' else 'PARTIALLY_REFUNDED' end,
          updated_at = now()
         from (select coalesce(sum(amount_minor), 0) as total from payment_refund
                where payment_id = ? and status = 'SUCCEEDED') r
        where p.id = ?`,
      [row.payment_id, row.payment_id],
    );
  });
  log.info({ refundId: row.id, status: result.status }, 'provider refund done');
});
