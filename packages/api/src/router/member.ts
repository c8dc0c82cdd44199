import { z } from 'zod';
import * as members from '../services/member.service.ts';
import { router, userTenantProcedure } from '../trpc.ts';
import { email, id, role } from '../validators.ts';

export const memberRouter = router({
  invite: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id, email, role }))
    .mutation(({ ctx, input }) => members.invite(ctx, input)),

  list: userTenantProcedure('viewer')
    .input(z.strictObject({ companyId: id }))
    .query(({ ctx, input }) => members.listMembers(ctx, input)),

  updateRole: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id, membershipId: id, role }))
    .mutation(({ ctx, input }) => members.updateRole(ctx, input)),

  remove: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id, membershipId: id }))
    .mutation(({ ctx, input }) => members.removeMember(ctx, input)),

  resendInvite: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id, invitationId: id }))
    .mutation(({ ctx, input }) => members.resendInvite(ctx, input)),

  revokeInvite: userTenantProcedure('admin')
    .input(z.strictObject({ companyId: id, invitationId: id }))
    .mutation(({ ctx, input }) => members.revokeInvite(ctx, input)),
});
