// The benchmark contract and the statistics every benchmark shares: interleaved A/B rounds, medians, per-pair ratios.
import type { BenchServices } from './services.ts';
import type { ProcessRegistry } from './processes.ts';

export interface BenchContext {
  quick: boolean;
  services: BenchServices;
  processes: ProcessRegistry;
  /** Progress line on stderr (the table goes to stdout). */
  log(message: string): void;
  signal: AbortSignal;
}

export interface Benchmark {
  /** Row group shown in the table, e.g. "Queue latency". */
  name: string;
  /** The feature whose code it measures (for the reader; a benchmark only exists once it landed). */
  feature: string;
  /** What "ours" and "baseline" mean, for BENCHMARKS.md. */
  ours: string;
  baseline: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

export type RowStatus = 'measured' | 'not landed yet' | 'error';

export interface Row {
  benchmark: string;
  metric: string;
  unit: string;
  ours: number | null;
  baseline: number | null;
  /** Median of the per-pair ratios ours/baseline (not the ratio of the medians). */
  ratio: number | null;
  target: string;
  /** null: report only, or not measured. */
  pass: boolean | null;
  status: RowStatus;
  /** Absolute numbers behind the row: rounds, percentiles, settings. */
  details: Record<string, unknown>;
  notes: string[];
}

export function row(fields: Partial<Row> & Pick<Row, 'benchmark' | 'metric' | 'unit'>): Row {
  return {
    ours: null,
    baseline: null,
    ratio: null,
    target: 'report',
    pass: null,
    status: 'measured',
    details: {},
    notes: [],
    ...fields,
  };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median of a[i] / b[i]: each pair ran back to back, so drift on the shared machine cancels out. */
export function medianPairRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new Error('pair ratios need two equal, non-empty lists');
  return median(a.map((x, i) => x / b[i]!));
}

export interface Interleaved<A, B> {
  a: A[];
  b: B[];
}

/**
 * Runs A B A B … for `pairs` pairs after `warmup` unrecorded pairs. Both sides see the same
 * history (JIT, caches, table bloat), and a load spike on the shared machine hits one pair, not one side.
 */
export async function interleave<A, B>(opts: {
  pairs: number;
  warmup?: number;
  a: (round: number) => Promise<A>;
  b: (round: number) => Promise<B>;
  signal?: AbortSignal;
  onRound?: (round: number, side: 'a' | 'b', value: A | B) => void;
}): Promise<Interleaved<A, B>> {
  const out: Interleaved<A, B> = { a: [], b: [] };
  const warmup = opts.warmup ?? 0;
  for (let i = 0; i < warmup + opts.pairs; i++) {
    opts.signal?.throwIfAborted();
    const a = await opts.a(i - warmup);
    opts.onRound?.(i - warmup, 'a', a);
    opts.signal?.throwIfAborted();
    const b = await opts.b(i - warmup);
    opts.onRound?.(i - warmup, 'b', b);
    if (i >= warmup) {
      out.a.push(a);
      out.b.push(b);
    }
  }
  return out;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Polls until fn returns a truthy value; throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 50 } = opts;
  const started = performance.now();
  for (;;) {
    opts.signal?.throwIfAborted();
    const value = await fn();
    if (value) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
