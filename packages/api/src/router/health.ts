import { z } from 'zod';
import { admitHealthWatcher, healthFor, isOperator } from '../services/health.service.ts';
import { publicProcedure, router } from '../trpc.ts';

/** Anyone learns up or down; the details (workers, hostnames, latencies) need OPERATOR_TOKEN as the Bearer token. */
export const healthRouter = router({
  check: publicProcedure.query(({ ctx }) => healthFor(ctx)),

  /**
   * Emits the health status now and then every `intervalMs` (at least 5 s) until the client unsubscribes. Public
   * streams are capped per client address (TOO_MANY_REQUESTS) and per process (SERVICE_UNAVAILABLE).
   */
  watch: publicProcedure
    .input(
      z
        .strictObject({ intervalMs: z.number().int().min(5000).max(60_000).default(5000) })
        .default({ intervalMs: 5000 }),
    )
    .subscription(({ ctx, input, signal }) => {
      // Admitted before streaming starts, so a refusal reaches the client with its own code.
      const release = isOperator(ctx) ? () => {} : admitHealthWatcher(ctx.ip);
      signal?.addEventListener('abort', release, { once: true });
      return (async function* () {
        try {
          while (!signal?.aborted) {
            yield await healthFor(ctx);
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, input.intervalMs);
              signal?.addEventListener(
                'abort',
                () => {
                  clearTimeout(timer);
                  resolve();
                },
                { once: true },
              );
            });
          }
        } finally {
          release();
        }
      })();
    }),
});
