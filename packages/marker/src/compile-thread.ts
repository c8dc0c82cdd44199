// compileMindTarget in a worker thread: a compile holds the CPU for seconds at a time (one pyramid level, the
// tracking step), and in the worker process that would stall every other job's I/O, progress and heartbeats for as
// long (4 s at a stretch measured for an 800×600 marker on a busy 2-core machine). The thread also takes
// TensorFlow.js and mind-ar's memory with it when it ends, instead of keeping it in the process.
import { Worker } from 'node:worker_threads';
import type { CompiledMindTarget, CompileOptions } from './compile.ts';
import { MarkerError, type MarkerErrorCode } from './marker-error.ts';
import type { GreyImage } from './normalize.ts';

/** What compile-worker.ts posts back. */
export type CompileThreadMessage =
  | { type: 'progress'; percent: number }
  | { type: 'done'; result: Omit<CompiledMindTarget, 'mind'> & { mind: Uint8Array } }
  | { type: 'failed'; code?: MarkerErrorCode; message: string; stack?: string };

/** As compileMindTarget, in a thread of its own; `signal` ends the thread and rejects with the signal's reason. */
export function compileMindTargetInThread(
  image: Buffer | GreyImage,
  options: CompileOptions & { signal?: AbortSignal } = {},
): Promise<CompiledMindTarget> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./compile-worker.ts', import.meta.url), { workerData: image });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: CompileThreadMessage) => {
      if (m.type === 'progress') onProgress?.(m.percent);
      else if (m.type === 'done') settle(() => resolve({ ...m.result, mind: Buffer.from(m.result.mind) }));
      else
        settle(() =>
          reject(
            m.code
              ? new MarkerError(m.code, m.message)
              : Object.assign(new Error(`marker compile thread: ${m.message}`), { stack: m.stack }),
          ),
        );
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`marker compile thread exited with code ${code} before answering`))),
    );
  });
}
