// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { EndSessionInput } from './api.ts';
import { trackVideo, ViewTracker, webDevice } from './view-tracker.ts';

function tracker(startResult: Promise<string> = Promise.resolve('session-1')) {
  const started: number[] = [];
  const ended: EndSessionInput[] = [];
  const t = new ViewTracker({
    start: () => {
      started.push(Date.now());
      return startResult;
    },
    end: (input) => {
      ended.push(input);
      return Promise.resolve(true);
    },
  });
  return { t, started, ended };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ViewTracker', () => {
  it('starts one session on the first playback, and ends it with media time watched', async () => {
    const { t, started, ended } = tracker();
    t.playing();
    t.playing();
    await settle();
    expect(started).toHaveLength(1);
    for (let time = 0; time <= 2.0001; time += 0.25) t.time(time, 10);
    t.end();
    expect(ended).toEqual([{ sessionId: 'session-1', watchedMs: 2000, trackingLostCount: 0, completed: false }]);
  });

  it('does not count seeks, stalls or pauses as watching', async () => {
    const { t, ended } = tracker();
    t.playing();
    await settle();
    t.time(0, 60);
    t.time(1, 60);
    t.time(30, 60, true); // a seek forward
    t.time(30.5, 60);
    t.time(45, 60); // a jump the size of a stall or skip
    t.time(45.5, 60);
    t.end();
    expect(ended[0]!.watchedMs).toBe(2000);
  });

  it('counts a loop (browsers seek back to the start) as watched to the end, and the `ended` event too', async () => {
    const looped = tracker();
    looped.t.playing();
    await settle();
    looped.t.time(2.5, 3);
    looped.t.time(2.9, 3);
    looped.t.time(0, 3, true);
    looped.t.time(0.25, 3);
    looped.t.end();
    expect(looped.ended[0]).toMatchObject({ completed: true, watchedMs: 750 });

    const ended = tracker();
    ended.t.playing();
    await settle();
    ended.t.ended();
    ended.t.end();
    expect(ended.ended[0]).toMatchObject({ completed: true });

    // Going back to the start from the middle is not a completion.
    const rewound = tracker();
    rewound.t.playing();
    await settle();
    rewound.t.time(20, 60);
    rewound.t.time(0, 60, true);
    rewound.t.end();
    expect(rewound.ended[0]).toMatchObject({ completed: false, watchedMs: 0 });
  });

  it('counts tracking losses', async () => {
    const { t, ended } = tracker();
    t.playing();
    await settle();
    t.trackingLost();
    t.trackingLost();
    t.end();
    expect(ended[0]!.trackingLostCount).toBe(2);
  });

  it('sends nothing without a session (never started, refused, or not answered yet), and starts afresh after ending', async () => {
    const refused = tracker(Promise.reject(new Error('TOO_MANY_REQUESTS')));
    refused.t.playing();
    await settle();
    refused.t.end();
    expect(refused.ended).toEqual([]);

    let answer: (id: string) => void = () => undefined;
    const slow = tracker(new Promise<string>((resolve) => (answer = resolve)));
    slow.t.playing();
    slow.t.end();
    answer('late');
    await settle();
    expect(slow.ended).toEqual([]);

    const restored = tracker();
    restored.t.playing();
    await settle();
    restored.t.end();
    restored.t.end();
    expect(restored.ended).toHaveLength(1);
    restored.t.playing();
    await settle();
    expect(restored.started).toHaveLength(2);
  });
});

describe('trackVideo', () => {
  it('feeds a video element’s playing, timeupdate, seeking and ended events, until stopped', async () => {
    const { t, started, ended } = tracker();
    const video = document.createElement('video');
    let now = 0;
    Object.defineProperty(video, 'currentTime', { get: () => now, configurable: true });
    Object.defineProperty(video, 'duration', { get: () => 3, configurable: true });
    const stop = trackVideo(video, t);
    video.dispatchEvent(new Event('playing'));
    await settle();
    for (now = 0; now <= 1.5; now += 0.5) video.dispatchEvent(new Event('timeupdate'));
    video.dispatchEvent(new Event('ended'));
    stop();
    video.dispatchEvent(new Event('playing'));
    now = 2.5;
    video.dispatchEvent(new Event('timeupdate'));
    t.end();
    expect(started).toHaveLength(1);
    expect(ended).toEqual([{ sessionId: 'session-1', watchedMs: 1500, trackingLostCount: 0, completed: true }]);
  });
});

describe('webDevice', () => {
  it('reports the platform and a coarse OS only', () => {
    expect(
      webDevice(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 Safari/604.1',
      ),
    ).toEqual({ platform: 'web', os: 'iOS' });
    expect(
      webDevice('Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36'),
    ).toEqual({ platform: 'web', os: 'Android' });
    expect(
      webDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15'),
    ).toEqual({ platform: 'web', os: 'macOS' });
    expect(webDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36')).toEqual({
      platform: 'web',
      os: 'Windows',
    });
    expect(webDevice('curl/8.5.0')).toEqual({ platform: 'web' });
  });
});

describe('ViewTracker from the page opening', () => {
  it('starts at open, sends stages once the session is known, and carries them with the end', async () => {
    let now = 1500;
    const opened: ({ openedAgoMs: number } | undefined)[] = [];
    const reports: [string, unknown][] = [];
    const ended: EndSessionInput[] = [];
    let resolveStart: (id: string) => void = () => undefined;
    const t = new ViewTracker({
      start: (o) => {
        opened.push(o);
        return new Promise<string>((r) => (resolveStart = r));
      },
      report: (id, stage) => void reports.push([id, stage]),
      end: (input) => {
        ended.push(input);
        return Promise.resolve(true);
      },
      now: () => now,
    });
    t.open(1500); // the page opened at performance time 0
    t.setPath('ar');
    t.stage('camera', 200);
    t.playing(); // the camera view's video playing is not its first frame
    expect(opened).toEqual([{ openedAgoMs: 1500 }]);
    expect(reports).toEqual([]);
    resolveStart('s-1');
    await settle();
    expect(reports).toEqual([['s-1', { stage: 'camera', atMs: 200 }]]);
    t.stage('detected', 900);
    t.stage('playing', 1400);
    now = 9000;
    t.ended();
    t.end();
    expect(reports.map(([, r]) => (r as { stage: string }).stage)).toEqual([
      'camera',
      'detected',
      'playing',
      'completed',
    ]);
    expect(ended).toEqual([
      {
        sessionId: 's-1',
        watchedMs: 0,
        trackingLostCount: 0,
        completed: true,
        stages: [
          { stage: 'camera', atMs: 200 },
          { stage: 'detected', atMs: 900 },
          { stage: 'playing', atMs: 1400 },
          { stage: 'completed', atMs: 9000 },
        ],
      },
    ]);
  });

  it('on the plain player, the video playing is the playing stage', async () => {
    let now = 100;
    const reports: unknown[] = [];
    const t = new ViewTracker({
      start: () => Promise.resolve('s-2'),
      report: (_id, stage) => void reports.push(stage),
      end: () => Promise.resolve(true),
      now: () => now,
    });
    t.open(100);
    t.stage('fallback', undefined, 'denied');
    await settle();
    now = 600;
    t.playing();
    expect(reports).toEqual([
      { stage: 'fallback', atMs: 100, reason: 'denied' },
      { stage: 'playing', atMs: 600 },
    ]);
  });
});

describe('ViewTracker stage reports', () => {
  it('sends a stage only once the one before it has been answered, so none arrives before the stage it needs', async () => {
    const sent: string[] = [];
    const answers: (() => void)[] = [];
    let now = 0;
    const t = new ViewTracker({
      start: () => Promise.resolve('s-3'),
      report: (_id, stage) => {
        sent.push(stage.stage);
        return new Promise<void>((answer) => answers.push(answer));
      },
      end: () => Promise.resolve(true),
      now: () => now,
    });
    t.open(0);
    t.setPath('ar');
    t.stage('camera', 100);
    await settle();
    expect(sent).toEqual(['camera']);
    // Detected and playing 40 ms apart, while the camera's report is still on its way.
    now = 6000;
    t.stage('detected', 5960);
    t.stage('playing', 6000);
    await settle();
    expect(sent).toEqual(['camera']);
    answers[0]!();
    await settle();
    expect(sent).toEqual(['camera', 'detected']);
    answers[1]!();
    await settle();
    expect(sent).toEqual(['camera', 'detected', 'playing']);
    // Nothing in flight: the next goes at once.
    answers[2]!();
    await settle();
    t.ended();
    expect(sent).toEqual(['camera', 'detected', 'playing', 'completed']);
  });
});

describe('ViewTracker ended before its start was answered', () => {
  it('ends that session once its id arrives, and a new open starts another', async () => {
    const ends: EndSessionInput[] = [];
    const resolvers: ((id: string) => void)[] = [];
    const t = new ViewTracker({
      start: () => new Promise<string>((r) => resolvers.push(r)),
      end: (input) => {
        ends.push(input);
        return Promise.resolve(true);
      },
      now: () => 0,
    });
    t.open(0);
    t.end();
    t.open(0);
    resolvers[0]!('first');
    resolvers[1]!('second');
    await settle();
    expect(ends).toEqual([{ sessionId: 'first', watchedMs: 0, trackingLostCount: 0, completed: false }]);
    t.end();
    expect(ends.map((e) => e.sessionId)).toEqual(['first', 'second']);
  });
});
