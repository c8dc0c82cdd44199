import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { appRouter, createCaller, type AppRouter } from './root.ts';
export { createContextInner, type ApiDeps, type Context, type RequestMeta } from './context.ts';
export * from './errors.ts';
export { checkHealth, sharedHealth } from './services/health.service.ts';
/** For the mailer and the tests: the link tokens of verification, invitation and reset rows, derived from their ids. */
export { emailVerificationToken, invitationToken, passwordResetToken } from '@arvlite/domain';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { signedMediaText, signMediaPath, PlaybackDenied, PlaybackUnavailable } from './services/playback.service.ts';
export { changeEvents, closeChangeEvents } from './change-events.ts';
export { checkUnsubscribeToken, unsubscribe } from './services/notification.service.ts';
export { openDocumentLink } from './services/documents.service.ts';
export {
  callRest,
  openApiDocument,
  registerOpenApiExtension,
  restError,
  restInput,
  restRoutes,
  REST_BASE,
  type OpenApiExtension,
  type RestRoute,
} from './rest/openapi.ts';
export { serialize as serializeOutput } from './serialize.ts';
export { manifestCacheHeaders, type ManifestReason, type ViewerManifest } from './services/viewer.service.ts';
/** The installation's admin, for the CLI (apps/cli): the same functions the `admin.*` procedures run. */
export * as admin from './services/admin.service.ts';
export { handleNotification as handlePaymentNotification } from './services/payments.service.ts';
/** Known OpenID Connect providers' settings (the Yandex preset), for the test against its discovery document. */
export { OIDC_PRESETS } from './services/oidc.service.ts';
