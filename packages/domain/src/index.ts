export * from './errors.ts';
export { EMAIL_VERIFICATION_TTL_MS, emailVerificationToken, emailVerificationTokenHash } from './email-verification.ts';
export { customerUploadToken, documentLinkToken, invitationToken, passwordResetToken } from './link-tokens.ts';
export { unsubscribeToken, verifyUnsubscribeToken, type UnsubscribeScope } from './unsubscribe-token.ts';
export { addUsage, chargeUsage, commitQuota, releaseQuota, reserveQuota, type SqlExecutor } from './quota.ts';
export * from './storage-keys.ts';
export { canTransition, transition, type VideoStateFields } from './video-state.ts';
export { canTransitionArContent, transitionArContent } from './ar-content-state.ts';
export { canTransitionOrder, REFUNDABLE_ORDER_STATES, transitionOrder } from './order-state.ts';
