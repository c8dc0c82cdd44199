// What every scenario shares: measuring recovery, recording the result for RESILIENCE.md, and failing on any lost,
// stuck or duplicated item or a recovery past the scenario's bound.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processEnv } from '@arvlite/config';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, drain, type Accounting } from './accounting.ts';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import { newLedger, seedWorld, startLoad, type Ledger, type LoadOptions, type World } from './load.ts';
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

/** One answer a scenario's own probe got straight from a server (status 0: no answer within the probe's timeout). */
export interface ProbeAnswer {
  status: number;
  retryAfter: string | null;
  url: string;
}

export interface FaultRound {
  cluster: Cluster;
  world: World;
  ledger: Ledger;
  /** 0, 1, … */
  round: number;
  /**
   * What a client sees from each server right now (straight, not through the load balancer): the public manifest over
   * tRPC and REST, both of which read the database. `parallel` sends that many of each at once (to fill a pool); each
   * call gives up after `timeoutMs` (a hang shows as status 0).
   */
  probe(opts?: { parallel?: number; timeoutMs?: number }): Promise<ProbeAnswer[]>;
}

export interface FaultScenario {
  /** The result's id ('3', '4', …) and title (the RESILIENCE.md table's). */
  id: string;
  title: string;
  /** The vitest test's name. */
  test: string;
  cluster?: ClusterOptions;
  /** Faults injected, one per round (each waits until a processing step runs, so it hits work in flight). */
  rounds: number;
  bound: ScenarioResult['bound'];
  /** The steady load (default: 2 single to 1 multipart, 2 uploaders, 8 uploads in quick mode and 16 in full). */
  load?: LoadOptions;
  /** Injects one round's fault and returns once it has ended (probing meanwhile, as the scenario wants). */
  fault(round: FaultRound): Promise<void>;
  /** What the probes must see: 503s with a retry hint (a database fault), or anything but a 5xx (the default). */
  expect503?: boolean;
  /** More lines for the result's notes, after the accounting (e.g. counts from the database). */
  notes?: (ctx: { cluster: Cluster; answers: ProbeAnswer[] }) => Promise<string[]> | string[];
  /** More checks, after the standard ones have been recorded (before assertClean). */
  check?: (ctx: { cluster: Cluster; answers: ProbeAnswer[]; result: ScenarioResult }) => Promise<void> | void;
}

/**
 * A fault scenario as scenarios 3-6 run it: a cluster and a seeded world; a steady load; `rounds` times, wait for a
 * processing step to run, inject the fault (the scenario's `fault`), measure the recovery from its end and let the
 * system run 10 s; then drain, account and record. Fails on any lost, stuck or duplicated item, a recovery past the
 * bound, an INTERNAL_SERVER_ERROR or other non-503 5xx seen by a client (the load's, with where it came from, or a
 * probe's), a probe that got no answer, a 503 without retry-after, and (with `expect503`) a fault that no probe saw.
 */
export function runFaultScenario(s: FaultScenario): void {
  let cluster: Cluster;
  let world: World;
  const ledger = newLedger();
  beforeAll(async () => {
    cluster = await startCluster({ servers: 2, workers: 2, ...s.cluster });
    world = await seedWorld(cluster, ledger, { tenants: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  it(s.test, async () => {
    const started = performance.now();
    const load = startLoad(cluster, world, ledger, {
      mix: { single: 2, multipart: 1 },
      uploaders: 2,
      uploadGapMs: 1_500,
      maxUploads: quick ? 8 : 16,
      viewerRate: 1,
      watch: true,
      ...s.load,
    });
    const answers: ProbeAnswer[] = [];
    const probe = async ({ parallel = 1, timeoutMs = 30_000 } = {}) => {
      const input = encodeURIComponent(JSON.stringify({ json: { publicId: world.publicId } }));
      const urls = cluster.servers.flatMap((sv) =>
        Array.from({ length: parallel }, () => [
          `${sv.url}/trpc/viewer.manifest?input=${input}`,
          `${sv.url}/api/v1/viewer/${world.publicId}/manifest`,
        ]).flat(),
      );
      const got = await Promise.all(
        urls.map(async (url) => {
          const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => null);
          await res?.body?.cancel();
          return { status: res?.status ?? 0, retryAfter: res?.headers.get('retry-after') ?? null, url };
        }),
      );
      answers.push(...got);
      return got;
    };
    let worst = 0;
    for (let round = 0; round < s.rounds; round++) {
      // While steps run, not at an idle moment.
      const until = Date.now() + 120_000;
      while (Date.now() < until) {
        const [row] = await cluster.services.query<{ n: string }>(
          `select count(*) as n from video_step where status = 'running'`,
        );
        if (Number(row!.n) > 0) break;
        await sleep(200);
      }
      await s.fault({ cluster, world, ledger, round, probe });
      const faultEnded = performance.now();
      worst = Math.max(worst, await measureRecovery(cluster, ledger, faultEnded));
      await sleep(10_000);
    }
    await load.done;
    await load.stop();
    await drain(cluster, ledger, 600_000);
    const accounting = await account(cluster, world, ledger);
    const byStatus: Record<number, number> = {};
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    const fiveHundreds = answers.filter((a) => a.status >= 500 && a.status !== 503);
    const serverErrors = new Map<string, number>();
    for (const e of ledger.serverErrors) {
      const k = `${e.what} ${e.path ?? '(no tRPC path)'} ${e.httpStatus ?? 'no answer'} ${e.code}`;
      serverErrors.set(k, (serverErrors.get(k) ?? 0) + 1);
    }
    const result = await recordResult({
      id: s.id,
      title: s.title,
      faults: s.rounds,
      recoveryMs: worst,
      bound: s.bound,
      accounting,
      notes: [
        ...(s.notes ? await s.notes({ cluster, answers }) : []),
        `probes straight to each server during the faults: ${answers.length}, by status ${JSON.stringify(byStatus)}`,
        `client errors (retried): ${JSON.stringify(ledger.clientErrors)}`,
        ...(serverErrors.size
          ? [`server errors other than 503 seen by the load: ${JSON.stringify(Object.fromEntries(serverErrors))}`]
          : []),
      ],
      durationS: Math.round((performance.now() - started) / 1000),
    });
    expect(ledger.serverErrors, 'server errors other than 503 seen by the load (what, path, status)').toEqual([]);
    expect(ledger.clientErrors.INTERNAL_SERVER_ERROR ?? 0, 'INTERNAL_SERVER_ERROR seen by clients').toBe(0);
    expect(fiveHundreds, '5xx other than 503 answered to the probes').toEqual([]);
    expect(answers.filter((a) => a.status === 0).length, 'probes that hung or got no answer').toBe(0);
    expect(answers.filter((a) => a.status === 503 && a.retryAfter === null).length, '503s without a retry hint').toBe(
      0,
    );
    if (s.expect503) expect(byStatus[503] ?? 0, '503s answered to the probes during the faults').toBeGreaterThan(0);
    await s.check?.({ cluster, answers, result });
    assertClean(result);
  });
}
