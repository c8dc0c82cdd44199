// The analyzer port: every analysis (built-in ffmpeg filters or an external service) is one strategy behind this interface.
import type { MediaInfo } from '../probe.ts';

export interface AnalyzeOptions {
  signal?: AbortSignal;
}

/**
 * An analyzer's part in a decode that another ffmpeg run already makes (the one-pass ladder): filter chains that end
 * in a sink, fed by that run's decoded video (after its source filters) and first audio stream.
 */
export interface PassBranch<R = unknown> {
  /** From the decoded video, e.g. `blackdetect=…,nullsink`. */
  video?: string;
  /** From the first audio stream, e.g. `ebur128=…,anullsink`. */
  audio?: string;
  /** Keeps the lines of ffmpeg's info-level log this analyzer reads (the run logs at info level when one needs it). */
  logLine?: (line: string) => boolean;
  /** The result, from the kept log lines and files written into the run's directory (`dir`). */
  result(lines: readonly string[], dir: string): Promise<R>;
}

export interface Analyzer<R = unknown> {
  /** The name config lists to enable it, and the key its result is stored under. */
  readonly name: string;
  analyze(input: string, info: MediaInfo, options?: AnalyzeOptions): Promise<R>;
  /** The same analysis as filters in another run's decode; `tag` keeps its file names apart. Absent: it cannot. */
  inPass?(info: MediaInfo, tag: string): PassBranch<R>;
}

export class UnknownAnalyzerError extends Error {
  readonly code = 'UNKNOWN_ANALYZER';

  constructor(name: string, known: string[]) {
    super(`Unknown analyzer "${name}"; known analyzers: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownAnalyzerError';
  }
}

export class AnalyzerRegistry {
  readonly #byName = new Map<string, Analyzer>();

  constructor(analyzers: readonly Analyzer[] = []) {
    for (const a of analyzers) this.register(a);
  }

  register(analyzer: Analyzer): this {
    if (this.#byName.has(analyzer.name)) {
      throw new Error(`Analyzer "${analyzer.name}" is registered twice`);
    }
    this.#byName.set(analyzer.name, analyzer);
    return this;
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The analyzers config asks for, in its order. An unknown name is a configuration error, raised at startup. */
  select(names: readonly string[]): Analyzer[] {
    return [...new Set(names)].map((n) => {
      const a = this.#byName.get(n);
      if (!a) throw new UnknownAnalyzerError(n, this.names());
      return a;
    });
  }
}

export type AnalyzerOutcome =
  | { name: string; ok: true; result: unknown; durationMs: number }
  | { name: string; ok: false; error: Error; durationMs: number };

/**
 * Runs analyzers one after another (each is CPU-bound). One analyzer's failure does not stop the
 * others, since analysis enriches a video that is already playable; an abort stops everything.
 */
export async function runAnalyzers(
  analyzers: readonly Analyzer[],
  input: string,
  info: MediaInfo,
  options: AnalyzeOptions = {},
): Promise<AnalyzerOutcome[]> {
  const outcomes: AnalyzerOutcome[] = [];
  for (const a of analyzers) {
    options.signal?.throwIfAborted();
    const started = performance.now();
    try {
      const result = await a.analyze(input, info, options);
      outcomes.push({
        name: a.name,
        ok: true,
        result,
        durationMs: Math.round(performance.now() - started),
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes.push({
        name: a.name,
        ok: false,
        error,
        durationMs: Math.round(performance.now() - started),
      });
    }
  }
  return outcomes;
}
