// The one file with tRPC init, the error formatter and the procedure builders.
import { isDatabaseUnavailable, User, type Role } from '@arvlite/db';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import { createAccess, guardSuspension, type Caller } from './access.ts';
import { ApiKeyNotAllowedError, authenticateApiKey, isApiKeyToken } from './auth/api-keys.ts';
import { accessTokenClaims } from './auth/tokens.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
import type { Context } from './context.ts';
import { DomainError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from './errors.ts';

/** What a 503 for an unreachable database tells clients to wait (`retry-after`, seconds). */
export const DATABASE_RETRY_AFTER_S = 5;
import { failActiveSpan, inSpan, loginFailures, rateLimitHits, trpcDuration } from '@arvlite/telemetry';
import type { RestMeta } from './rest/meta.ts';
import { serialize } from './serialize.ts';

/**
 * How a procedure is scoped, read by the isolation test that walks the router:
 * `tenant` procedures load objects only through ctx.access at `minRole`; `self` ones touch only the caller's own rows;
 * `public` ones need no sign-in; `admin` ones are for the installation's operator only (everyone else: NOT_FOUND).
 */
export type ProcedureMeta = (
  | { scope: 'tenant'; minRole: Role; usersOnly?: boolean }
  | { scope: 'self' }
  | { scope: 'public' }
  | { scope: 'admin' }
  | { scope?: undefined }
) &
  RestMeta;

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // Inputs through superjson; outputs through our serializer, superjson's bytes for plain data in a fraction of the
    // time (serialize.ts). Clients deserialize with superjson as before.
    transformer: { input: superjson, output: { serialize, deserialize: superjson.deserialize } },
    sse: {
      ping: { enabled: true, intervalMs: 10_000 },
      client: { reconnectAfterInactivityMs: 15_000 },
    },
    errorFormatter({ shape, error, ctx }) {
      const cause = error.cause;
      const isZod = cause instanceof z.ZodError;
      const isDomain = cause instanceof DomainError;
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      const requestId = ctx?.requestId;
      return {
        message: internal
          ? `Internal server error${requestId ? ` (request id ${requestId})` : ''}`
          : isZod
            ? 'Invalid input'
            : shape.message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          requestId,
          // Never a stack trace, SQL or internal message.
          fieldErrors: isZod ? (z.flattenError(cause).fieldErrors as Record<string, string[] | undefined>) : undefined,
          formErrors: isZod ? z.flattenError(cause).formErrors : undefined,
          details: isDomain ? cause.details : undefined,
        },
      };
    },
  });

/** Postgres refuses NUL in text; refuse it at the edge for every procedure, with a clear message. */
function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

/**
 * First on every procedure: refuses NUL in the input, then maps domain errors thrown anywhere below to their tRPC
 * code, keeping the message. One middleware rather than two: each level of tRPC's chain copies the call's options.
 */
const edge = t.middleware(async ({ ctx, getRawInput, next, path, type }) => {
  const started = performance.now();
  let code = 'INTERNAL_SERVER_ERROR';
  try {
    const result = await inSpan(`trpc ${path}`, { 'rpc.system': 'trpc', 'rpc.method': path }, async () => {
      if (containsNul(await getRawInput())) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Text must not contain NUL characters' });
      }
      const result = await next();
      if (!result.ok && result.error.cause instanceof DomainError) {
        const cause = result.error.cause;
        throw new TRPCError({ code: cause.code, message: cause.message, cause });
      }
      if (!result.ok && isDatabaseUnavailable(result.error.cause)) {
        // The database stopped, restarting, our connection terminated, the pool full past its acquire timeout or a
        // statement timeout: 503 with a retry hint, never 500 (README, Health and logs).
        ctx.log.warn({ err: result.error.cause, path }, 'database unavailable');
        const cause = new ServiceUnavailableError(
          'The service is briefly unavailable; try again shortly',
          DATABASE_RETRY_AFTER_S,
        );
        throw new TRPCError({ code: cause.code, message: cause.message, cause });
      }
      if (!result.ok) failActiveSpan(result.error.code);
      if (result.ok && type === 'subscription' && isAsyncIterable(result.data)) {
        return { ...result, data: mapStreamErrors(result.data, ctx, path) };
      }
      return result;
    });
    code = result.ok ? 'OK' : result.error.code;
    return result;
  } catch (e) {
    if (e instanceof TRPCError) code = e.code;
    throw e;
  } finally {
    // Metrics: the procedure name comes from the router (a fixed set), the code from tRPC's fixed list.
    trpcDuration.observe({ procedure: path, type, code }, (performance.now() - started) / 1000);
    if (code === 'TOO_MANY_REQUESTS') rateLimitHits.inc({ procedure: path });
    if (path === 'auth.login' && code !== 'OK') loginFailures.inc();
  }
});

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && Symbol.asyncIterator in v;

/**
 * A subscription's stream, its errors mapped as the edge maps a call's: an error inside a stream happens after the
 * edge has returned, and tRPC would send every one as INTERNAL_SERVER_ERROR. A domain error keeps its code; the
 * database going away mid-stream (a status stream rereads the video on every change and checks access every 5 s)
 * ends the stream with SERVICE_UNAVAILABLE, and the client subscribes again, getting the current state first.
 */
async function* mapStreamErrors(stream: AsyncIterable<unknown>, ctx: Context, path: string) {
  try {
    return yield* stream;
  } catch (e) {
    if (e instanceof DomainError) throw new TRPCError({ code: e.code, message: e.message, cause: e });
    if (isDatabaseUnavailable(e instanceof TRPCError ? (e.cause ?? e) : e)) {
      ctx.log.warn({ err: e, path }, 'database unavailable');
      const cause = new ServiceUnavailableError(
        'The service is briefly unavailable; try again shortly',
        DATABASE_RETRY_AFTER_S,
      );
      throw new TRPCError({ code: cause.code, message: cause.message, cause });
    }
    throw e;
  }
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** No authentication: health, sign-in and the public viewer API. */
export const publicProcedure = t.procedure.use(edge).meta({ scope: 'public' });

/**
 * The caller, checked live on every call (not frozen in a token): a signed-in, not disabled user whose session is not
 * revoked, or an API key (`arv_live_…`, not revoked, not expired) that acts in its one company with its role. `live`
 * runs the user check; the token's signature and claims are verified once per token (accessTokenClaims caches them
 * for its lifetime), everything that can change is read on every call.
 */
async function authenticate<U>(
  ctx: Context,
  live: (userId: string, sessionId: string) => Promise<U | null>,
): Promise<{ user: U | null; caller: Caller }> {
  const token = ctx.accessToken;
  if (!token) throw new UnauthorizedError();
  if (isApiKeyToken(token)) {
    const apiKey = await authenticateApiKey(ctx.em, token, ctx.config.apiKeys);
    ctx.log = ctx.log.child({ apiKeyId: apiKey.id });
    return { user: null, caller: { userId: null, apiKey } as Caller };
  }
  const claims = accessTokenClaims(ctx.config.auth, token);
  if (!claims) throw new UnauthorizedError('Your session has expired; sign in again');
  const { userId, sessionId } = claims;
  // Every access token names its session: a revoked session (sign-out, reset, password change) ends it at once.
  if (!sessionId || !UUID.test(sessionId)) throw new UnauthorizedError('Your session has expired; sign in again');
  const user = await live(userId, sessionId);
  if (!user) throw new UnauthorizedError('Your session has expired; sign in again');
  ctx.log = ctx.log.child({ userId });
  return { user, caller: { userId } as Caller };
}

/** Signed in (a user or an API key), with the user loaded as an entity: self and admin procedures use ctx.user. */
const authed = t.procedure.use(edge).use(async ({ ctx, next }) => {
  const { user, caller } = await authenticate(ctx, async (userId, sessionId) => {
    const user = await ctx.em.getRepository(User).findLive(userId, sessionId);
    return user && !user.disabledAt ? user : null;
  });
  return next({ ctx: { user: user as User | null, caller } });
});

/**
 * The same checks for tenant procedures, which act through ctx.caller and ctx.access and never read ctx.user: the
 * user is checked in one statement and not loaded (no entity, no hydration).
 */
function liveCaller(ctx: Context) {
  return authenticate(ctx, async (userId, sessionId) =>
    (await ctx.em.getRepository(User).isLive(userId, sessionId)) ? true : null,
  );
}

/** A signed-in user, not an API key. */
const authedUser = authed.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.caller.userId) throw new ApiKeyNotAllowedError();
  return next({ ctx: { user: ctx.user, caller: { userId: ctx.caller.userId } } });
});

/** Signed in as a user (API keys are refused); touches only the caller's own account and memberships. */
export const selfProcedure = authedUser.meta({ scope: 'self' });

/**
 * Scoped to a company at `minRole` or above; objects load only through `ctx.access`. API keys act in their own
 * company with their role (another company's ids answer NOT_FOUND, as they do for users).
 */
export function tenantProcedure(minRole: Role) {
  // Authentication and the tenant access in one middleware: each level of tRPC's chain copies the call's options.
  return t.procedure
    .use(edge)
    .meta({ scope: 'tenant', minRole })
    .use(async ({ ctx, type, next }) => {
      const { caller } = await liveCaller(ctx);
      return next({ ctx: { caller, access: guardSuspension(createAccess(ctx.em, caller, minRole), type) } });
    });
}

/** tenantProcedure for signed-in users only: members and API keys themselves are not managed with a key. */
export function userTenantProcedure(minRole: Role) {
  return t.procedure
    .use(edge)
    .meta({ scope: 'tenant', minRole, usersOnly: true })
    .use(async ({ ctx, type, next }) => {
      const { caller: checked } = await liveCaller(ctx);
      if (!checked.userId) throw new ApiKeyNotAllowedError();
      const caller = { userId: checked.userId };
      return next({ ctx: { caller, access: guardSuspension(createAccess(ctx.em, caller, minRole), type) } });
    });
}

/**
 * The installation's operator (`app_user.is_platform_admin`, granted only by the CLI), checked live on every call.
 * Anyone else, API keys included, gets NOT_FOUND: the admin surface does not exist for them.
 */
export const adminProcedure = authed.meta({ scope: 'admin' }).use(({ ctx, next }) => {
  if (!ctx.user?.isPlatformAdmin || !ctx.caller.userId) throw new NotFoundError('Page');
  return next({ ctx: { user: ctx.user, caller: { userId: ctx.caller.userId } } });
});
