import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_DESCRIPTION_MAX,
  WEBHOOK_URL_MAX,
  webhookEventTypeSchema,
} from '@arvlite/contract';
import { z } from 'zod';
import { registerOpenApiExtension } from '../rest/openapi.ts';
import { webhookOpenApi } from '../services/webhook.docs.ts';
import * as webhooks from '../services/webhook.service.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { id, pageInput } from '../validators.ts';

const url = z
  .string()
  .trim()
  .min(1)
  .max(WEBHOOK_URL_MAX)
  .refine(
    (v) => {
      try {
        return ['https:', 'http:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'expected an https URL' },
  );
const events = z.array(webhookEventTypeSchema).min(1).max(20);
const description = z.string().trim().max(WEBHOOK_DESCRIPTION_MAX);

// The payloads this router's endpoints receive, in the OpenAPI document's `webhooks` section.
registerOpenApiExtension(webhookOpenApi);

export const webhookRouter = router({
  /** The company's endpoints (never their secrets). */
  list: tenantProcedure('admin')
    .input(z.strictObject({ companyId: id }))
    .query(({ ctx, input }) => webhooks.listEndpoints(ctx, input)),

  byId: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => webhooks.getEndpoint(ctx, input)),

  /** A new endpoint and its signing secret (`whsec_…`), shown this once. */
  create: tenantProcedure('admin')
    .input(
      z.strictObject({
        companyId: id,
        url,
        events,
        description: description.optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => webhooks.createEndpoint(ctx, input)),

  update: tenantProcedure('admin')
    .input(
      z.strictObject({
        id,
        url: url.optional(),
        events: events.optional(),
        description: description.nullable().optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => webhooks.updateEndpoint(ctx, input)),

  delete: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => webhooks.deleteEndpoint(ctx, input)),

  /** A new secret, shown this once; the old one keeps signing too for 24 hours. */
  rotateSecret: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => webhooks.rotateSecret(ctx, input)),

  /** The delivery log: newest first, each with its latest attempts (status, duration, start of the answer). */
  deliveries: tenantProcedure('admin')
    .input(z.strictObject({ id, ...pageInput, status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional() }))
    .query(({ ctx, input }) => webhooks.listDeliveries(ctx, input)),

  /** Sends a `webhook.test` message now (one attempt). */
  sendTest: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => webhooks.sendTest(ctx, input)),

  /** Sends a past delivery again (same body and webhook-id, signed anew; one attempt). */
  replay: tenantProcedure('admin')
    .input(z.strictObject({ deliveryId: id }))
    .mutation(({ ctx, input }) => webhooks.replayDelivery(ctx, input)),
});
