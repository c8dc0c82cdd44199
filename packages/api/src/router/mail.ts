import { mailKindSchema, MAIL_STATUSES } from '@arvlite/contract';
import { z } from 'zod';
import { listEmailLog } from '../services/mail.service.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { id, pageInput } from '../validators.ts';

export const mailRouter = router({
  /** The company's email log, newest first (admins). */
  log: tenantProcedure('admin')
    .input(
      z.strictObject({
        companyId: id,
        ...pageInput,
        status: z.enum(MAIL_STATUSES).optional(),
        kind: mailKindSchema.optional(),
      }),
    )
    .query(({ ctx, input }) => listEmailLog(ctx, input)),
});
