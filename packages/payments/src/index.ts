// Payment providers behind one port: manual bank transfer (default), YooKassa and Stripe.
export * from './money.ts';
export * from './port.ts';
export { ManualProvider } from './manual.ts';
export {
  addressAllowed,
  addressList,
  YOOKASSA_NOTIFICATION_IPS,
  YooKassaProvider,
  type YooKassaOptions,
} from './yookassa.ts';
export { StripeProvider, stripeClient, type StripeOptions } from './stripe.ts';
export {
  createProvider,
  paymentSecretAad,
  type PaymentSecretField,
  type ProviderCredentials,
  type ProviderEndpoints,
} from './factory.ts';
