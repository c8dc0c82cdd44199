// The shared procedure for HTTP rows (API read, viewer manifest, …): equal-work check, then interleaved autocannon
// rounds at saturation, then at a fixed offered rate: half the baseline's saturation throughput (#22, decision 4).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWork, describeWork, measureWork, type RequestSpec } from './equal-work.ts';
import { interleave, median, medianPairRatio, round, row, type BenchContext, type Row } from './harness.ts';
import { autocannon, type LoadResult } from './load.ts';
import { readCpuMs } from './processes.ts';

export interface HttpSide {
  baseUrl: string;
  /** Database the side reads, for the pg_stat_statements check. */
  database: string;
  /** The server process, for CPU time per request. */
  pid: number;
}

export interface HttpCompareOptions {
  benchmark: string;
  ours: HttpSide;
  baseline: HttpSide;
  /** Path + method/headers/body; the same request goes to both sides. */
  request: Omit<RequestSpec, 'url'> & { path: string };
  /** Under load, spread the requests over this many client addresses (see LoadOptions.clients); both sides alike. */
  clients?: number;
  connections?: number;
  /** Interleaved pairs per phase (default 3 in --quick, 5 in a full run). */
  pairs?: number;
  /**
   * Offered rate for the latency rows, as a fraction of the baseline's saturation throughput (default 0.5, #22's
   * decision 4: both sides are offered the same rate, one the baseline handles with half its capacity to spare).
   */
  fixedRateFraction?: number;
  /** Targets: ratio ours/baseline for throughput (≥), and for p99 at the fixed rate (≤). */
  targets: { throughputRatio?: number; p99Ratio?: number };
  /**
   * When both sides send the same bytes but ours runs more (or fewer) statements: 'error' (default) refuses to
   * compare; 'report' adds a failing "DB statements per request" row listing both sides' statements and measures
   * anyway, for a baseline that does what the endpoint needs and no more (padding it to match ours would hide the
   * cost). A different status or body is an error either way.
   */
  unequalQueries?: 'error' | 'report';
  /**
   * Applied to both bodies before the byte comparison, for parts that honestly differ from one response to the next
   * (signing times and signatures); say in the row what it hides and how that part is checked instead.
   */
  normalizeBody?: (body: string) => string;
}

export async function compareHttp(ctx: BenchContext, opts: HttpCompareOptions): Promise<Row[]> {
  const connections = opts.connections ?? 50;
  // Many short pairs beat few long ones on a shared machine: a burst of someone else's work spoils one pair.
  const durationS = ctx.quick ? 2 : 5;
  const pairs = opts.pairs ?? (ctx.quick ? 3 : 5);
  const spec = (side: HttpSide): RequestSpec => ({
    ...opts.request,
    url: `${side.baseUrl}${opts.request.path}`,
  });

  const [oursWork, baseWork] = [
    await measureWork(ctx.services, opts.ours.database, spec(opts.ours)),
    await measureWork(ctx.services, opts.baseline.database, spec(opts.baseline)),
  ];
  const problems = compareWork(oursWork, baseWork, opts.normalizeBody);
  const fatal = opts.unequalQueries === 'report' ? problems.filter((p) => p.kind === 'answer') : problems;
  if (fatal.length > 0) {
    // Both answers whole, to diff: the error text shows only their first bytes.
    const dir = fileURLToPath(new URL('../../../.data/bench/mismatch/', import.meta.url));
    await mkdir(dir, { recursive: true });
    const slug = opts.benchmark.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    await writeFile(path.join(dir, `${slug}-ours.txt`), oursWork.body);
    await writeFile(path.join(dir, `${slug}-baseline.txt`), baseWork.body);
    throw new Error(
      `not the same work, so no comparison: ${problems.map((p) => p.text).join('; ')} (both answers in .data/bench/mismatch/${slug}-*.txt)`,
    );
  }
  const unequal = problems.length > 0;
  ctx.log(
    unequal
      ? `  same bytes, unequal queries: ours ${describeWork(oursWork)}; baseline ${describeWork(baseWork)}`
      : `  equal work: ${describeWork(oursWork)}`,
  );
  const rows: Row[] = [];
  if (opts.unequalQueries === 'report') {
    const statements = (w: typeof oursWork) => w.statements.map((s) => `${s.callsPerRequest}× ${s.query}`);
    rows.push(
      row({
        benchmark: opts.benchmark,
        metric: 'DB statements per request',
        unit: '',
        ours: oursWork.statementsPerRequest,
        baseline: baseWork.statementsPerRequest,
        ratio: round(oursWork.statementsPerRequest / baseWork.statementsPerRequest, 3),
        target: 'equal',
        pass: !unequal,
        details: {
          oursRowsPerRequest: oursWork.rowsPerRequest,
          baselineRowsPerRequest: baseWork.rowsPerRequest,
          bodyBytes: oursWork.bodyBytes,
          oursStatements: statements(oursWork),
          baselineStatements: statements(baseWork),
        },
        notes: unequal
          ? ['the same response bytes from more database work: the rows below are measured anyway and include its cost']
          : [],
      }),
    );
  }
  const unequalNote = unequal
    ? [
        `unequal DB work: ours ${oursWork.statementsPerRequest} statements per request, baseline ${baseWork.statementsPerRequest}`,
      ]
    : [];

  type Measured = LoadResult & { cpuUsPerRequest: number; pgCpuUsPerRequest: number };
  const load = async (side: HttpSide, rate?: number, warmupS?: number): Promise<Measured> => {
    const [cpu0, pg0] = [await readCpuMs(side.pid), await ctx.services.postgresCpuMs()];
    const r = await autocannon(ctx.processes, {
      url: spec(side).url,
      method: opts.request.method,
      headers: opts.request.headers,
      body: opts.request.body,
      clients: opts.clients,
      connections,
      durationS,
      rate,
      warmupS,
    });
    const [cpu1, pg1] = [await readCpuMs(side.pid), await ctx.services.postgresCpuMs()];
    return {
      ...r,
      cpuUsPerRequest: ((cpu1 - cpu0) * 1000) / r.requests,
      pgCpuUsPerRequest: ((pg1 - pg0) * 1000) / r.requests,
    };
  };

  const saturation = await interleave({
    pairs,
    warmup: 1,
    signal: ctx.signal,
    a: (i) => load(opts.ours, undefined, i < 0 ? 2 : undefined),
    b: (i) => load(opts.baseline, undefined, i < 0 ? 2 : undefined),
    onRound: (i, side, r) =>
      i >= 0 &&
      ctx.log(`  saturation ${i + 1} ${side === 'a' ? 'ours' : 'baseline'}: ${Math.round(r.requestsPerSec)} req/s`),
  });
  const oursRps = saturation.a.map((r) => r.requestsPerSec);
  const baseRps = saturation.b.map((r) => r.requestsPerSec);
  const rate = Math.max(1, Math.floor(median(baseRps) * (opts.fixedRateFraction ?? 0.5)));

  const fixed = await interleave({
    pairs,
    signal: ctx.signal,
    a: () => load(opts.ours, rate),
    b: () => load(opts.baseline, rate),
    onRound: (i, side, r) =>
      ctx.log(`  ${rate} req/s ${i + 1} ${side === 'a' ? 'ours' : 'baseline'}: p99 ${r.latencyP99Ms} ms`),
  });
  const throughputRatio = medianPairRatio(oursRps, baseRps);
  const p99Ratio = medianPairRatio(
    fixed.a.map((r) => r.latencyP99Ms),
    fixed.b.map((r) => r.latencyP99Ms),
  );
  const oursP99 = median(fixed.a.map((r) => r.latencyP99Ms));
  const oursCpu = saturation.a.map((r) => r.cpuUsPerRequest);
  const baseCpu = saturation.b.map((r) => r.cpuUsPerRequest);
  const cpuRatio = medianPairRatio(oursCpu, baseCpu);
  const t = opts.targets;
  const p99Checks: { text: string; ok: boolean }[] = [];
  if (t.p99Ratio !== undefined) p99Checks.push({ text: `ratio ≤ ${t.p99Ratio}×`, ok: p99Ratio <= t.p99Ratio });
  const work = unequal
    ? {
        oursWork: describeWork(oursWork),
        baselineWork: describeWork(baseWork),
        connections,
        durationS,
        pairs,
      }
    : { equalWork: describeWork(oursWork), connections, durationS, pairs };
  if (opts.clients) Object.assign(work, { clientAddresses: opts.clients });

  return [
    ...rows,
    row({
      benchmark: opts.benchmark,
      metric: `saturation throughput, ${connections} connections`,
      unit: 'req/s',
      ours: Math.round(median(oursRps)),
      baseline: Math.round(median(baseRps)),
      ratio: round(throughputRatio, 3),
      target: t.throughputRatio !== undefined ? `≥ ${t.throughputRatio}×` : 'report',
      pass: t.throughputRatio !== undefined ? throughputRatio >= t.throughputRatio : null,
      details: {
        ...work,
        oursReqPerSec: oursRps.map(Math.round),
        baselineReqPerSec: baseRps.map(Math.round),
        oursP50Ms: median(saturation.a.map((r) => r.latencyP50Ms)),
        baselineP50Ms: median(saturation.b.map((r) => r.latencyP50Ms)),
      },
      notes: unequalNote,
    }),
    row({
      benchmark: opts.benchmark,
      metric: `p99 latency at ${rate} req/s offered`,
      unit: 'ms',
      ours: oursP99,
      baseline: median(fixed.b.map((r) => r.latencyP99Ms)),
      ratio: round(p99Ratio, 3),
      target: p99Checks.length > 0 ? p99Checks.map((c) => c.text).join(', ') : 'report',
      pass: p99Checks.length > 0 ? p99Checks.every((c) => c.ok) : null,
      details: {
        ...work,
        rate,
        rateIs: `${opts.fixedRateFraction ?? 0.5} × the baseline's median saturation throughput`,
        oursP99Ms: fixed.a.map((r) => r.latencyP99Ms),
        baselineP99Ms: fixed.b.map((r) => r.latencyP99Ms),
        oursP50Ms: median(fixed.a.map((r) => r.latencyP50Ms)),
        baselineP50Ms: median(fixed.b.map((r) => r.latencyP50Ms)),
      },
      notes: unequalNote,
    }),
    row({
      benchmark: opts.benchmark,
      metric: 'server CPU per request (at saturation)',
      unit: 'µs',
      ours: round(median(oursCpu), 1),
      baseline: round(median(baseCpu), 1),
      ratio: round(cpuRatio, 3),
      target: 'report',
      details: {
        oursCpuUs: oursCpu.map((x) => round(x, 1)),
        baselineCpuUs: baseCpu.map((x) => round(x, 1)),
        oursPostgresCpuUs: round(median(saturation.a.map((r) => r.pgCpuUsPerRequest)), 1),
        baselinePostgresCpuUs: round(median(saturation.b.map((r) => r.pgCpuUsPerRequest)), 1),
        note: unequal
          ? 'server process only (all threads); ours also sends more statements (see above)'
          : 'server process only (all threads); Postgres work is equal by the check above',
      },
    }),
  ];
}
