// Queue latency: enqueue → the moment graphile-worker calls the task function, one job at a time on an idle worker.
import { interleave, median, medianPairRatio, percentile, round, row, type Benchmark } from '../harness.ts';
import { startWorkerSide } from '../queue/worker-side.ts';

export const queueLatency: Benchmark = {
  name: 'Queue latency',
  feature: 'jobs (enqueue, defineTask) + apps/worker',
  ours: '`em.transactional(tem => enqueue(tem, "system:noop", …))` → task start, worker from `startWorker`',
  baseline: 'raw graphile-worker `addJob` → task start, `run()` with the same concurrency and pollInterval',
  async run(ctx) {
    const samples = ctx.quick ? 20 : 50;
    const pairs = ctx.quick ? 4 : 10;
    const gapMs = 10;
    const [oursUrl, baseUrl] = await Promise.all([
      ctx.services.createDatabase('bench_ql_ours'),
      ctx.services.createDatabase('bench_ql_base'),
    ]);
    const ours = await startWorkerSide(
      ctx.processes,
      { side: 'ours', databaseUrl: oursUrl, s3Endpoint: ctx.services.s3Endpoint },
      { nodeArgs: ctx.nodeArgs('ql-ours') },
    );
    try {
      const base = await startWorkerSide(
        ctx.processes,
        { side: 'baseline', databaseUrl: baseUrl, s3Endpoint: ctx.services.s3Endpoint },
        { nodeArgs: ctx.nodeArgs('ql-baseline') },
      );
      try {
        const rounds = await interleave({
          pairs,
          warmup: 1,
          signal: ctx.signal,
          a: () => ours.latency(samples, gapMs),
          b: () => base.latency(samples, gapMs),
        });
        const allOurs = rounds.a.flatMap((r) => r.startMs);
        const allBase = rounds.b.flatMap((r) => r.startMs);
        const p50Ratio = medianPairRatio(rounds.a.map((r) => median(r.startMs)), rounds.b.map((r) => median(r.startMs)));
        const oursP50 = median(allOurs);
        const baseP50 = median(allBase);
        const details = {
          pairs,
          samplesPerRound: samples,
          oursRoundP50s: rounds.a.map((r) => round(median(r.startMs), 3)),
          baselineRoundP50s: rounds.b.map((r) => round(median(r.startMs), 3)),
          // The part spent in the enqueue call itself (transaction + add_job vs addJob), before the worker's pickup.
          oursEnqueueP50: round(median(rounds.a.flatMap((r) => r.enqueueMs)), 3),
          baselineEnqueueP50: round(median(rounds.b.flatMap((r) => r.enqueueMs)), 3),
          oursP90: round(percentile(allOurs, 90), 3),
          baselineP90: round(percentile(allBase, 90), 3),
        };
        return [
          row({
            benchmark: this.name,
            metric: 'p50 enqueue → task start',
            unit: 'ms',
            ours: round(oursP50, 3),
            baseline: round(baseP50, 3),
            ratio: round(p50Ratio, 3),
            target: 'p50 ≤ 5 ms, ratio ≤ 1.2×',
            pass: oursP50 <= 5 && p50Ratio <= 1.2,
            details,
          }),
          row({
            benchmark: this.name,
            metric: 'p99 enqueue → task start',
            unit: 'ms',
            ours: round(percentile(allOurs, 99), 3),
            baseline: round(percentile(allBase, 99), 3),
            ratio: round(
              medianPairRatio(
                rounds.a.map((r) => percentile(r.startMs, 99)),
                rounds.b.map((r) => percentile(r.startMs, 99)),
              ),
              3,
            ),
            target: 'report',
          }),
        ];
      } finally {
        await base.stop();
      }
    } finally {
      await ours.stop();
    }
  },
};
