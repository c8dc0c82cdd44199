// Queue throughput: N no-op jobs inserted in one statement, then drained by a running worker.
import { interleave, median, medianPairRatio, round, row, type Benchmark } from '../harness.ts';
import { startWorkerSide } from '../queue/worker-side.ts';

export const queueThroughput: Benchmark = {
  name: 'Queue throughput',
  feature: 'jobs (defineTask payload parsing) + apps/worker',
  ours: 'N `system:noop` jobs drained by `startWorker` (real task list, zod payload parsing, heartbeat, crontab)',
  baseline: 'the same N jobs drained by raw graphile-worker `run()`, same concurrency, trivial task',
  async run(ctx) {
    const jobs = ctx.quick ? 2_000 : 20_000;
    const pairs = 3;
    const [oursUrl, baseUrl] = await Promise.all([
      ctx.services.createDatabase('bench_qt_ours'),
      ctx.services.createDatabase('bench_qt_base'),
    ]);
    const ours = await startWorkerSide(ctx.processes, { side: 'ours', databaseUrl: oursUrl, s3Endpoint: ctx.services.s3Endpoint });
    try {
      const base = await startWorkerSide(ctx.processes, { side: 'baseline', databaseUrl: baseUrl, s3Endpoint: ctx.services.s3Endpoint });
      try {
        const checkpoint = () => ctx.services.adminQuery('checkpoint');
        const rounds = await interleave({
          pairs,
          // The warm-up pair is smaller: it only needs to JIT the hot paths.
          warmup: 1,
          signal: ctx.signal,
          a: async (i) => (await checkpoint(), ours.drain(i < 0 ? Math.min(jobs, 2_000) : jobs)),
          b: async (i) => (await checkpoint(), base.drain(i < 0 ? Math.min(jobs, 2_000) : jobs)),
          onRound: (i, side, r) => {
            if (i >= 0) ctx.log(`  round ${i + 1} ${side === 'a' ? 'ours' : 'baseline'}: ${Math.round((jobs / r.ms) * 1000)} jobs/s`);
          },
        });
        const failed = [...rounds.a, ...rounds.b].reduce((n, r) => n + r.failed, 0);
        if (failed > 0) throw new Error(`${failed} no-op jobs failed`);
        const oursRate = rounds.a.map((r) => (jobs / r.ms) * 1000);
        const baseRate = rounds.b.map((r) => (jobs / r.ms) * 1000);
        const ratio = medianPairRatio(oursRate, baseRate);
        return [
          row({
            benchmark: this.name,
            metric: `${jobs.toLocaleString('en-US')} no-op jobs drained`,
            unit: 'jobs/s',
            ours: Math.round(median(oursRate)),
            baseline: Math.round(median(baseRate)),
            ratio: round(ratio, 3),
            target: '≥ 0.9×',
            pass: ratio >= 0.9,
            details: {
              jobs,
              pairs,
              oursDrainMs: rounds.a.map((r) => Math.round(r.ms)),
              baselineDrainMs: rounds.b.map((r) => Math.round(r.ms)),
            },
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
