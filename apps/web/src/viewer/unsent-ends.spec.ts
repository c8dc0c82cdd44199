import { describe, expect, it } from 'vitest';
import type { EndSessionInput } from './api.ts';
import { MAX_SAVED, UnsentEnds, type LateEnd, type Locks, type SendOutcome } from './unsent-ends.ts';
import { ViewTracker } from './view-tracker.ts';

/** localStorage's contract over a Map (one per "origin"). */
class MemoryStorage implements Storage {
  readonly #map = new Map<string, string>();
  get length() {
    return this.#map.size;
  }
  clear() {
    this.#map.clear();
  }
  getItem(key: string) {
    return this.#map.get(key) ?? null;
  }
  key(i: number) {
    return [...this.#map.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.#map.delete(key);
  }
  setItem(key: string, value: string) {
    this.#map.set(key, value);
  }
}

/** Web Locks as the pages of one origin share them: exclusive, `ifAvailable` answers null when held, `gone` frees a page's. */
class MemoryLocks {
  readonly held = new Map<string, string>();
  for(page: string): Locks & { gone(): void } {
    const held = this.held;
    return {
      request: async <T>(name: string, a: unknown, b?: (lock: unknown) => Promise<T> | T): Promise<T> => {
        const callback = (b ?? a) as (lock: unknown) => Promise<T> | T;
        if (held.has(name)) {
          if (b) return callback(null);
          throw new Error('this fake does not queue');
        }
        held.set(name, page);
        try {
          return await callback({ name });
        } finally {
          if (held.get(name) === page) held.delete(name);
        }
      },
      gone: () => {
        for (const [name, owner] of held) if (owner === page) held.delete(name);
      },
    } as Locks & { gone(): void };
  }
}

const end = (sessionId: string, watchedMs = 1000): EndSessionInput => ({
  sessionId,
  watchedMs,
  trackingLostCount: 0,
  completed: false,
});
const settle = () => new Promise((r) => setTimeout(r, 0));

function recorder(outcomes: SendOutcome[] = []) {
  const sent: LateEnd[] = [];
  return {
    sent,
    send: async (input: LateEnd) => {
      sent.push(input);
      return outcomes.shift() ?? 'done';
    },
  };
}

describe('UnsentEnds', () => {
  it('sends the ends of views no page holds any more, dated by when they were saved, and forgets them', async () => {
    const storage = new MemoryStorage();
    const locks = new MemoryLocks();
    let now = 1_000_000;
    const dead = new UnsentEnds(storage, locks.for('dead'), () => now);
    const live = new UnsentEnds(storage, locks.for('live'), () => now);
    const next = new UnsentEnds(storage, locks.for('next'), () => now);

    await dead.hold('s-dead');
    dead.save(end('s-dead', 4000));
    await live.hold('s-live');
    live.save(end('s-live', 2000));
    locks.for('dead').gone(); // the page was killed: its lock went with it, its saved numbers stayed

    now += 90_000;
    const r = recorder();
    expect(await next.flush(r.send)).toBe(1);
    expect(r.sent).toEqual([{ ...end('s-dead', 4000), endedAgoMs: 90_000 }]);
    expect(next.list().map((e) => e.sessionId)).toEqual(['s-live']); // a live page's view is left to it
  });

  it('keeps an end the server did not answer, with the ones after it, for the next page', async () => {
    const storage = new MemoryStorage();
    const locks = new MemoryLocks();
    const store = new UnsentEnds(storage, locks.for('next'));
    store.save(end('a'));
    store.save(end('b'));
    store.save(end('c'));
    const r = recorder(['done', 'retry']);
    expect(await store.flush(r.send)).toBe(1);
    expect(r.sent.map((e) => e.sessionId)).toEqual(['a', 'b']);
    expect(store.list().map((e) => e.sessionId)).toEqual(['b', 'c']);
  });

  it('replaces a view’s saved numbers, keeps at most MAX_SAVED, drops ends too old for the server, and survives junk', async () => {
    const storage = new MemoryStorage();
    let now = 0;
    const store = new UnsentEnds(storage, new MemoryLocks().for('p'), () => now);
    store.save(end('x', 1));
    store.save(end('x', 2));
    expect(store.list()).toEqual([{ ...end('x', 2), savedAt: 0 }]);
    for (let i = 0; i < MAX_SAVED + 5; i++) store.save(end(`s${i}`));
    expect(store.list()).toHaveLength(MAX_SAVED);
    expect(store.list()[0]!.sessionId).toBe('s5');

    now = 8 * 24 * 3600 * 1000;
    const r = recorder();
    expect(await store.flush(r.send)).toBe(0);
    expect(store.list()).toEqual([]);
    expect(storage.length).toBe(0);

    storage.setItem('arvlite.viewer.unsentEnds', '{not json');
    expect(store.list()).toEqual([]);
    storage.setItem('arvlite.viewer.unsentEnds', JSON.stringify([{ sessionId: 1 }, { ...end('ok'), savedAt: 0 }]));
    expect(store.list().map((e) => e.sessionId)).toEqual(['ok']);
  });

  it('without Web Locks, sends only ends saved long enough ago that their page cannot still be running', async () => {
    let now = 0;
    const store = new UnsentEnds(new MemoryStorage(), null, () => now);
    store.save(end('a'));
    const r = recorder();
    now = 5 * 60_000;
    expect(await store.flush(r.send)).toBe(0);
    now = 11 * 60_000;
    expect(await store.flush(r.send)).toBe(1);
  });

  it('works without storage at all (private mode): nothing is kept, nothing breaks', async () => {
    const refusing = new MemoryStorage();
    refusing.setItem = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    const store = new UnsentEnds(refusing, null);
    expect(() => store.save(end('a'))).not.toThrow();
    expect(new UnsentEnds(null, null).list()).toEqual([]);
  });
});

describe('ViewTracker with UnsentEnds', () => {
  function page(storage: Storage, locks: MemoryLocks, name: string, taken = Promise.resolve(false)) {
    const unsent = new UnsentEnds(storage, locks.for(name));
    const sent: EndSessionInput[] = [];
    const tracker = new ViewTracker({
      start: () => Promise.resolve(`session-${name}`),
      end: (input) => {
        sent.push(input);
        return taken;
      },
      unsent,
    });
    return { unsent, tracker, sent, gone: () => locks.for(name).gone() };
  }

  it('saves a running view’s numbers as it goes, so a page killed without pagehide is still reported', async () => {
    const storage = new MemoryStorage();
    const locks = new MemoryLocks();
    const killed = page(storage, locks, 'killed');
    killed.tracker.playing();
    await settle();
    for (let t = 0; t <= 4.5; t += 0.25) killed.tracker.time(t, 10);
    killed.tracker.trackingLost();
    killed.tracker.time(4.75, 10);
    // No end(): the page died. What was saved last is what the next page sends.
    killed.gone();
    const r = recorder();
    expect(await page(storage, locks, 'next').unsent.flush(r.send)).toBe(1);
    expect(r.sent[0]).toMatchObject({
      sessionId: 'session-killed',
      watchedMs: 4500,
      trackingLostCount: 1,
      completed: false,
    });
  });

  it('on a normal end, forgets the saved numbers once the server took them, and keeps them when it is not known', async () => {
    const storage = new MemoryStorage();
    const locks = new MemoryLocks();
    const heard = page(storage, locks, 'heard', Promise.resolve(true));
    heard.tracker.playing();
    await settle();
    heard.tracker.end();
    await settle();
    expect(heard.sent).toHaveLength(1);
    expect(heard.unsent.list()).toEqual([]);

    // A closing page never hears back: its final numbers stay, the lock is let go, and the next page sends them again
    // (the server answers CONFLICT if the first one arrived).
    const closing = page(storage, locks, 'closing', new Promise<boolean>(() => undefined));
    closing.tracker.playing();
    await settle();
    closing.tracker.trackingLost();
    closing.tracker.end();
    await settle(); // the lock is let go asynchronously, as in browsers
    expect(closing.unsent.list()).toMatchObject([{ sessionId: 'session-closing', trackingLostCount: 1 }]);
    const r = recorder();
    expect(await page(storage, locks, 'next').unsent.flush(r.send)).toBe(1);
    expect(r.sent[0]).toMatchObject({ sessionId: 'session-closing', trackingLostCount: 1 });
  });
});
