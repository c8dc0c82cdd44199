// The end of a view that its page may not live to send. A browser can discard a page before its pagehide handler runs:
// a phone killing a background tab, a crash, or a camera view so busy tracking that the browser stops waiting for it
// (a loaded CI machine did exactly that). So each running view keeps its latest numbers in localStorage, under a Web
// Lock its page holds while the view runs; the next viewer page on this origin sends the ends whose page is gone,
// dated when their numbers were last saved. The server ends a session once, so an end that did arrive answers
// CONFLICT and is forgotten.
import type { EndSessionInput } from './api.ts';

export interface SavedEnd extends EndSessionInput {
  /** When these numbers were saved (this device's clock; sent as an age, so the clock's error does not matter). */
  savedAt: number;
}

/** A saved end as it is sent: dated by its age, not this device's clock. */
export type LateEnd = EndSessionInput & { endedAgoMs: number };

/** What the server made of a sent end: taken (or refused for good), or not answered and worth another try later. */
export type SendOutcome = 'done' | 'retry';

/** The part of the Web Locks API used here, so tests can supply their own. */
export interface Locks {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T> | T): Promise<T>;
  request<T>(name: string, callback: (lock: unknown) => Promise<T> | T): Promise<T>;
}

const KEY = 'arvlite.viewer.unsentEnds';
/** Enough for the views of a few pages left open; the oldest make room. */
export const MAX_SAVED = 20;
/** The server dates an end at most this far back (SESSION_BACKDATE_MAX_MS); older ones it closed as abandoned. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Without Web Locks, a page cannot tell a live view from a dead one: only ends saved this long ago are sent. */
const STALE_WITHOUT_LOCKS_MS = 10 * 60_000;

const lockName = (sessionId: string) => `arvlite.view.${sessionId}`;

export class UnsentEnds {
  readonly #storage: Storage | null;
  readonly #locks: Locks | null;
  readonly #now: () => number;
  #flushing: Promise<number> | null = null;

  constructor(storage: Storage | null, locks: Locks | null, now: () => number = Date.now) {
    this.#storage = storage;
    this.#locks = locks;
    this.#now = now;
  }

  /**
   * Claims a running view for this page until `release` (or until the page is gone, which frees the lock too); then
   * `save` keeps its numbers. Resolves once the lock is held, so a flush never sees the view unclaimed.
   */
  hold(sessionId: string): Promise<() => void> {
    const locks = this.#locks;
    if (!locks) return Promise.resolve(() => undefined);
    return new Promise((resolved) => {
      void locks
        .request(lockName(sessionId), () => new Promise<void>((release) => resolved(release)))
        .catch(() => resolved(() => undefined));
    });
  }

  /** Keeps a view's numbers so far (replacing the ones saved before). */
  save(end: EndSessionInput): void {
    const list = this.list().filter((e) => e.sessionId !== end.sessionId);
    list.push({ ...end, savedAt: this.#now() });
    this.#write(list.slice(-MAX_SAVED));
  }

  forget(sessionId: string): void {
    const list = this.list();
    const rest = list.filter((e) => e.sessionId !== sessionId);
    if (rest.length !== list.length) this.#write(rest);
  }

  list(): SavedEnd[] {
    try {
      const parsed: unknown = JSON.parse(this.#storage?.getItem(KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isSavedEnd) : [];
    } catch {
      return [];
    }
  }

  /**
   * Sends the ends whose page is gone, oldest first, and forgets those the server answered; stops at the first that
   * found no answer (offline, rate-limited), leaving it and the rest for the next page. One flush at a time. Resolves
   * to the number sent.
   */
  flush(send: (input: LateEnd) => Promise<SendOutcome>): Promise<number> {
    this.#flushing ??= this.#flush(send).finally(() => (this.#flushing = null));
    return this.#flushing;
  }

  async #flush(send: (input: LateEnd) => Promise<SendOutcome>): Promise<number> {
    let sent = 0;
    for (const saved of this.list()) {
      const ageMs = Math.max(0, this.#now() - saved.savedAt);
      if (ageMs > MAX_AGE_MS) {
        this.forget(saved.sessionId);
        continue;
      }
      if (!(await this.#orphaned(saved, ageMs))) continue;
      const { savedAt: _, ...end } = saved;
      if ((await send({ ...end, endedAgoMs: ageMs })) === 'retry') break;
      this.forget(saved.sessionId);
      sent++;
    }
    return sent;
  }

  /** Whether no live page holds the view: its lock is free (taken and let go at once here). */
  async #orphaned(saved: SavedEnd, ageMs: number): Promise<boolean> {
    if (!this.#locks) return ageMs >= STALE_WITHOUT_LOCKS_MS;
    try {
      return await this.#locks.request(lockName(saved.sessionId), { ifAvailable: true }, (lock) => lock !== null);
    } catch {
      return false;
    }
  }

  #write(list: SavedEnd[]): void {
    try {
      if (list.length) this.#storage?.setItem(KEY, JSON.stringify(list));
      else this.#storage?.removeItem(KEY);
    } catch {
      // Storage full or refused (private mode): the keepalive request at pagehide is all there is.
    }
  }
}

function isSavedEnd(v: unknown): v is SavedEnd {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.sessionId === 'string' &&
    typeof e.watchedMs === 'number' &&
    typeof e.trackingLostCount === 'number' &&
    typeof e.completed === 'boolean' &&
    typeof e.savedAt === 'number'
  );
}

/** The browser's own storage and locks, where the page may use them (either can be missing or refused). */
export function browserUnsentEnds(): UnsentEnds {
  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    storage = null;
  }
  const locks = (navigator as Navigator & { locks?: Locks }).locks ?? null;
  return new UnsentEnds(storage, locks);
}
