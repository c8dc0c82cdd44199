import { z } from 'zod';
import { listAudit } from '../services/audit.service.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { id, pageInput } from '../validators.ts';

export const auditRouter = router({
  list: tenantProcedure('admin')
    .input(
      z.strictObject({
        companyId: id,
        ...pageInput,
        action: z.string().max(64).optional(),
        actorId: id.optional(),
        targetType: z.string().max(32).optional(),
        targetId: z.string().max(64).optional(),
        from: z.date().optional(),
        to: z.date().optional(),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx, input)),
});
