import { companyBillingInput, languageSchema, LOGO_MAX_BYTES, logoContentTypeSchema } from '@arvlite/contract';
import { z } from 'zod';
import * as logo from '../services/company-logo.service.ts';
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
    .query(({ ctx, input }) => companies.getCompany(ctx, input.id)),

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

  /** A presigned PUT for a new logo (PNG or JPEG, at most 1 MiB; owners and admins): one key, this size, UPLOAD_URL_TTL_S. */
  createLogoUpload: tenantProcedure('admin')
    .input(
      z.strictObject({
        companyId: id,
        contentType: logoContentTypeSchema,
        size: z.number().int().min(1).max(LOGO_MAX_BYTES),
      }),
    )
    .mutation(({ ctx, input }) => logo.createLogoUpload(ctx, input)),

  /** Checks the uploaded file (size, PNG/JPEG by its bytes) and makes it the logo; the previous logo is deleted. */
  completeLogoUpload: tenantProcedure('admin')
    .input(z.strictObject({ companyId: id, key: z.string().min(1).max(200) }))
    .mutation(({ ctx, input }) => logo.completeLogoUpload(ctx, input)),

  removeLogo: tenantProcedure('admin')
    .input(z.strictObject({ companyId: id }))
    .mutation(({ ctx, input }) => logo.removeLogo(ctx, input)),
});
