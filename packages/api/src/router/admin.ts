// The installation's admin: the platform operator's procedures. Everyone but an operator gets NOT_FOUND. The logic is
// in services/admin.service.ts, which the CLI calls too; no procedure here can grant the operator flag.
import { z } from 'zod';
import { actorOf } from '../audit.ts';
import type { Context } from '../context.ts';
import {
  adminInputs,
  cancelJobs,
  disableUser,
  enableUser,
  listAdminAudit,
  listCompaniesAdmin,
  listJobs,
  listUsersAdmin,
  listWorkers,
  queueCounts,
  reprocessMissingRendition,
  resumeCompany,
  retryJobs,
  setCompanyPlan,
  signOutUserEverywhere,
  suspendCompany,
  type AdminCtx,
} from '../services/admin.service.ts';
import { adminProcedure, router } from '../trpc.ts';

function adminCtx(ctx: Context & { caller: { userId: string } }): AdminCtx {
  return { em: ctx.em, config: ctx.config, actor: actorOf(ctx) };
}

export const adminRouter = router({
  companies: adminProcedure
    .input(adminInputs.listCompanies)
    .query(({ ctx, input }) => listCompaniesAdmin(adminCtx(ctx), input)),
  setPlan: adminProcedure.input(adminInputs.setPlan).mutation(({ ctx, input }) => setCompanyPlan(adminCtx(ctx), input)),
  suspendCompany: adminProcedure
    .input(adminInputs.suspend)
    .mutation(({ ctx, input }) => suspendCompany(adminCtx(ctx), input)),
  resumeCompany: adminProcedure
    .input(adminInputs.companyId)
    .mutation(({ ctx, input }) => resumeCompany(adminCtx(ctx), input)),

  users: adminProcedure.input(adminInputs.listUsers).query(({ ctx, input }) => listUsersAdmin(adminCtx(ctx), input)),
  disableUser: adminProcedure.input(adminInputs.userId).mutation(({ ctx, input }) => disableUser(adminCtx(ctx), input)),
  enableUser: adminProcedure.input(adminInputs.userId).mutation(({ ctx, input }) => enableUser(adminCtx(ctx), input)),
  signOutUser: adminProcedure
    .input(adminInputs.userId)
    .mutation(({ ctx, input }) => signOutUserEverywhere(adminCtx(ctx), input)),

  queue: adminProcedure.input(z.strictObject({}).optional()).query(({ ctx }) => queueCounts(adminCtx(ctx))),
  jobs: adminProcedure.input(adminInputs.jobs).query(({ ctx, input }) => listJobs(adminCtx(ctx), input)),
  retryJobs: adminProcedure.input(adminInputs.jobIds).mutation(({ ctx, input }) => retryJobs(adminCtx(ctx), input)),
  cancelJobs: adminProcedure.input(adminInputs.jobIds).mutation(({ ctx, input }) => cancelJobs(adminCtx(ctx), input)),
  reprocessMissingRendition: adminProcedure
    .input(adminInputs.reprocessMissing)
    .mutation(({ ctx, input }) => reprocessMissingRendition(adminCtx(ctx), input)),

  workers: adminProcedure
    .input(z.strictObject({}).optional())
    .query(({ ctx }) => listWorkers({ ...adminCtx(ctx), deadAfterMs: ctx.config.worker.deadAfterMs })),

  audit: adminProcedure.input(adminInputs.audit).query(({ ctx, input }) => listAdminAudit(adminCtx(ctx), input)),
});
