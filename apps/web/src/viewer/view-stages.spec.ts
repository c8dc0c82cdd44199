import { describe, expect, it } from 'vitest';
import { ViewStages } from './view-stages.ts';

describe('ViewStages', () => {
  it('keeps each stage once, only after the stage it follows, never earlier than it', () => {
    const s = new ViewStages();
    expect(s.reach('detected', 50)).toBeNull(); // no camera yet
    expect(s.reach('camera', 120.4)).toEqual({ stage: 'camera', atMs: 120 });
    expect(s.reach('camera', 130)).toBeNull();
    expect(s.reach('detected', 100)).toEqual({ stage: 'detected', atMs: 120 }); // a mark a hair early: not before
    expect(s.reach('completed', 900)).toBeNull(); // not playing yet
    expect(s.reach('playing', 700)).toEqual({ stage: 'playing', atMs: 700 });
    expect(s.reach('fallback', 800, 'chosen')).toEqual({ stage: 'fallback', atMs: 800, reason: 'chosen' });
    expect(s.reach('completed', 5000)).toEqual({ stage: 'completed', atMs: 5000 });
    expect(s.list().map((r) => r.stage)).toEqual(['camera', 'detected', 'playing', 'fallback', 'completed']);
  });

  it('the plain player: fallback with its reason, then playing; times bounded to a day', () => {
    const s = new ViewStages();
    expect(s.reach('fallback', 3, 'no-webgl')).toEqual({ stage: 'fallback', atMs: 3, reason: 'no-webgl' });
    expect(s.reach('playing', 1e12)).toEqual({ stage: 'playing', atMs: 86_400_000 });
    expect(s.reach('camera', Number.NaN)).toBeNull();
  });
});
