// The thread compileMindTargetInThread starts: one compile, its progress and its answer, then it ends.
import { parentPort, workerData } from 'node:worker_threads';
import { compileMindTarget } from './compile.ts';
import type { CompileThreadMessage } from './compile-thread.ts';
import { isMarkerError } from './marker-error.ts';
import type { GreyImage } from './normalize.ts';

const post = (m: CompileThreadMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

try {
  // A Buffer arrives as a plain Uint8Array (structured clone); grey pixels as { data, width, height }.
  const input = workerData as Uint8Array | GreyImage;
  const { mind, ...rest } = await compileMindTarget(input instanceof Uint8Array ? Buffer.from(input) : input, {
    onProgress: (percent) => post({ type: 'progress', percent }),
  });
  const bytes = new Uint8Array(mind);
  post({ type: 'done', result: { ...rest, mind: bytes } }, [bytes.buffer]);
} catch (e) {
  const err = e as Error;
  post(
    isMarkerError(e)
      ? { type: 'failed', code: e.code, message: e.message }
      : { type: 'failed', message: String(err?.message ?? e), stack: err?.stack },
  );
}
