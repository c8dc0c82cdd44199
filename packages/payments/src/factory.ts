// One provider from a company's (decrypted) credentials and the installation's endpoints.
import { ManualProvider } from './manual.ts';
import type { PaymentProvider, PaymentProviderName } from './port.ts';
import { StripeProvider } from './stripe.ts';
import { YooKassaProvider } from './yookassa.ts';

export interface ProviderEndpoints {
  yookassaApiUrl: string;
  yookassaNotificationIps: readonly string[];
  stripeApiUrl: string;
}

export interface ProviderCredentials {
  yookassa?: { shopId: string; secretKey: string } | null;
  stripe?: { secretKey: string; webhookSecret: string | null } | null;
}

/** The provider, or null when the company has no credentials for it. */
export function createProvider(
  name: PaymentProviderName,
  credentials: ProviderCredentials,
  endpoints: ProviderEndpoints,
): PaymentProvider | null {
  switch (name) {
    case 'manual':
      return new ManualProvider();
    case 'yookassa':
      return credentials.yookassa
        ? new YooKassaProvider({
            apiUrl: endpoints.yookassaApiUrl,
            shopId: credentials.yookassa.shopId,
            secretKey: credentials.yookassa.secretKey,
            allowedIps: endpoints.yookassaNotificationIps,
          })
        : null;
    case 'stripe':
      return credentials.stripe
        ? new StripeProvider({
            apiUrl: endpoints.stripeApiUrl,
            secretKey: credentials.stripe.secretKey,
            webhookSecret: credentials.stripe.webhookSecret,
          })
        : null;
  }
}

/** The stored credentials of a company: which fields are secret, and the additional data each is sealed with. */
export type PaymentSecretField = 'yookassaSecretKey' | 'stripeSecretKey' | 'stripeWebhookSecret';

/**
 * AES-GCM additional data of a stored credential: bound to the company and the field, so a ciphertext copied onto
 * another company's row, or into another field, does not decrypt.
 */
export function paymentSecretAad(companyId: string, field: PaymentSecretField): string {
  return `payment-settings:${companyId}:${field}`;
}
