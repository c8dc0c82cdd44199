// Failures of the machinery around a job rather than of its input: storage or the database unreachable, the worker's
// scratch disk full. They pass, so a job failing with one is retried (with backoff) past its usual attempts instead of
// failing its video or marker for a fault that went away.
import { isDatabaseUnavailable } from '@arvlite/db';
import { isUnavailable } from '@arvlite/storage';

/** Why the failure is transient, in words for the step's message; null when it is not. */
export function transientReason(e: unknown): string | null {
  if (isDiskFull(e)) return "the worker's scratch disk is full";
  const chain: object[] = [];
  for (let err = e, depth = 0; err && typeof err === 'object' && depth < 5; depth++) {
    chain.push(err);
    err = (err as { cause?: unknown }).cause;
  }
  // The storage clients' errors carry their request's metadata (AWS SDK `$metadata`, Azure `statusCode`); a bare
  // socket error (ECONNREFUSED…) could be either service, and is named by what it is not.
  if (chain.some((err) => isUnavailable(err) && ('$metadata' in err || 'statusCode' in err))) {
    return 'storage is unavailable';
  }
  if (isDatabaseUnavailable(e)) return 'the database is unavailable';
  if (chain.some((err) => isUnavailable(err))) return 'a service it needs is unreachable';
  return null;
}

/**
 * ENOSPC/EDQUOT from Node's fs, or ffmpeg's words for it on its stderr: in the run's error message (its last line) or
 * on an earlier line of the stderr tail (a header that could not be written is reported, then "Error initializing
 * output stream").
 */
function isDiskFull(e: unknown): boolean {
  const full = /No space left on device|Disk quota exceeded/;
  for (let err = e, depth = 0; err && typeof err === 'object' && depth < 5; depth++) {
    const { code, message, stderrTail } = err as { code?: unknown; message?: unknown; stderrTail?: unknown };
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
    if (typeof message === 'string' && full.test(message)) return true;
    if (typeof stderrTail === 'string' && full.test(stderrTail)) return true;
    err = (err as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * On a transient failure at what would be the job's last attempt, gives the job one more (graphile-worker retries it
 * after its growing backoff, e^attempts seconds, on any worker), until it has had `maxAttempts`. Returns the reason
 * when the failure is transient. Call it before deciding whether this attempt is the final one.
 */
export async function extendForTransient(
  helpers: {
    job: { id: string; attempts: number; max_attempts: number };
    query: (sql: string, values: unknown[]) => Promise<unknown>;
  },
  e: unknown,
  maxAttempts: number,
): Promise<string | null> {
  const reason = transientReason(e);
  const { job } = helpers;
  if (reason && job.attempts >= job.max_attempts && job.attempts < maxAttempts) {
    await helpers.query('update graphile_worker._private_jobs set max_attempts = attempts + 1 where id = $1', [job.id]);
    job.max_attempts = job.attempts + 1;
  }
  return reason;
}
