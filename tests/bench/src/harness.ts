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
  /** Extra node flags for a measured child process (`--cpu-prof` into .data/bench/profiles/<label> with --profile). */
  nodeArgs(label: string): string[];
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

/** 'not measured yet': the feature is in the code but its benchmark is still to be written. */
export type RowStatus = 'measured' | 'not landed yet' | 'not measured yet' | 'error';

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
  /**
   * An A/A row: both sides run the same code, so its ratio measures the machine's noise (ideally 1.00×). A ratio off
   * by more than NOISE_TOLERANCE flags the whole run as noisy (report.ts `checkNoise`).
   */
  aa?: boolean;
}

/** How far an A/A row's ratio may stray from 1.00× before the run counts as noisy (decision 8 of issue #22). */
export const NOISE_TOLERANCE = 0.1;

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
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
 * Runs the rounds interleaved, A B | B A | A B | B A …, after `warmup` unrecorded pairs. Both sides see the same
 * history (JIT, caches, table bloat); a load spike on the shared machine spoils one pair, not one side; and swapping
 * the order in every other pair keeps a steady drift (WAL files being created, a neighbour's job winding down) from
 * always favouring whichever side runs second.
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
    const r = i - warmup;
    let a: A | undefined;
    let b: B | undefined;
    const runA = async () => {
      opts.signal?.throwIfAborted();
      a = await opts.a(r);
      opts.onRound?.(r, 'a', a);
    };
    const runB = async () => {
      opts.signal?.throwIfAborted();
      b = await opts.b(r);
      opts.onRound?.(r, 'b', b);
    };
    if (i % 2 === 0) {
      await runA();
      await runB();
    } else {
      await runB();
      await runA();
    }
    if (r >= 0) {
      out.a.push(a!);
      out.b.push(b!);
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
