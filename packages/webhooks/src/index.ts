// Outbound webhooks: Standard Webhooks signing, and an SSRF-checked HTTP client that connects only to the address it checked.
export {
  checkAddress,
  checkUrl,
  OutboundBlockedError,
  OutboundRequestError,
  pinnedLookup,
  resolveChecked,
  safeRequest,
  type AddressVerdict,
  type OutboundPolicy,
  type Resolver,
  type SafeRequestInput,
  type SafeResponse,
} from './ssrf.ts';
export {
  decryptSecret,
  encryptSecret,
  generateSecret,
  SECRET_ROTATION_GRACE_MS,
  signHeaders,
  type SignedHeaders,
} from './signing.ts';
export { eventBody, testBody, webhookEventId, webhookPayloadJsonSchemas } from './payloads.ts';
export { RETRY_SCHEDULE_S, RESPONSE_EXCERPT_BYTES, nextAttemptDelayS } from './schedule.ts';
