// Renders results: a terminal table, the JSON file, and the generated part of BENCHMARKS.md.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NOISE_TOLERANCE, type Row } from './harness.ts';
import { machineLine, type Machine, type LoadAverage } from './machine.ts';

/** The 1-, 5- and 15-minute load averages when one benchmark started and when it ended. */
export interface BenchmarkLoad {
  benchmark: string;
  start: LoadAverage;
  end: LoadAverage;
  durationS: number;
}

/**
 * Whether this run can be trusted: every A/A row (same code on both sides) must land within NOISE_TOLERANCE of 1.00×.
 * `noisy` is null when no A/A row ran (the HTTP A/A runs in full runs, or with `--only http-calibration`), so nothing
 * was checked.
 */
export interface NoiseCheck {
  noisy: boolean | null;
  tolerance: number;
  /** Every A/A row measured, with its ratio and whether it stayed within the tolerance. */
  checked: { row: string; ratio: number; within: boolean }[];
  summary: string;
}

export function checkNoise(rows: readonly Row[]): NoiseCheck {
  const checked = rows
    .filter((r) => r.aa && r.status === 'measured' && r.ratio !== null && Number.isFinite(r.ratio))
    .map((r) => ({
      row: `${r.benchmark} / ${r.metric}`,
      ratio: r.ratio!,
      within: Math.abs(r.ratio! - 1) <= NOISE_TOLERANCE + 1e-9,
    }));
  const pct = Math.round(NOISE_TOLERANCE * 100);
  if (checked.length === 0) {
    return {
      noisy: null,
      tolerance: NOISE_TOLERANCE,
      checked,
      summary:
        'not checked: no A/A row ran in this run (the HTTP A/A row runs in full runs, or with --only http-calibration)',
    };
  }
  const off = checked.filter((c) => !c.within);
  const list = (cs: typeof checked) => cs.map((c) => `${c.row} ${c.ratio.toFixed(2)}×`).join('; ');
  return {
    noisy: off.length > 0,
    tolerance: NOISE_TOLERANCE,
    checked,
    summary:
      off.length > 0
        ? `NOISY: ${off.length} of ${checked.length} A/A rows deviate from 1.00× by more than ${pct}% (${list(off)}); ratios near a target in this run are not conclusive`
        : `quiet: all ${checked.length} A/A rows within ${pct}% of 1.00× (${list(checked)})`,
  };
}

const fmtLoad = (l: LoadAverage) => l.map((x) => x.toFixed(2)).join(' / ');

export function loadLines(loads: readonly BenchmarkLoad[]): string[] {
  return loads.map(
    (l) => `${l.benchmark}: load average ${fmtLoad(l.start)} at start, ${fmtLoad(l.end)} at end (${l.durationS} s)`,
  );
}

export interface RunResult {
  mode: 'quick' | 'full';
  startedAt: string;
  durationS: number;
  machine: Machine;
  args: string[];
  rows: Row[];
  /** Load average at the start and end of every benchmark that ran. */
  loads: BenchmarkLoad[];
  /** The A/A rows' verdict on this run (decision 8 of issue #22). */
  noise: NoiseCheck;
  /** What each benchmark compares, for the reader. */
  descriptions: { name: string; ours: string; baseline: string }[];
}

const COLUMNS = ['Benchmark', 'Metric', 'Ours', 'Baseline', 'Ratio', 'Target', 'Result'] as const;

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  const n = value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  });
  return unit ? `${n} ${unit}` : n;
}

export function resultLabel(r: Row): string {
  if (r.status === 'not landed yet' || r.status === 'not measured yet') return r.status;
  if (r.status === 'error') return 'ERROR';
  if (r.aa && r.ratio !== null) return Math.abs(r.ratio - 1) <= NOISE_TOLERANCE + 1e-9 ? 'quiet' : 'NOISY';
  if (r.pass === null) return 'report';
  return r.pass ? 'pass' : 'FAIL';
}

function cells(r: Row): string[] {
  return [
    r.benchmark,
    r.metric,
    formatValue(r.ours, r.unit),
    formatValue(r.baseline, r.unit),
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    resultLabel(r),
  ];
}

export function renderTable(rows: Row[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: readonly string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(COLUMNS), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const b of body) out.push(line(b));
  const errors = rows.filter((r) => r.status === 'error' || r.notes.length > 0);
  if (errors.length > 0) {
    out.push('');
    for (const r of errors) for (const n of r.notes) out.push(`${r.benchmark} / ${r.metric}: ${n}`);
  }
  return out.join('\n');
}

const escapeMd = (s: string) => s.replaceAll('|', '\\|');

/** A table laid out the way prettier formats markdown, so `pnpm format` leaves BENCHMARKS.md alone. */
function markdownTable(header: readonly string[], body: string[][]): string {
  const cellsOf = (r: readonly string[]) => r.map(escapeMd);
  const all = [cellsOf(header), ...body.map(cellsOf)];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(all[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...all.slice(1).map(line)].join('\n');
}

export function renderMarkdownTable(rows: Row[]): string {
  return markdownTable(COLUMNS, rows.map(cells));
}

export async function writeJson(file: string, result: RunResult): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
}

const START = '<!-- bench:generated:start (pnpm bench rewrites this part; edit outside it) -->';
const END = '<!-- bench:generated:end -->';

/** Text items (e.g. SQL with `*`) go in code spans, where markdown and prettier leave them alone. */
function listItem(v: unknown): string {
  return typeof v === 'string' && !v.includes('`') ? `\`${v}\`` : String(v);
}

function generated(result: RunResult): string {
  const lines = [
    START,
    '',
    `Latest full run: ${result.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, ${Math.round(result.durationS)} s.`,
    '',
    `Machine: ${machineLine(result.machine)}.`,
    '',
    `Noise check (A/A rows within ${Math.round(result.noise.tolerance * 100)}% of 1.00×): ${result.noise.summary}.`,
    '',
    renderMarkdownTable(result.rows),
    '',
    'Ratios are ours ÷ baseline: the median of the per-pair ratios from interleaved rounds (A B, B A, A B, …), not the ratio of the medians shown beside them. For Scale-out, "ours" is 2 worker processes and "baseline" 1. A/A rows run the same code on both sides: their Result reads "quiet" within 10% of 1.00× and "NOISY" outside it, and one NOISY row flags the whole run as noisy (the noise check above; also `noise` in latest.json).',
    '',
    '### What each row compares',
    '',
    markdownTable(
      ['Benchmark', 'Ours', 'Baseline'],
      result.descriptions.map((d) => [d.name, d.ours, d.baseline]),
    ),
    '',
    '### Load average during each benchmark',
    '',
    ...loadLines(result.loads).map((l) => `- ${l}`),
    '',
    '### Absolute numbers behind each row',
    '',
    ...result.rows
      .filter((r) => Object.keys(r.details).length > 0 || r.notes.length > 0)
      .map((r) => {
        const title = r.metric === '—' ? r.benchmark : `${r.benchmark} / ${r.metric}`;
        const facts = Object.entries(r.details).map(
          ([k, v]) => `${k} ${Array.isArray(v) ? `[${v.map(listItem).join(', ')}]` : String(v)}`,
        );
        return `- **${title}**: ${[...facts, ...r.notes].join('; ')}`;
      }),
    '',
    END,
  ];
  return lines.join('\n');
}

const PREAMBLE = `# Benchmarks

\`pnpm bench\` (full) and \`pnpm bench --quick\` measure every hot path against a baseline doing the same work,
interleaved in the same run on the same machine. Medians everywhere. Raw results of the latest run (quick or full)
are in \`.data/bench/latest.json\`.

`;

/** Rewrites the generated block of BENCHMARKS.md and keeps the hand-written analysis around it. */
export async function updateBenchmarksMd(file: string, result: RunResult): Promise<void> {
  const block = generated(result);
  let text: string;
  if (existsSync(file)) {
    const current = await readFile(file, 'utf8');
    const start = current.indexOf(START);
    const end = current.indexOf(END);
    text =
      start >= 0 && end > start
        ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}`
        : `${current.trimEnd()}\n\n${block}\n`;
  } else {
    text = `${PREAMBLE}${block}\n`;
  }
  await writeFile(file, text);
}
