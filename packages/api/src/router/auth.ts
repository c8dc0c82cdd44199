import { z } from 'zod';
import { languageSchema } from '@arvlite/contract';
import * as account from '../services/account.service.ts';
import * as auth from '../services/auth.service.ts';
import * as oidc from '../services/oidc.service.ts';
import { publicProcedure, router, selfProcedure } from '../trpc.ts';
import { displayName, email, id, opaqueToken, password } from '../validators.ts';

export const authRouter = router({
  register: publicProcedure
    .input(z.strictObject({ email, password, name: displayName, language: languageSchema.optional() }))
    .mutation(({ ctx, input }) => auth.register(ctx, input)),

  login: publicProcedure
    .input(z.strictObject({ email, password }))
    .mutation(({ ctx, input }) => auth.login(ctx, input)),

  refresh: publicProcedure
    .input(z.strictObject({ refreshToken: opaqueToken }))
    .mutation(({ ctx, input }) => auth.refresh(ctx, input)),

  logout: publicProcedure
    .input(z.strictObject({ refreshToken: opaqueToken }))
    .mutation(({ ctx, input }) => auth.logout(ctx, input)),

  logoutAll: selfProcedure.mutation(({ ctx }) => auth.logoutAll(ctx, ctx.user.id)),

  me: selfProcedure.query(({ ctx }) => auth.me(ctx, ctx.user)),

  requestEmailVerification: selfProcedure.mutation(({ ctx }) => auth.requestEmailVerification(ctx, ctx.user)),

  verifyEmail: publicProcedure
    .input(z.strictObject({ token: opaqueToken }))
    .mutation(({ ctx, input }) => auth.verifyEmail(ctx, input)),

  requestPasswordReset: publicProcedure
    .input(z.strictObject({ email }))
    .mutation(({ ctx, input }) => account.requestPasswordReset(ctx, input)),

  resetPassword: publicProcedure
    .input(z.strictObject({ token: opaqueToken, password }))
    .mutation(({ ctx, input }) => account.resetPassword(ctx, input)),

  changePassword: selfProcedure
    .input(z.strictObject({ currentPassword: password, newPassword: password }))
    .mutation(({ ctx, input }) => account.changePassword(ctx, ctx.user, input)),

  changeEmail: selfProcedure
    .input(z.strictObject({ currentPassword: password, email }))
    .mutation(({ ctx, input }) => account.changeEmail(ctx, ctx.user, input)),

  setLanguage: selfProcedure
    .input(z.strictObject({ language: languageSchema }))
    .mutation(({ ctx, input }) => account.setLanguage(ctx, ctx.user, input)),

  sessions: selfProcedure.query(({ ctx }) => account.listSessions(ctx, ctx.user)),

  revokeSession: selfProcedure
    .input(z.strictObject({ sessionId: id }))
    .mutation(({ ctx, input }) => account.revokeSession(ctx, ctx.user, input)),

  logoutOthers: selfProcedure.mutation(({ ctx }) => account.logoutOthers(ctx, ctx.user)),

  acceptInvite: selfProcedure
    .input(z.strictObject({ token: opaqueToken }))
    .mutation(({ ctx, input }) => auth.acceptInvite(ctx, ctx.user, input)),

  oidcProviders: publicProcedure.query(({ ctx }) => oidc.listProviders(ctx)),

  oidcStart: publicProcedure
    .input(z.strictObject({ provider: z.string().regex(/^[a-z0-9-]{1,32}$/), redirectUri: z.url().max(2048) }))
    .mutation(({ ctx, input }) => oidc.start(ctx, input)),

  oidcCallback: publicProcedure
    .input(
      z.strictObject({
        provider: z.string().regex(/^[a-z0-9-]{1,32}$/),
        callbackUrl: z.url().max(4096),
        /** The value oidcStart gave this client: the callback finishes only where the sign-in started. */
        binding: opaqueToken,
      }),
    )
    .mutation(({ ctx, input }) => oidc.callback(ctx, input)),
});
