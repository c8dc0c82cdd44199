// `pnpm bench [--quick] [--only a,b] [--strict]`: boots real services, runs the suite, prints the table,
// writes .data/bench/latest.json and, after a full run of everything, the generated part of BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processEnv } from '@arvlite/config';
import { suite } from './benchmarks/index.ts';
import { row, type BenchContext, type Row } from './harness.ts';
import { describeMachine, loadAverage, type LoadAverage } from './machine.ts';
import { createProcessRegistry } from './processes.ts';
import {
  checkNoise,
  loadLines,
  renderTable,
  updateBenchmarksMd,
  writeJson,
  type BenchmarkLoad,
  type RunResult,
} from './report.ts';
import { repoRoot, startBenchServices, type BenchServices } from './services.ts';

const USAGE = `usage: pnpm bench [--quick] [--only <id>[,<id>…]] [--strict] [--profile] [--list]
  --quick   short rounds (under 3 minutes in all); BENCHMARKS.md is left alone
  --only    run only these benchmarks (ids from --list), full-run-only ones too; BENCHMARKS.md is left alone
  --strict  exit 1 when a target is missed, not only on errors
  --profile run the measured processes with --cpu-prof (profiles in .data/bench/profiles/)`;

// `pnpm bench -- --quick` passes the "--" through.
// There is no default secret: this run and every process it starts (they inherit this environment) share a random one.
const env = processEnv();
env.AUTH_JWT_SECRET ||= randomBytes(32).toString('base64url');

const argv = process.argv.slice(2).filter((a) => a !== '--');
let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      strict: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}
try {
  args = parse();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.list) {
  for (const e of suite) {
    const what = e.benchmark
      ? e.benchmark.name
      : `${e.notLanded!.name} (${e.notLanded!.landedIn ? 'not measured yet' : 'not landed yet'})`;
    process.stdout.write(`${e.id.padEnd(18)} ${what}${e.fullOnly ? ' [full run only]' : ''}\n`);
  }
  process.exit(0);
}
const only = args.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((id) => !suite.some((e) => e.id === id)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')} (see --list)\n`);
  process.exit(2);
}

const quick = args.quick;
const started = new Date();
const loadAtStart: LoadAverage = loadAverage();
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const processes = createProcessRegistry();
const abort = new AbortController();
let services: BenchServices | undefined;
let servicesStarting: Promise<BenchServices> | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await processes.stopAll().catch((err: unknown) => log(`stopping children failed: ${String(err)}`));
    const s = services ?? (await servicesStarting?.catch(() => undefined));
    await s?.stop().catch((err: unknown) => log(`stopping services failed: ${String(err)}`));
  })();
  return cleaning;
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    signals++;
    if (signals > 1) {
      log(`${signal} again: exiting without cleaning up`);
      process.exit(130);
    }
    log(`${signal}: stopping children and services…`);
    abort.abort(new Error(signal));
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  log(`${quick ? 'quick' : 'full'} run; starting Postgres + S3…`);
  servicesStarting = startBenchServices({ onOutput: (line) => log(`services: ${line}`) });
  services = await servicesStarting;
  const machine = await describeMachine(services.templateUrl);
  machine.loadAverageAtStart = loadAtStart;
  const profileDir = path.join(repoRoot, '.data/bench/profiles');
  const ctx: BenchContext = {
    quick,
    services,
    processes,
    log,
    signal: abort.signal,
    nodeArgs: (label) => (args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, label)}`] : []),
  };
  if (args.profile) log(`profiling: CPU profiles go to ${path.relative(repoRoot, profileDir)}/<process>/`);

  const rows: Row[] = [];
  const loads: BenchmarkLoad[] = [];
  const descriptions: RunResult['descriptions'] = [];
  for (const entry of suite) {
    if (only && !only.includes(entry.id)) continue;
    if (entry.notLanded) {
      const n = entry.notLanded;
      descriptions.push({ name: n.name, ours: n.ours, baseline: n.baseline });
      rows.push(
        row({
          benchmark: n.name,
          metric: '—',
          unit: '',
          target: n.target,
          status: n.landedIn ? 'not measured yet' : 'not landed yet',
          notes: n.landedIn ? [n.landedIn] : [],
        }),
      );
      continue;
    }
    const b = entry.benchmark!;
    descriptions.push({ name: b.name, ours: b.ours, baseline: b.baseline });
    // A full-run-only benchmark still runs in --quick when --only names it (e.g. the HTTP A/A noise check).
    if (quick && entry.fullOnly && !only?.includes(entry.id)) continue;
    abort.signal.throwIfAborted();
    const load0 = loadAverage();
    log(`▶ ${b.name} (load average ${load0.join(' / ')})`);
    const t0 = performance.now();
    try {
      const result = await b.run(ctx);
      rows.push(...result);
      log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      if (abort.signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      log(`  ERROR: ${err instanceof Error ? (err.stack ?? message) : message}`);
      rows.push(
        row({
          benchmark: b.name,
          metric: '—',
          unit: '',
          status: 'error',
          pass: false,
          notes: [message.split('\n')[0]!],
        }),
      );
    }
    // Children of one benchmark never outlive it.
    await processes.stopAll();
    const load1 = loadAverage();
    loads.push({
      benchmark: b.name,
      start: load0,
      end: load1,
      durationS: Math.round((performance.now() - t0) / 100) / 10,
    });
    log(`  load average at end ${load1.join(' / ')}`);
  }
  machine.loadAverageAtEnd = loadAverage();
  const noise = checkNoise(rows);

  const result: RunResult = {
    mode: quick ? 'quick' : 'full',
    startedAt: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 100) / 10,
    machine,
    args: argv,
    rows,
    loads,
    noise,
    descriptions,
  };
  process.stdout.write(`\n${renderTable(rows)}\n\n${loadLines(loads).join('\n')}\n\nnoise check: ${noise.summary}\n\n`);
  const jsonFile = path.join(repoRoot, '.data/bench/latest.json');
  await writeJson(jsonFile, result);
  log(`wrote ${path.relative(repoRoot, jsonFile)}`);
  if (!quick && !only && !args.profile) {
    await updateBenchmarksMd(path.join(repoRoot, 'BENCHMARKS.md'), result);
    log('updated BENCHMARKS.md');
  }
  log(`total ${result.durationS} s`);
  const errors = rows.filter((r) => r.status === 'error').length;
  const misses = rows.filter((r) => r.status === 'measured' && r.pass === false).length;
  if (errors > 0) return 1;
  return args.strict && misses > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  if (!abort.signal.aborted) log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  if (!abort.signal.aborted) {
    await cleanup();
    process.exit(code);
  }
}
