// Payment providers' notifications: YooKassa's HTTP notifications and Stripe's webhooks, one route each per company.
// The body is kept as raw bytes (Stripe signs the exact bytes) and is small: at most 64 KiB, else 413 before it is read.
import { handlePaymentNotification, type ApiDeps } from '@arvlite/api';
import type { createFastify } from './app.ts';

type App = ReturnType<typeof createFastify>;

/** Larger than any notification either provider sends (a payment object is a few KB). */
const NOTIFICATION_BODY_LIMIT = 64 * 1024;

export async function registerPaymentRoutes(app: App, deps: ApiDeps) {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: NOTIFICATION_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    for (const [provider, path] of [
      ['yookassa', '/payments/yookassa/:companyId/notifications'],
      ['stripe', '/payments/stripe/:companyId/webhook'],
    ] as const) {
      scope.post<{ Params: { companyId: string }; Body: Buffer }>(path, async (req, reply) => {
        const answer = await handlePaymentNotification(deps, {
          provider,
          companyId: req.params.companyId,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          headers: req.headers,
          // The client address after TRUST_PROXY (Fastify's trustProxy): only trusted proxies' X-Forwarded-For counts.
          ip: req.ip,
        });
        return reply.code(answer.status).send(answer.body);
      });
    }
  });
}
