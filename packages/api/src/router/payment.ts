import {
  paymentListInput,
  paymentSettingsGetInput,
  paymentSettingsUpdateInput,
  paymentStartInput,
} from '@arvlite/contract';
import * as payments from '../services/payments.service.ts';
import { router, tenantProcedure, userTenantProcedure } from '../trpc.ts';

export const paymentSettingsRouter = router({
  /** The company's provider and which credentials are set (never the secrets: a prefix and the last 4 characters). */
  get: tenantProcedure('admin')
    .input(paymentSettingsGetInput)
    .query(({ ctx, input }) => payments.getSettings(ctx, input)),

  /** Choose the provider and set or remove credentials (signed-in admins and owners; not with an API key). */
  update: userTenantProcedure('admin')
    .input(paymentSettingsUpdateInput)
    .mutation(({ ctx, input }) => payments.updateSettings(ctx, input)),
});

export const paymentRouter = router({
  /** Starts paying a placed order: the provider's confirmation URL, or bank-transfer details for manual payment. */
  start: tenantProcedure('editor')
    .input(paymentStartInput)
    .mutation(({ ctx, input }) => payments.startPayment(ctx, input)),

  /** The order's payments, newest first. */
  list: tenantProcedure('viewer')
    .input(paymentListInput)
    .query(({ ctx, input }) => payments.listPayments(ctx, input)),
});
