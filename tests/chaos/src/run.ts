// `pnpm test:chaos [--quick] [vitest args, e.g. a scenario file name]`: runs the chaos scenarios one at a time with
// the suite's own vitest config, then writes the table of this run into RESILIENCE.md (between its markers).
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processEnv } from '@arvlite/config';
import { readResults, RESULTS_DIR, type ScenarioResult } from './scenario.ts';
import { repoRoot } from './services.ts';

const args = process.argv.slice(2);
const isQuick = args.includes('--quick');
const rest = args.filter((a) => a !== '--quick');

// A run without a filter starts the table afresh; a run of some scenarios replaces only their rows.
if (rest.length === 0) await rm(RESULTS_DIR, { recursive: true, force: true });
const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, [vitest, 'run', '--config', 'tests/chaos/vitest.config.ts', ...rest], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...processEnv(), CHAOS_QUICK: isQuick ? '1' : '0' },
  });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

const results = await readResults();
if (results.length > 0) {
  const file = path.join(repoRoot, 'RESILIENCE.md');
  const doc = await readFile(file, 'utf8');
  const start = '<!-- chaos:last-run -->';
  const end = '<!-- /chaos:last-run -->';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a >= 0 && b > a) {
    const table = renderTable(results, isQuick);
    await writeFile(file, `${doc.slice(0, a + start.length)}\n${table}\n${doc.slice(b)}`);
    // The table as prettier writes it, so `prettier --check .` stays clean after a run.
    await new Promise<void>((resolve) =>
      spawn(process.execPath, [path.join(repoRoot, 'node_modules/prettier/bin/prettier.cjs'), '--write', file], {
        stdio: 'ignore',
      }).on('exit', () => resolve()),
    );
    console.log(`RESILIENCE.md: table of this run written (${results.length} scenarios)`);
  }
}
process.exit(code);

function renderTable(results: ScenarioResult[], quickRun: boolean): string {
  const rows = results.map((r) => {
    const a = r.accounting;
    const rec = r.recoveryMs === null ? 'n/a' : `${(r.recoveryMs / 1000).toFixed(1)} s`;
    const bound = r.bound.recoveryMs === null ? 'n/a' : `${(r.bound.recoveryMs / 1000).toFixed(0)} s`;
    return (
      `| ${r.id} | ${r.title} | ${r.quick ? 'quick' : 'full'} | ${r.faults} | ${a.uploads.completed}/${a.uploads.acknowledged} | ` +
      `${a.sessions.completed}/${a.sessions.acknowledged} | ${a.webhooks.messages} | ${a.lost} | ${a.stuck} | ` +
      `${a.duplicated} | ${rec} | ${bound} | ${r.machine.loadAvg1mAtEnd} |`
    );
  });
  const when = results
    .map((r) => r.finishedAt)
    .sort()
    .at(-1);
  return [
    `Last run: ${when} (${quickRun ? '`--quick`' : 'full'}), ${results[0]!.machine.cores} cores.`,
    '',
    '| # | Scenario | Mode | Faults | Uploads done/acked | Sessions done/acked | Webhook messages | Lost | Stuck | Duplicated | Recovery | Bound | Load (1 min) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...results.flatMap((r) => (r.notes.length ? [`- **${r.id}:** ${r.notes.join('; ')}`] : [])),
  ].join('\n');
}
