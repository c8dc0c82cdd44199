import { expect, it } from 'vitest';
import { WatchTracker } from './watch-tracker.ts';

it('counts only playing time, losses after the photo was seen, and completion', () => {
  let now = 0;
  const t = new WatchTracker(() => now);
  t.tracking(false); // not seen yet: not a loss
  t.tracking(true);
  t.playing(true);
  now = 3_000;
  t.tracking(false);
  t.playing(false);
  now = 10_000; // paused while the photo was out of view
  t.tracking(true);
  t.playing(true);
  now = 11_500;
  expect(t.stats()).toEqual({ watchedMs: 4_500, trackingLostCount: 1, completed: false });
  t.ended();
  t.playing(false);
  now = 20_000;
  expect(t.stats()).toEqual({ watchedMs: 4_500, trackingLostCount: 1, completed: true });
});

it('records the stages of the view from the screen opening, each once and in order', () => {
  let now = 1_000;
  const t = new WatchTracker(() => now);
  now = 1_200;
  t.tracking(true); // no camera stage yet: not a detection the funnel can place
  t.stage('camera');
  now = 2_000;
  t.tracking(true);
  now = 2_500;
  t.playing(true);
  t.playing(false);
  t.playing(true);
  now = 9_000;
  t.ended();
  expect(t.stats().stages).toEqual([
    { stage: 'camera', atMs: 200 },
    { stage: 'detected', atMs: 1_000 },
    { stage: 'playing', atMs: 1_500 },
    { stage: 'completed', atMs: 8_000 },
  ]);
  const plain = new WatchTracker(() => now);
  plain.stage('fallback', 'no-camera-api');
  plain.playing(true);
  expect(plain.stats().stages).toEqual([
    { stage: 'fallback', atMs: 0, reason: 'no-camera-api' },
    { stage: 'playing', atMs: 0 },
  ]);
});
