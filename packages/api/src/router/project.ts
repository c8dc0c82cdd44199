import { z } from 'zod';
import * as projects from '../services/project.service.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { description, displayName, id, pageInput } from '../validators.ts';

export const projectRouter = router({
  create: tenantProcedure('editor')
    .input(z.strictObject({ companyId: id, name: displayName, description: description.optional() }))
    .mutation(({ ctx, input }) => projects.createProject(ctx, input)),

  list: tenantProcedure('viewer')
    .input(z.strictObject({ companyId: id, ...pageInput, includeArchived: z.boolean().optional() }))
    .query(({ ctx, input }) => projects.listProjects(ctx, input)),

  byId: tenantProcedure('viewer')
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => projects.getProject(ctx, input)),

  update: tenantProcedure('editor')
    .input(z.strictObject({ id, name: displayName.optional(), description: description.nullable().optional() }))
    .mutation(({ ctx, input }) => projects.updateProject(ctx, input)),

  archive: tenantProcedure('admin')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => projects.archiveProject(ctx, input)),
});
