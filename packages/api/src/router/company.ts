import { companyBillingInput, languageSchema } from '@arvlite/contract';
import { z } from 'zod';
import * as companies from '../services/company.service.ts';
import { router, selfProcedure, tenantProcedure } from '../trpc.ts';
import { displayName, id, timeZone as timezone } from '../validators.ts';

export const companyRouter = router({
  create: selfProcedure
    .input(z.strictObject({ name: displayName, timezone: timezone.optional(), language: languageSchema.optional() }))
    .mutation(({ ctx, input }) => companies.createCompany(ctx, ctx.user, input)),

  list: selfProcedure.query(({ ctx }) => companies.listCompanies(ctx, ctx.user)),

  byId: tenantProcedure('viewer')
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => companies.getCompany(ctx.access, input.id)),

  update: tenantProcedure('admin')
    .input(
      z.strictObject({
        id,
        name: displayName.optional(),
        timezone: timezone.optional(),
        /** The language of the company's viewer pages, unless a visitor chooses another. */
        language: languageSchema.optional(),
        /** The details printed on invoices: legal name, address, tax ID, bank details (owners and admins). */
        billing: companyBillingInput.optional(),
      }),
    )
    .mutation(({ ctx, input }) => companies.updateCompany(ctx, input)),
});
