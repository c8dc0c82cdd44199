// Metrics of views from their events: the time from the viewer page opening to the first frame, per platform and path.
// Observed in the worker that delivers the event (sum the histograms across workers); an event delivered twice after a
// crash may be observed twice, which a histogram of many views absorbs.
import { viewTimeToFirstFrame } from '@arvlite/telemetry';
import type { OutboxConsumer } from './consumer.ts';

export const viewMetricsConsumer: OutboxConsumer = {
  name: 'view-metrics',
  accepts: (event) => event.type === 'view.first-frame',
  async deliver(_tem, { event }) {
    if (event.type !== 'view.first-frame') return;
    viewTimeToFirstFrame.observe(
      { platform: event.platform, path: event.detectedMs === null ? 'plain' : 'ar' },
      event.firstFrameMs / 1000,
    );
  },
};
