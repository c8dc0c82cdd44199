// What every scenario shares: measuring recovery, recording the result for RESILIENCE.md, and failing on any lost,
// stuck or duplicated item or a recovery past the scenario's bound.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processEnv } from '@arvlite/config';
import type { Accounting } from './accounting.ts';
import type { Cluster } from './cluster.ts';
import type { Ledger } from './load.ts';
import { repoRoot } from './services.ts';

export const RESULTS_DIR = path.join(repoRoot, '.data', 'chaos-results');

export interface ScenarioResult {
  /** '1', '2', … or 'scale-out'. */
  id: string;
  title: string;
  /** Faults injected (kills, restarts, …). */
  faults: number;
  /** Worst recovery measured (ms from a fault's end until healthy and draining); null when not applicable. */
  recoveryMs: number | null;
  /** The stated bound on recoveryMs and why it is what it is. */
  bound: { recoveryMs: number | null; why: string };
  accounting: Accounting;
  /** Anything else worth printing (throughput, SSE checks, …). */
  notes: string[];
  durationS: number;
  /** Run with --quick. */
  quick: boolean;
  finishedAt: string;
  machine: { cores: number; loadAvg1mAtEnd: number };
}

/** Quick mode (`pnpm test:chaos --quick`, CI): fewer faults and uploads per scenario. */
export const quick = processEnv().CHAOS_QUICK === '1';

/**
 * From `faultEndedAt` (performance.now()) until every server answers /readyz 200 and the backlog drains: some step
 * finished after the fault's end, or nothing was waiting. Returns the milliseconds.
 */
export async function measureRecovery(
  cluster: Cluster,
  ledger: Ledger,
  faultEndedAt: number,
  timeoutMs = 300_000,
): Promise<number> {
  const wall = new Date(Date.now() - (performance.now() - faultEndedAt));
  const healthyAt = await cluster.untilHealthy(timeoutMs);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ids = ledger.uploads.filter((u) => u.completed).map((u) => u.videoId);
    const [row] = await cluster.services
      .query<{ waiting: string; moved: string }>(
        `select (select count(*) from video where id = any($1::uuid[]) and status not in ('READY', 'FAILED')) as waiting,
                (select count(*) from video_step where finished_at > $2) as moved`,
        [ids, wall],
      )
      .catch(() => [undefined]);
    if (row && (row.waiting === '0' || Number(row.moved) > 0))
      return Math.max(healthyAt, performance.now()) - faultEndedAt;
    if (Date.now() > until) throw new Error(`backlog not draining within ${timeoutMs} ms of the fault's end`);
    await sleep(250);
  }
}

export async function recordResult(
  result: Omit<ScenarioResult, 'finishedAt' | 'machine' | 'quick'>,
): Promise<ScenarioResult> {
  const full: ScenarioResult = {
    ...result,
    quick,
    finishedAt: new Date().toISOString(),
    machine: { cores: cpus().length, loadAvg1mAtEnd: Math.round(loadavg()[0]! * 10) / 10 },
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, `${result.id}.json`), JSON.stringify(full, null, 2));
  const a = full.accounting;
  console.log(
    `[chaos ${full.id}] ${full.title}: faults ${full.faults}, uploads ${a.uploads.completed}/${a.uploads.acknowledged}, ` +
      `sessions ${a.sessions.completed}/${a.sessions.acknowledged}, webhooks ${a.webhooks.messages}, lost ${a.lost}, ` +
      `stuck ${a.stuck}, duplicated ${a.duplicated}, recovery ${full.recoveryMs === null ? 'n/a' : `${Math.round(full.recoveryMs)} ms`}` +
      (full.bound.recoveryMs === null ? '' : ` (bound ${full.bound.recoveryMs} ms)`) +
      (full.notes.length ? `\n  ${full.notes.join('\n  ')}` : ''),
  );
  return full;
}

/** Throws (listing every problem) on any lost, stuck or duplicated item, or a recovery past the bound. */
export function assertClean(result: ScenarioResult): void {
  const a = result.accounting;
  const failures = a.problems.map((p) => `${p.what}: ${p.item}: ${p.detail}`);
  if (result.recoveryMs !== null && result.bound.recoveryMs !== null && result.recoveryMs > result.bound.recoveryMs)
    failures.push(`recovery ${Math.round(result.recoveryMs)} ms is past the bound of ${result.bound.recoveryMs} ms`);
  if (a.uploads.acknowledged === 0) failures.push('no upload was acknowledged: the load did not run');
  if (failures.length > 0) throw new Error(`scenario ${result.id} failed:\n${failures.join('\n')}`);
}

export async function readResults(): Promise<ScenarioResult[]> {
  const { readdir } = await import('node:fs/promises');
  let files: string[] = [];
  try {
    files = (await readdir(RESULTS_DIR)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const all = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(path.join(RESULTS_DIR, f), 'utf8')) as ScenarioResult),
  );
  return all.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}
