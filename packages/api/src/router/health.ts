import { z } from 'zod';
import { checkHealth } from '../services/health.service.ts';
import { publicProcedure, router } from '../trpc.ts';

export const healthRouter = router({
  check: publicProcedure.query(({ ctx }) => checkHealth(ctx)),

  /** Emits the health status now and then every `intervalMs` until the client unsubscribes. */
  watch: publicProcedure
    .input(
      z
        .strictObject({ intervalMs: z.number().int().min(1000).max(60_000).default(5000) })
        .default({ intervalMs: 5000 }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      while (!signal?.aborted) {
        yield await checkHealth(ctx);
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
    }),
});
