// marker:report: the full detection report of a published or held-back marker revision (@arvlite/marker/detect's
// measureDetection: head-on distances, tilt, rotation, blur/noise/dim/glare, heatmap, advice), stored on the item.
import { ArContent } from '@arvlite/db';
import { markerKey } from '@arvlite/domain';
import { inSpan } from '@arvlite/telemetry';
import { defineTask } from '../define-task.ts';
import { measureDetectionInThread } from '../marker/detection-thread.ts';
import { isLive, keyIds, storeReport } from '../marker/marker-state.ts';
import { Semaphore } from '../pipeline/media-toolkit.ts';
import type { TaskDeps } from '../define-task.ts';

const slots = new WeakMap<TaskDeps, Semaphore>();

/** One report at a time per process, beside the compiles: a report (tens of seconds) never delays a compile's start. */
function reportSlot(deps: TaskDeps): Semaphore {
  let s = slots.get(deps);
  if (!s) {
    s = new Semaphore(1);
    slots.set(deps, s);
  }
  return s;
}

export const markerReport = defineTask('marker:report', async ({ em, deps, payload, log, signal }) => {
  const content = await em.findOne(ArContent, { id: payload.arContentId }, { populate: ['project'] });
  if (!isLive(content, payload.revision)) {
    log.info({ ...payload }, 'marker revision neither published nor awaiting confirmation; no report');
    return;
  }
  const ids = keyIds(content);
  // Tens of seconds of CPU: one at a time per process, in a slot of its own so that compiles never wait for it.
  const report = await reportSlot(deps).use(
    () =>
      inSpan('marker report', { 'arvlite.marker.revision': payload.revision }, async () => {
        const [pixels, mind] = await Promise.all([
          deps.storage.getBytes(markerKey(ids, payload.revision, 'image')),
          deps.storage.getBytes(markerKey(ids, payload.revision, 'mind')),
        ]);
        return measureDetectionInThread(
          {
            pixels: Buffer.from(pixels),
            widthMm: content.widthMm ?? null,
            mind: Buffer.from(mind),
            samples: deps.config.markers.reportSamples,
          },
          signal,
        );
      }),
    signal,
  );
  const stored = await storeReport(em, content.id, payload.revision, report);
  log.info(
    { ...payload, stored, range: report.range, gate: report.gate, durationMs: report.durationMs },
    'marker detection measured',
  );
});
