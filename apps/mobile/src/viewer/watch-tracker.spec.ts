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
