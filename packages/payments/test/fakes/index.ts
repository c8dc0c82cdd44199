// Local stand-ins for the payment providers' APIs (the tests cannot reach YooKassa or Stripe).
export { startFakeYooKassa, type FakeYooKassa, type FakeYooPayment } from './yookassa.ts';
export { parseForm, signStripePayload, startFakeStripe, type FakeStripe, type SignedEvent } from './stripe.ts';
export type { FakeServer } from './http.ts';
