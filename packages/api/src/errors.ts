// Domain errors live in @arvlite/domain so jobs and the API throw the same ones; trpc.ts maps them to codes.
export * from '@arvlite/domain/errors';
