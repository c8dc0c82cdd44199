// API keys of a company: admins and owners manage them, signed in as themselves (a key cannot mint or revoke keys).
import { API_KEY_NAME_MAX, apiKeyRoleSchema } from '@arvlite/contract';
import { z } from 'zod';
import * as apiKeys from '../services/api-key.service.ts';
import { router, userTenantProcedure } from '../trpc.ts';
import { id, instant } from '../validators.ts';

export const apiKeyRouter = router({
  list: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id }))
    .query(({ ctx, input }) => apiKeys.listApiKeys(ctx, input)),

  /** Answers `{ key, apiKey }`: `key` is shown this once and never again. */
  create: userTenantProcedure('admin')
    .input(
      z.strictObject({
        companyId: id,
        name: z.string().trim().min(1).max(API_KEY_NAME_MAX),
        role: apiKeyRoleSchema,
        expiresAt: instant.nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => apiKeys.createApiKey(ctx, input)),

  revoke: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id, id }))
    .mutation(({ ctx, input }) => apiKeys.revokeApiKey(ctx, input)),
});
