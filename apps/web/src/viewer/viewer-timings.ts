// The viewer's timing marks, in one place: the camera view sets them, the benchmark reads them from the page, and view
// analytics report them. Times are milliseconds from the start of the page's navigation (opening the viewer link).

export const MARKS = {
  /** The manifest arrived. */
  manifest: 'arv:manifest',
  /** The camera was granted. */
  camera: 'arv:camera',
  /** The tracker is ready for the first frame (engine loaded, tracking data parsed, kernels compiled). */
  engine: 'arv:engine',
  /** The photo was first found. */
  detected: 'arv:detected',
  /** The video first drew a playing frame on the photo. */
  firstFrame: 'arv:first-frame',
} as const;

export type MarkName = keyof typeof MARKS;
export type ViewerTimings = Record<MarkName, number | null>;

/** The first time `name` happened in this page (later ones, e.g. the photo found again, keep the first). */
export function markOnce(name: MarkName, perf: Pick<Performance, 'mark' | 'getEntriesByName'> = performance): void {
  if (perf.getEntriesByName(MARKS[name], 'mark').length === 0) perf.mark(MARKS[name]);
}

/** Every mark set so far, rounded to the millisecond; null for one not reached. */
export function viewerTimings(perf: Pick<Performance, 'getEntriesByName'> = performance): ViewerTimings {
  const out = {} as ViewerTimings;
  for (const [key, name] of Object.entries(MARKS) as [MarkName, string][]) {
    const entry = perf.getEntriesByName(name, 'mark')[0];
    out[key] = entry ? Math.round(entry.startTime) : null;
  }
  return out;
}

/**
 * A step inside a stage (`arv:step:<name>`, every time it happens), for the breakdown the benchmark logs; nothing
 * reads these in the page.
 */
export function markStep(name: string, perf: Pick<Performance, 'mark'> = performance): void {
  perf.mark(`arv:step:${name}`);
}
