// Manual payment by bank transfer: the default. Nothing is sent anywhere; the payer is told to transfer the amount
// with the order's reference, and an admin marks the order paid with the transfer's reference (order.markPaid).
import { minorToDecimal } from './money.ts';
import {
  NotificationRejectedError,
  ProviderRequestError,
  type CreatedPayment,
  type CreatePaymentInput,
  type PaymentProvider,
  type ProviderPaymentState,
  type RefundResult,
  type VerifiedNotification,
} from './port.ts';

export class ManualProvider implements PaymentProvider {
  readonly name = 'manual' as const;

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    return {
      // One bank-transfer payment per order and attempt key: the reference is what the transfer must say.
      providerPaymentId: `manual:${input.idempotencyKey}`,
      confirmationUrl: null,
      status: 'PENDING',
      instructions: {
        kind: 'bank-transfer',
        reference: input.reference,
        amount: minorToDecimal(input.amountMinor, input.currency),
        currency: input.currency,
      },
    };
  }

  parseAndVerifyNotification(): Promise<VerifiedNotification> {
    return Promise.reject(new NotificationRejectedError('NOT_CONFIGURED', 'Bank transfers send no notifications'));
  }

  fetchStatus(): Promise<ProviderPaymentState> {
    return Promise.reject(new ProviderRequestError(404, 'manual', 'A bank transfer is confirmed by an admin'));
  }

  refund(): Promise<RefundResult> {
    return Promise.reject(new ProviderRequestError(409, 'manual', 'A bank transfer is refunded by the company itself'));
  }
}
