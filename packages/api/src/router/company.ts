import { z } from 'zod';
import * as companies from '../services/company.service.ts';
import { router, selfProcedure, tenantProcedure } from '../trpc.ts';
import { displayName, id } from '../validators.ts';

export const timezone = z
  .string()
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected an IANA timezone such as Europe/Berlin' },
  );

export const companyRouter = router({
  create: selfProcedure
    .input(z.strictObject({ name: displayName, timezone: timezone.optional() }))
    .mutation(({ ctx, input }) => companies.createCompany(ctx, ctx.user, input)),

  list: selfProcedure.query(({ ctx }) => companies.listCompanies(ctx, ctx.user)),

  byId: tenantProcedure('viewer')
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => companies.getCompany(ctx.access, input.id)),

  update: tenantProcedure('admin')
    .input(z.strictObject({ id, name: displayName.optional(), timezone: timezone.optional() }))
    .mutation(({ ctx, input }) => companies.updateCompany(ctx, input)),
});
