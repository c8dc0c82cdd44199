// HTTP load from autocannon, always in a process of its own so it never shares an event loop with the server.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { processEnv } from '@arvlite/config';
import type { ProcessRegistry } from './processes.ts';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const AUTOCANNON_CLIENTS = fileURLToPath(new URL('./autocannon-clients.ts', import.meta.url));

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Offered rate over all connections (-R); omit for saturation. */
  rate?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Seconds of unrecorded warm-up at the same settings. */
  warmupS?: number;
  /**
   * Spread the requests over this many client addresses in turn (`x-forwarded-for`; the server must trust its
   * proxy). Without it every request comes from 127.0.0.1.
   */
  clients?: number;
}

export interface LoadResult {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerSec: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function autocannon(processes: ProcessRegistry, opts: LoadOptions): Promise<LoadResult> {
  const args = ['-j', '-n', '-c', String(opts.connections), '-d', String(opts.durationS)];
  if (opts.rate !== undefined) args.push('-R', String(opts.rate));
  if (opts.method) args.push('-m', opts.method);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (opts.body !== undefined) args.push('-b', opts.body);
  if (opts.warmupS) args.push('--warmup', '[', '-c', String(opts.connections), '-d', String(opts.warmupS), ']');
  args.push(opts.url);

  // One JSON document per line; with --warmup the warm-up's comes first.
  const lines: string[] = [];
  const [script, scriptArgs] = opts.clients
    ? [AUTOCANNON_CLIENTS, [String(opts.clients), ...args]]
    : [AUTOCANNON, args];
  const child = processes.spawnNode('autocannon', script, scriptArgs, {
    env: { ...processEnv() },
    stdout: 'pipe',
    onStdout: (line) => lines.push(line),
  });
  const exit = await child.exited;
  if (exit.code !== 0)
    throw new Error(`autocannon exited with ${exit.signal ?? `code ${exit.code}`}:\n${child.stderrTail()}`);
  const r = JSON.parse(lines.findLast((l) => l.trim().startsWith('{')) ?? 'null') as AutocannonJson;
  const result: LoadResult = {
    requestsPerSec: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMeanMs: r.latency.average,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bytesPerSec: r.throughput.average,
  };
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${opts.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts out of ${result.requests} requests`,
    );
  }
  return result;
}
