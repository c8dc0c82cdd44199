import { describe, expect, it } from 'vitest';
import { MARKS, markOnce, markStep, viewerTimings } from './viewer-timings.ts';

/** A Performance with its own clock and marks. */
function fakePerformance() {
  let now = 0;
  const marks: { name: string; startTime: number }[] = [];
  return {
    advance: (ms: number) => void (now += ms),
    mark: (name: string) => {
      marks.push({ name, startTime: now });
      return undefined as unknown as PerformanceMark;
    },
    getEntriesByName: (name: string, type?: string) =>
      (type === undefined || type === 'mark' ? marks.filter((m) => m.name === name) : []) as PerformanceEntry[],
  };
}

describe('viewer timings', () => {
  it('marks each moment once, at its first time, and reads them as ms from the page start', () => {
    const perf = fakePerformance();
    perf.advance(120.4);
    markOnce('manifest', perf);
    perf.advance(1000);
    markOnce('detected', perf);
    perf.advance(500);
    markOnce('detected', perf); // found again: the first time stays
    markOnce('firstFrame', perf);
    expect(viewerTimings(perf)).toEqual({
      manifest: 120,
      camera: null,
      engine: null,
      detected: 1120,
      firstFrame: 1620,
    });
    expect(perf.getEntriesByName(MARKS.detected, 'mark')).toHaveLength(1);
  });

  it('uses the real User Timing marks of the page', () => {
    performance.clearMarks();
    markOnce('engine');
    expect(performance.getEntriesByName('arv:engine', 'mark')).toHaveLength(1);
    expect(viewerTimings().engine).toBeGreaterThanOrEqual(0);
  });

  it('marks steps every time, under their own prefix, apart from the stage marks', () => {
    performance.clearMarks();
    markStep('frame');
    markStep('frame');
    expect(performance.getEntriesByName('arv:step:frame', 'mark')).toHaveLength(2);
    expect(viewerTimings()).toEqual({ manifest: null, camera: null, engine: null, detected: null, firstFrame: null });
  });
});
