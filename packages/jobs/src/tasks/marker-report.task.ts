// marker:report: the full detection report of a published or held-back marker revision (@arvlite/marker/detect's
// measureDetection: head-on distances, tilt, rotation, blur/noise/dim/glare, heatmap, advice), stored on the item.
import { ArContent } from '@arvlite/db';
import { markerKey } from '@arvlite/domain';
import { inSpan } from '@arvlite/telemetry';
import { defineTask } from '../define-task.ts';
import { measureDetectionInThread } from '../marker/detection-thread.ts';
import { isLive, keyIds, storeReport } from '../marker/marker-state.ts';
import { compileSlots } from './marker-compile.task.ts';

export const markerReport = defineTask('marker:report', async ({ em, deps, payload, log, signal }) => {
  const content = await em.findOne(ArContent, { id: payload.arContentId }, { populate: ['project'] });
  if (!isLive(content, payload.revision)) {
    log.info({ ...payload }, 'marker revision neither published nor awaiting confirmation; no report');
    return;
  }
  const ids = keyIds(content);
  // Seconds to tens of seconds of CPU: it takes a compile slot, so compiles and reports together stay within
  // MARKER_COMPILE_CONCURRENCY per process.
  const report = await compileSlots(deps).use(
    () =>
      inSpan('marker report', { 'arvlite.marker.revision': payload.revision }, async () => {
        const [pixels, mind] = await Promise.all([
          deps.storage.getBytes(markerKey(ids, payload.revision, 'image')),
          deps.storage.getBytes(markerKey(ids, payload.revision, 'mind')),
        ]);
        return measureDetectionInThread(
          { pixels: Buffer.from(pixels), widthMm: content.widthMm ?? null, mind: Buffer.from(mind) },
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
