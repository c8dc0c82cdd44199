// Per-process media tooling: resolved ffmpeg, the encode concurrency limit, the selected analyzers, the originals cache.
import { join } from 'node:path';
import {
  AnalyzerRegistry,
  builtInAnalyzers,
  createExternalHttpAnalyzer,
  resolveFfmpeg,
  useProcessLauncher,
  type Analyzer,
  type FfmpegBinaries,
} from '@arvlite/media';
import type { TaskDeps } from '../define-task.ts';
import { analyzerHttpClient } from './analyzer-client.ts';
import { OriginalCache, prepareCacheDir } from './original-cache.ts';

/** A counting semaphore: at most `size` holders at once, the rest wait in order. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#free > 0) this.#free--;
    else {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.#waiting.indexOf(grant);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiting.push(grant);
      });
    }
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

export interface MediaToolkit {
  bin: FfmpegBinaries;
  encodes: Semaphore;
  analyzers: Analyzer[];
  /** Originals this worker downloaded, for its next jobs of the same video. */
  originals: OriginalCache;
}

const toolkits = new WeakMap<TaskDeps, Promise<MediaToolkit>>();

export function mediaToolkit(deps: TaskDeps): Promise<MediaToolkit> {
  let t = toolkits.get(deps);
  if (!t) {
    t = (async () => {
      const m = deps.config.media;
      const bin = await resolveFfmpeg({
        ffmpegPath: m.ffmpegPath,
        ffprobePath: m.ffprobePath,
        onWarning: (msg) => deps.log.warn(msg),
        production: deps.config.env === 'production',
        timeoutMs: m.ffmpegTimeoutMs,
      });
      // ffmpeg and ffprobe start from a small launcher process, not by forking this large one.
      if (m.processLauncher) useProcessLauncher();
      const registry = new AnalyzerRegistry(builtInAnalyzers(bin));
      if (m.externalAnalyzerUrl)
        registry.register(
          createExternalHttpAnalyzer(bin, {
            name: 'external-http',
            url: m.externalAnalyzerUrl,
            tmpDir: m.scratchDir,
            request: analyzerHttpClient({ allowLoopback: false, allowPrivate: m.externalAnalyzerAllowPrivate }),
          }),
        );
      // A directory of this process's own (those of processes gone are cleared first).
      const cacheDir = await prepareCacheDir(join(m.scratchDir, 'original-cache'));
      return {
        bin,
        encodes: new Semaphore(m.encodeConcurrency),
        analyzers: registry.select(m.analyzers),
        originals: new OriginalCache(cacheDir, m.originalCacheBytes),
      };
    })();
    toolkits.set(deps, t);
  }
  return t;
}
