// The thread body of detection-thread.ts: runs @arvlite/marker's detection harness on the posted marker.
// mind-ar ships no typings; @arvlite/marker declares the modules it uses in .d.ts files only its own tsconfig
// includes, so programs that import them need these references (as marker-compile.task.ts does).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- see above
/// <reference path="../../../marker/src/mind-ar-modules.d.ts" />
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- see above
/// <reference path="../../../marker/src/detect/mind-ar-modules.d.ts" />
import { parentPort, workerData } from 'node:worker_threads';
import { checkGate, measureDetection } from '@arvlite/marker/detect';
import type { DetectionJob, DetectionThreadMessage } from './detection-thread.ts';

const job = workerData as DetectionJob;
const input = {
  pixels: Buffer.from(job.pixels),
  widthMm: job.widthMm,
  mind: Buffer.from(job.mind),
  ...(job.samples === undefined ? {} : { samples: job.samples }),
};
const post = (m: DetectionThreadMessage) => parentPort?.postMessage(m);
try {
  const result = job.kind === 'gate' ? await checkGate(input) : await measureDetection(input);
  post({ type: 'done', result });
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e), stack: (e as Error)?.stack });
}
