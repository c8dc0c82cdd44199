// The stages one view reached, for the funnel in analytics: page opened → camera (or the plain player, with why) →
// detected → playing → completed, each in ms from the view's start (the page opening, for the page's first view). Kept
// in the order the server accepts (ViewStageRecorder, in the contract), so nothing sent is refused; the list rides
// with the view's end too, so a stage whose own report was lost still arrives.
import { ViewStageRecorder, type ReportedViewStage } from '@arvlite/contract';
import { MARKS } from './viewer-timings.ts';

/** The recorder of the stages, shared with the app (`@arvlite/contract`). */
export class ViewStages extends ViewStageRecorder {}

/** The camera view's timing marks (viewer-timings.ts) as the stages they are. */
const STAGE_OF_MARK: Record<string, ReportedViewStage> = {
  [MARKS.camera]: 'camera',
  [MARKS.detected]: 'detected',
  [MARKS.firstFrame]: 'playing',
};

/**
 * Calls `on` with each camera-view mark set at or after `sinceMs` (performance time), in order, including those set
 * before the call. Marks are per page: a later view in the same page sees only the marks that come after its start.
 * Returns the function that stops watching.
 */
export function watchStageMarks(sinceMs: number, on: (stage: ReportedViewStage, atPerfMs: number) => void): () => void {
  if (typeof PerformanceObserver === 'undefined') return () => undefined;
  const seen = new Set<string>();
  const take = (entries: PerformanceEntryList) => {
    for (const entry of [...entries].sort((a, b) => a.startTime - b.startTime)) {
      const stage = STAGE_OF_MARK[entry.name];
      if (!stage || entry.startTime < sinceMs || seen.has(entry.name)) continue;
      seen.add(entry.name);
      on(stage, entry.startTime);
    }
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  try {
    observer.observe({ type: 'mark', buffered: true });
  } catch {
    return () => undefined;
  }
  take(performance.getEntriesByType('mark'));
  return () => observer.disconnect();
}
