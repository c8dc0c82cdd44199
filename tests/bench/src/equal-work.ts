// Equal work: before an HTTP row counts, ours and the baseline must run the same number of statements returning
// the same number of rows per request (pg_stat_statements, per database) and send the same response bytes.
import { createHash } from 'node:crypto';
import type { BenchServices } from './services.ts';

export interface Work {
  requests: number;
  statementsPerRequest: number;
  rowsPerRequest: number;
  /** The statements seen, most frequent first (normalised text from pg_stat_statements). */
  statements: { query: string; callsPerRequest: number }[];
  status: number;
  bodyBytes: number;
  bodySha256: string;
  body: Buffer;
}

export interface RequestSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

async function send(spec: RequestSpec): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(spec.url, {
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

export interface StatementCounts {
  calls: number;
  rows: number;
  statements: { query: string; calls: number; rows: number }[];
}

/** Forgets what pg_stat_statements has counted for `database` so far. */
export async function resetStatements(services: BenchServices, database: string): Promise<void> {
  await services.adminQuery('select pg_stat_statements_reset(0, (select oid from pg_database where datname = $1), 0)', [
    database,
  ]);
}

/** Statements run in `database` since the last reset (every client, including the bench's own). */
export async function readStatements(services: BenchServices, database: string): Promise<StatementCounts> {
  const stats = await services.adminQuery<{ query: string; calls: string; rows: string }>(
    `select query, calls::text, rows::text from pg_stat_statements
     where dbid = (select oid from pg_database where datname = $1) order by calls desc, query`,
    [database],
  );
  return {
    calls: stats.reduce((n, s) => n + Number(s.calls), 0),
    rows: stats.reduce((n, s) => n + Number(s.rows), 0),
    statements: stats.map((s) => ({
      query: s.query.replace(/\s+/g, ' ').slice(0, 160),
      calls: Number(s.calls),
      rows: Number(s.rows),
    })),
  };
}

/** Sends `requests` sequential requests and reads what they cost `database` from pg_stat_statements. */
export async function measureWork(
  services: BenchServices,
  database: string,
  spec: RequestSpec,
  requests = 50,
): Promise<Work> {
  // Warm caches and prepared statements first: the check is about steady-state work per request.
  for (let i = 0; i < 5; i++) await send(spec);
  await resetStatements(services, database);
  let last: { status: number; body: Buffer } = { status: 0, body: Buffer.alloc(0) };
  for (let i = 0; i < requests; i++) last = await send(spec);
  const counts = await readStatements(services, database);
  return {
    requests,
    statementsPerRequest: counts.calls / requests,
    rowsPerRequest: counts.rows / requests,
    statements: counts.statements.map((s) => ({
      query: s.query,
      callsPerRequest: s.calls / requests,
    })),
    status: last.status,
    bodyBytes: last.body.length,
    bodySha256: createHash('sha256').update(last.body).digest('hex'),
    body: last.body,
  };
}

export interface WorkProblem {
  /** 'answer': status or bytes differ, so the two sides do not even do the same job; 'queries': the same answer
   * from a different amount of database work. */
  kind: 'answer' | 'queries';
  text: string;
}

/**
 * Where the two sides' work differs; empty when both ran the same statements and sent the same bytes. `normalize`
 * (e.g. the signing time inside presigned URLs) is applied to both bodies before they are compared; lengths are
 * compared raw.
 */
export function compareWork(ours: Work, baseline: Work, normalize?: (body: string) => string): WorkProblem[] {
  const problems: WorkProblem[] = [];
  const same = (a: number, b: number) => Math.abs(a - b) < 0.01;
  if (ours.status !== baseline.status)
    problems.push({ kind: 'answer', text: `status ${ours.status} vs baseline ${baseline.status}` });
  if (!same(ours.statementsPerRequest, baseline.statementsPerRequest)) {
    problems.push({
      kind: 'queries',
      text: `${ours.statementsPerRequest} statements per request vs baseline ${baseline.statementsPerRequest}`,
    });
  }
  if (!same(ours.rowsPerRequest, baseline.rowsPerRequest)) {
    problems.push({
      kind: 'queries',
      text: `${ours.rowsPerRequest} rows per request vs baseline ${baseline.rowsPerRequest}`,
    });
  }
  const sameBody = normalize
    ? ours.bodyBytes === baseline.bodyBytes && normalize(ours.body.toString()) === normalize(baseline.body.toString())
    : ours.body.equals(baseline.body);
  if (!sameBody) {
    problems.push({
      kind: 'answer',
      text: `response bodies differ (${ours.bodyBytes} vs ${baseline.bodyBytes} bytes): ${ours.body.subarray(0, 120).toString()} … vs ${baseline.body.subarray(0, 120).toString()} …`,
    });
  }
  return problems;
}

export function describeWork(w: Work): string {
  return `${w.statementsPerRequest} statements, ${w.rowsPerRequest} rows, ${w.bodyBytes} bytes per request`;
}
