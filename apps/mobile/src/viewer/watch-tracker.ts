// Counts what a viewing session reports: time actually playing, how often the photo was lost from view, whether the
// video reached its end, and the stages the view reached for the funnel (ms from the screen opening: the AR camera or
// the plain player with why, the photo found, the video playing, completed), sent with the session's end.
import { ViewStageRecorder, type ReportedViewStage, type ViewFallbackReason } from '@arvlite/contract';
import type { SessionStats } from './session-queue.ts';

export class WatchTracker {
  readonly #now: () => number;
  #watchedMs = 0;
  #playingSince: number | null = null;
  #trackingLost = 0;
  #tracked: boolean | null = null;
  #completed = false;
  /** When the screen opened: the stages' origin. */
  readonly #openedAt: number;
  readonly #stages = new ViewStageRecorder();

  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
    this.#openedAt = now();
  }

  /** A stage reached now (each once, in the order the server accepts; others are ignored). */
  stage(stage: ReportedViewStage, reason?: ViewFallbackReason): void {
    this.#stages.reach(stage, this.#now() - this.#openedAt, reason);
  }

  playing(isPlaying: boolean): void {
    const now = this.#now();
    if (isPlaying) this.stage('playing');
    if (isPlaying && this.#playingSince === null) this.#playingSince = now;
    if (!isPlaying && this.#playingSince !== null) {
      this.#watchedMs += now - this.#playingSince;
      this.#playingSince = null;
    }
  }

  /** The AR target was found (true) or lost (false); only a loss after it was seen counts. */
  tracking(found: boolean): void {
    if (found) this.stage('detected');
    if (this.#tracked === true && !found) this.#trackingLost++;
    this.#tracked = found;
  }

  ended(): void {
    this.#completed = true;
    this.stage('completed');
  }

  stats(): SessionStats {
    const running = this.#playingSince === null ? 0 : this.#now() - this.#playingSince;
    const stages = this.#stages.list();
    return {
      watchedMs: Math.round(this.#watchedMs + running),
      trackingLostCount: this.#trackingLost,
      completed: this.#completed,
      ...(stages.length ? { stages } : {}),
    };
  }
}
