// The one file with tRPC init, the error formatter and the procedure builders.
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import type { Context } from './context.ts';
import { DomainError } from './errors.ts';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
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
        fieldErrors: isZod ? z.flattenError(cause).fieldErrors : undefined,
        formErrors: isZod ? z.flattenError(cause).formErrors : undefined,
        details: isDomain ? cause.details : undefined,
      },
    };
  },
});

/** Maps domain errors thrown anywhere below to their tRPC code, keeping the message. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** No authentication: health and the public viewer API. */
export const publicProcedure = t.procedure.use(domainErrors);
