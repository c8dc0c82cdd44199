// The detection harness (@arvlite/marker/detect) in a worker thread: the gate is a second or so of CPU and the full
// report tens of seconds, which on the worker's own thread would stall every other job's I/O and heartbeats. The
// thread takes TensorFlow.js's memory with it when it ends.
import { Worker } from 'node:worker_threads';
import type { MarkerDetectionGate, MarkerDetectionReport } from '@arvlite/contract';

/** Printed width assumed when the item has none: a 10×15 cm photo print, long side across. */
export const ASSUMED_WIDTH_MM = 150;

export interface DetectionJob {
  kind: 'gate' | 'report';
  /** The normalized marker image (what was compiled). */
  pixels: Uint8Array;
  widthMm: number;
  /** The compiled .mind file. */
  mind: Uint8Array;
  /** Seeded views per condition (the harness's default without). */
  samples?: number;
}

export type DetectionThreadMessage =
  | { type: 'done'; result: MarkerDetectionGate | MarkerDetectionReport }
  | { type: 'failed'; message: string; stack?: string };

function run(job: DetectionJob, signal?: AbortSignal): Promise<MarkerDetectionGate | MarkerDetectionReport> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./detection-worker.ts', import.meta.url), { workerData: job });
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
    worker.on('message', (m: DetectionThreadMessage) => {
      if (m.type === 'done') settle(() => resolve(m.result));
      else settle(() => reject(Object.assign(new Error(`marker detection thread: ${m.message}`), { stack: m.stack })));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`marker detection thread exited with code ${code} before answering`))),
    );
  });
}

/** The gate only: detected head-on at 30 cm at its printed size (cheap; runs inside marker:compile). */
export async function checkGateInThread(
  input: { pixels: Buffer; widthMm: number | null; mind: Buffer },
  signal?: AbortSignal,
): Promise<MarkerDetectionGate> {
  return (await run(
    { kind: 'gate', pixels: input.pixels, widthMm: input.widthMm ?? ASSUMED_WIDTH_MM, mind: input.mind },
    signal,
  )) as MarkerDetectionGate;
}

/** The full report (marker:report), `samples` seeded views per condition. */
export async function measureDetectionInThread(
  input: { pixels: Buffer; widthMm: number | null; mind: Buffer; samples: number },
  signal?: AbortSignal,
): Promise<MarkerDetectionReport> {
  return (await run(
    {
      kind: 'report',
      pixels: input.pixels,
      widthMm: input.widthMm ?? ASSUMED_WIDTH_MM,
      mind: input.mind,
      samples: input.samples,
    },
    signal,
  )) as MarkerDetectionReport;
}
