// Whether an error means "the database cannot be reached right now" (stopped, restarting, our connection
// terminated, the pool full past its acquire timeout, a statement timeout), as opposed to a bug or a refused
// statement. The API answers these 503 with a retry hint instead of 500; jobs retry them without spending attempts.

/** Node's socket errors that mean the peer went away or cannot be reached. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: class 08 (connection exception), 53300 too_many_connections, 57P01 admin_shutdown (pg_terminate_backend,
 * a fast shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down), 57014
 * query_canceled (statement_timeout).
 */
const SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03', '57014']);

/** pg's and pg-pool's own messages for a lost connection or an acquire timeout (they carry no code). */
const MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection terminated unexpectedly|Query read timeout|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command)/;

export function isDatabaseUnavailable(e: unknown): boolean {
  for (let err = e, depth = 0; err && typeof err === 'object' && depth < 5; depth++) {
    const { code, sqlState, message } = err as { code?: unknown; sqlState?: unknown; message?: unknown };
    for (const c of [code, sqlState]) {
      if (typeof c !== 'string') continue;
      if (SOCKET_CODES.has(c) || SQLSTATES.has(c) || /^08[0-9A-Z]{3}$/.test(c)) return true;
    }
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    err = (err as { cause?: unknown }).cause;
  }
  return false;
}
