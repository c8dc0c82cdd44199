import { ApiKeySchema } from './api-key.entity.ts';
import { ArContentSchema } from './ar-content.entity.ts';
import { ArPlaylistItemSchema, ArPlaylistRuleSchema } from './ar-playlist.entity.ts';
import { AuditLogSchema } from './audit-log.entity.ts';
import { CompanySchema } from './company.entity.ts';
import { CustomerUploadLinkSchema } from './customer-upload-link.entity.ts';
import { DocumentLinkSchema, PrintFileSchema } from './document.entity.ts';
import {
  CompanyCounterSchema,
  CustomerOrderSchema,
  InvoiceSchema,
  OrderItemSchema,
  ProductSchema,
} from './order.entity.ts';
import { EmailMessageSchema } from './email-message.entity.ts';
import {
  PaymentNotificationSchema,
  PaymentRefundSchema,
  PaymentSchema,
  PaymentSettingsSchema,
} from './payment.entity.ts';
import { EmailVerificationTokenSchema } from './email-verification-token.entity.ts';
import { InvitationSchema } from './invitation.entity.ts';
import { MembershipSchema } from './membership.entity.ts';
import {
  NotificationPreferenceSchema,
  NotificationSchema,
  PushDeliverySchema,
  PushTokenSchema,
} from './notification.entity.ts';
import { OidcIdentitySchema, OidcLoginStateSchema } from './oidc.entity.ts';
import { OutboxDeliverySchema, OutboxEventSchema } from './outbox.entity.ts';
import { PasswordResetRequestSchema } from './password-reset-request.entity.ts';
import { ProjectSchema } from './project.entity.ts';
import { RateLimitSchema } from './rate-limit.entity.ts';
import { RefreshTokenSchema } from './refresh-token.entity.ts';
import { UploadAttemptSchema } from './upload-attempt.entity.ts';
import { UploadSessionSchema } from './upload-session.entity.ts';
import { UserSchema } from './user.entity.ts';
import { VideoSchema } from './video.entity.ts';
import { VideoStepSchema } from './video-step.entity.ts';
import { ViewSessionSchema } from './view-session.entity.ts';
import { WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema } from './webhook.entity.ts';
import { WorkerHeartbeatSchema } from './worker-heartbeat.entity.ts';

// The enum columns take their values from the contract; re-exported so db code can keep importing them from here.
export {
  AR_CONTENT_STATUSES,
  PLAYLIST_RULE_KINDS,
  ROLES,
  ROTATION_CYCLES,
  STEP_STATUSES,
  VIDEO_STATUSES,
  type ArContentStatus,
  type PlaylistRuleKind,
  type Role,
  type RotationCycle,
  type StepStatus,
  type VideoStatus,
} from '@arvlite/contract';
export { ApiKey, ApiKeySchema } from './api-key.entity.ts';
export { ArContent, ArContentSchema } from './ar-content.entity.ts';
export { ArPlaylistItem, ArPlaylistItemSchema, ArPlaylistRule, ArPlaylistRuleSchema } from './ar-playlist.entity.ts';
export { AuditLog, AuditLogSchema } from './audit-log.entity.ts';
export { Company, CompanySchema } from './company.entity.ts';
export { CustomerUploadLink, CustomerUploadLinkSchema } from './customer-upload-link.entity.ts';
export { DocumentLink, DocumentLinkSchema, PrintFile, PrintFileSchema } from './document.entity.ts';
export {
  CompanyCounter,
  CompanyCounterSchema,
  CustomerOrder,
  CustomerOrderSchema,
  Invoice,
  InvoiceSchema,
  OrderItem,
  OrderItemSchema,
  Product,
  ProductSchema,
} from './order.entity.ts';
export { EmailMessage, EmailMessageSchema } from './email-message.entity.ts';
export {
  Payment,
  PaymentNotification,
  PaymentNotificationSchema,
  PaymentRefund,
  PaymentRefundSchema,
  PaymentSchema,
  PaymentSettings,
  PaymentSettingsSchema,
} from './payment.entity.ts';
export { EmailVerificationToken, EmailVerificationTokenSchema } from './email-verification-token.entity.ts';
export { Invitation, InvitationSchema } from './invitation.entity.ts';
export { Membership, MembershipSchema } from './membership.entity.ts';
export {
  Notification,
  NotificationPreference,
  NotificationPreferenceSchema,
  NotificationSchema,
  PushDelivery,
  PushDeliverySchema,
  PushToken,
  PushTokenSchema,
} from './notification.entity.ts';
export { OidcIdentity, OidcIdentitySchema, OidcLoginState, OidcLoginStateSchema } from './oidc.entity.ts';
export { OutboxDelivery, OutboxDeliverySchema, OutboxEvent, OutboxEventSchema } from './outbox.entity.ts';
export { PasswordResetRequest, PasswordResetRequestSchema } from './password-reset-request.entity.ts';
export { Project, ProjectSchema } from './project.entity.ts';
export { RateLimit, RateLimitSchema } from './rate-limit.entity.ts';
export { RefreshToken, RefreshTokenSchema } from './refresh-token.entity.ts';
export { UploadAttempt, UploadAttemptSchema } from './upload-attempt.entity.ts';
export { UploadSession, UploadSessionSchema } from './upload-session.entity.ts';
export { User, UserSchema } from './user.entity.ts';
export { Video, VideoSchema } from './video.entity.ts';
export { VideoStep, VideoStepSchema } from './video-step.entity.ts';
export { WorkerHeartbeat, WorkerHeartbeatSchema } from './worker-heartbeat.entity.ts';
export {
  WebhookAttempt,
  WebhookAttemptSchema,
  WebhookDelivery,
  WebhookDeliverySchema,
  WebhookEndpoint,
  WebhookEndpointSchema,
} from './webhook.entity.ts';
export {
  DEVICE_PLATFORMS,
  SESSION_END_REASONS,
  ViewSession,
  ViewSessionSchema,
  type DevicePlatform,
} from './view-session.entity.ts';

export const entities = [
  WorkerHeartbeatSchema,
  UserSchema,
  CompanySchema,
  MembershipSchema,
  InvitationSchema,
  RefreshTokenSchema,
  EmailVerificationTokenSchema,
  PasswordResetRequestSchema,
  ProjectSchema,
  AuditLogSchema,
  RateLimitSchema,
  OidcIdentitySchema,
  OidcLoginStateSchema,
  VideoSchema,
  UploadSessionSchema,
  UploadAttemptSchema,
  VideoStepSchema,
  ArContentSchema,
  ArPlaylistItemSchema,
  ArPlaylistRuleSchema,
  ViewSessionSchema,
  OutboxEventSchema,
  OutboxDeliverySchema,
  EmailMessageSchema,
  ApiKeySchema,
  WebhookEndpointSchema,
  WebhookDeliverySchema,
  WebhookAttemptSchema,
  NotificationSchema,
  NotificationPreferenceSchema,
  PushTokenSchema,
  PushDeliverySchema,
  CustomerUploadLinkSchema,
  ProductSchema,
  CustomerOrderSchema,
  OrderItemSchema,
  InvoiceSchema,
  CompanyCounterSchema,
  PaymentSettingsSchema,
  PaymentSchema,
  PaymentNotificationSchema,
  PaymentRefundSchema,
  DocumentLinkSchema,
  PrintFileSchema,
];
