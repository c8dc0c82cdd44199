// Counts what a viewing session reports: time actually playing, how often the photo was lost from view, and whether
// the video reached its end.
import type { SessionStats } from './session-queue.ts';

export class WatchTracker {
  readonly #now: () => number;
  #watchedMs = 0;
  #playingSince: number | null = null;
  #trackingLost = 0;
  #tracked: boolean | null = null;
  #completed = false;

  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  playing(isPlaying: boolean): void {
    const now = this.#now();
    if (isPlaying && this.#playingSince === null) this.#playingSince = now;
    if (!isPlaying && this.#playingSince !== null) {
      this.#watchedMs += now - this.#playingSince;
      this.#playingSince = null;
    }
  }

  /** The AR target was found (true) or lost (false); only a loss after it was seen counts. */
  tracking(found: boolean): void {
    if (this.#tracked === true && !found) this.#trackingLost++;
    this.#tracked = found;
  }

  ended(): void {
    this.#completed = true;
  }

  stats(): SessionStats {
    const running = this.#playingSince === null ? 0 : this.#now() - this.#playingSince;
    return {
      watchedMs: Math.round(this.#watchedMs + running),
      trackingLostCount: this.#trackingLost,
      completed: this.#completed,
    };
  }
}
