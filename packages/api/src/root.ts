import { adminRouter } from './router/admin.ts';
import { analyticsRouter } from './router/analytics.ts';
import { apiKeyRouter } from './router/api-key.ts';
import { arContentRouter } from './router/ar-content.ts';
import { auditRouter } from './router/audit.ts';
import { authRouter } from './router/auth.ts';
import { companyRouter } from './router/company.ts';
import { customerUploadRouter } from './router/customer-upload.ts';
import { healthRouter } from './router/health.ts';
import { mailRouter } from './router/mail.ts';
import { memberRouter } from './router/member.ts';
import { notificationRouter } from './router/notification.ts';
import { orderRouter } from './router/order.ts';
import { productRouter } from './router/product.ts';
import { playlistRouter } from './router/playlist.ts';
import { paymentRouter, paymentSettingsRouter } from './router/payment.ts';
import { projectRouter } from './router/project.ts';
import { videoRouter } from './router/video.ts';
import { viewerRouter } from './router/viewer.ts';
import { webhookRouter } from './router/webhook.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  company: companyRouter,
  member: memberRouter,
  project: projectRouter,
  audit: auditRouter,
  video: videoRouter,
  arContent: arContentRouter,
  playlist: playlistRouter,
  viewer: viewerRouter,
  analytics: analyticsRouter,
  apiKey: apiKeyRouter,
  mail: mailRouter,
  notification: notificationRouter,
  webhook: webhookRouter,
  admin: adminRouter,
  customerUpload: customerUploadRouter,
  product: productRouter,
  order: orderRouter,
  paymentSettings: paymentSettingsRouter,
  payment: paymentRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
