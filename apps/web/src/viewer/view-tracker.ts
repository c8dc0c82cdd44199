// One view for analytics: started when the page opens (open(), recording its stages for the funnel: view-stages.ts) or
// else when the video first plays, ended (with watch time, tracking losses, whether it played to the end and the stages
// it reached) when the page goes away. Its numbers are saved as it runs (unsent-ends.ts), so a page that dies
// without ending it still gets it reported by the next one. Analytics never get in the way of watching.
import type { ReportedViewStage, ViewFallbackReason, ViewStageReport } from '@arvlite/contract';
import type { EndSessionInput } from './api.ts';
import type { UnsentEnds } from './unsent-ends.ts';
import { ViewStages } from './view-stages.ts';

export interface ViewTrackerDeps {
  /**
   * viewer.startSession; resolves to the session id. With `openedAgoMs`, the session starts at the page opening that
   * long ago (`from: 'open'`) and records its stages.
   */
  start(opened?: { openedAgoMs: number }): Promise<string>;
  /**
   * viewer.reportStage; never rejects (a lost report rides with the end). A promise makes the next report wait for it:
   * the server records a stage only after the one it needs, so two reports in flight at once could arrive swapped.
   */
  report?(sessionId: string, stage: ViewStageReport): Promise<unknown> | void;
  /** performance.now(), replaceable in tests. */
  now?(): number;
  /** viewer.endSession, sent so it survives the page being closed; resolves to whether the server took it. */
  end(input: EndSessionInput): Promise<boolean>;
  /** Where a running view's numbers wait in case its page never gets to end it. */
  unsent?: Pick<UnsentEnds, 'hold' | 'save' | 'forget'>;
}

/** Gaps between two time updates larger than this are seeks or stalls, not watching. */
const MAX_STEP_S = 2;
/** A running view's numbers are saved every this many seconds watched (and at every loss or completion). */
const SAVE_EVERY_S = 2;

export class ViewTracker {
  private session: Promise<string | null> | null = null;
  private sessionId: string | null = null;
  private watchedS = 0;
  private lostCount = 0;
  private completed = false;
  private lastTime: number | null = null;
  /** Set by open(): the view's start (performance time) and the stages reached since. */
  private origin: number | null = null;
  private stages: ViewStages | null = null;
  /** How `playing()` counts: on the plain player the video playing is the first frame; the camera view marks its own. */
  private path: 'plain' | 'ar' = 'plain';
  /** Lets go of the running view's claim (unsent-ends.ts) once it has ended. */
  private release: (() => void) | null = null;
  /** Stage reports waiting for the one in flight (send()). */
  private readonly unsentReports: [string, ViewStageReport][] = [];
  private reporting = false;
  private readonly deps: ViewTrackerDeps;

  constructor(deps: ViewTrackerDeps) {
    this.deps = deps;
  }

  /**
   * The view begins (the viewer page opened `openedAgoMs` ago, or the view was switched to now): a session starts that
   * records the stages reached from here.
   */
  open(openedAgoMs = 0): void {
    if (this.session) return;
    this.origin = this.now() - openedAgoMs;
    this.stages = new ViewStages();
    this.begin({ openedAgoMs: Math.max(0, Math.round(openedAgoMs)) });
  }

  /** Whether the playing video is the plain player (its `playing` is the first frame) or the camera view's. */
  setPath(path: 'plain' | 'ar'): void {
    this.path = path;
  }

  /**
   * A stage reached at `atPerfMs` (performance time; now by default), sent at once when the session is known (else
   * once it is) and again with the end. Ignored without open(), and when repeated or out of order.
   */
  stage(stage: ReportedViewStage, atPerfMs = this.now(), reason?: ViewFallbackReason): void {
    if (!this.stages || this.origin === null) return;
    const report = this.stages.reach(stage, atPerfMs - this.origin, reason);
    if (!report) return;
    if (this.sessionId) this.send(this.sessionId, report);
    this.save();
  }

  /** The video started playing: the first time without open(), a session starts. */
  playing(): void {
    if (this.path === 'plain') this.stage('playing');
    if (this.session) return;
    this.begin();
  }

  /** Reports a stage once the reports before it have been answered (each in its own request), in order. */
  private send(sessionId: string, report: ViewStageReport): void {
    this.unsentReports.push([sessionId, report]);
    if (!this.reporting) this.sendNext();
  }

  private sendNext(): void {
    this.reporting = true;
    for (let next = this.unsentReports.shift(); next; next = this.unsentReports.shift()) {
      const sent: unknown = this.deps.report?.(...next);
      if (sent instanceof Promise) {
        const after = () => this.sendNext();
        void sent.then(after, after);
        return;
      }
    }
    this.reporting = false;
  }

  private now(): number {
    return this.deps.now?.() ?? performance.now();
  }

  private begin(opened?: { openedAgoMs: number }): void {
    const session: Promise<string | null> = this.deps.start(opened).then(
      (id) => {
        // Ended before the server answered: end() has sent (or will send) its numbers to this id.
        if (this.session !== session) return id;
        this.sessionId = id;
        // Stages reached while the session was on its way.
        for (const report of this.stages?.list() ?? []) this.send(id, report);
        void this.deps.unsent?.hold(id).then((release) => {
          // Ended while the claim was on its way: the end saved its numbers already.
          if (this.sessionId !== id) return release();
          this.release = release;
          this.save();
        });
        return id;
      },
      () => null,
    );
    this.session = session;
  }

  /**
   * A time update of the playing video (or a seek, which moves the position without counting as watching). Media time,
   * not wall time, so stalls and pauses do not count. A jump from the last seconds back to the start is a loop (browsers
   * loop by seeking), which counts as watched to the end.
   */
  time(currentTime: number, duration: number, seek = false): void {
    const last = this.lastTime;
    if (!Number.isFinite(currentTime)) return;
    this.lastTime = currentTime;
    if (last === null) return;
    const step = currentTime - last;
    const before = this.watchedS;
    if (step > 0 && step <= MAX_STEP_S && !seek) {
      this.watchedS += step;
    } else if (step < 0 && Number.isFinite(duration) && duration - last <= MAX_STEP_S && currentTime <= MAX_STEP_S) {
      this.watchedS += duration - last + currentTime;
      this.completed = true;
      this.stage('completed');
      return this.save();
    }
    if (Math.floor(this.watchedS / SAVE_EVERY_S) > Math.floor(before / SAVE_EVERY_S)) this.save();
  }

  /** A different video element: the next time update starts a new run. */
  resetPosition(): void {
    this.lastTime = null;
  }

  ended(): void {
    this.completed = true;
    this.stage('completed');
    this.save();
  }

  trackingLost(): void {
    this.lostCount++;
    this.save();
  }

  /**
   * The page is going away: ends the session if one started. Its final numbers stay saved until the server is known to
   * have them (a page that is closing never hears back, so the next page sends them again and hears CONFLICT). A later
   * `playing()` (page restored) starts another.
   */
  end(): void {
    const id = this.sessionId;
    if (id) {
      const input = this.numbers(id);
      const unsent = this.deps.unsent;
      unsent?.save(input);
      void this.deps.end(input).then((taken) => taken && unsent?.forget(id));
    } else if (this.session && this.stages) {
      // A view from the page opening whose start is still on the way: ended with what it has once the id arrives,
      // rather than left open (an extra "opened" view in the funnel for as long as the abandoned-session timeout).
      const { sessionId: _, ...numbers } = this.numbers('');
      void this.session.then((started) => {
        if (started) void this.deps.end({ ...numbers, sessionId: started });
      });
    }
    this.release?.();
    this.release = null;
    this.session = null;
    this.sessionId = null;
    this.watchedS = 0;
    this.lostCount = 0;
    this.completed = false;
    this.lastTime = null;
    this.origin = null;
    this.stages = null;
  }

  private numbers(sessionId: string): EndSessionInput {
    const stages = this.stages?.list() ?? [];
    return {
      sessionId,
      watchedMs: Math.round(this.watchedS * 1000),
      trackingLostCount: this.lostCount,
      completed: this.completed,
      ...(stages.length ? { stages } : {}),
    };
  }

  /** Saves the running view's numbers, once this page holds it. */
  private save(): void {
    if (this.sessionId && this.release) this.deps.unsent?.save(this.numbers(this.sessionId));
  }
}

/** Feeds a video element's events to the tracker; returns the function that stops it. */
export function trackVideo(video: HTMLVideoElement, tracker: ViewTracker): () => void {
  tracker.resetPosition();
  const on: [string, () => void][] = [
    ['playing', () => tracker.playing()],
    ['timeupdate', () => tracker.time(video.currentTime, video.duration)],
    ['seeking', () => tracker.time(video.currentTime, video.duration, true)],
    ['ended', () => tracker.ended()],
  ];
  for (const [event, handler] of on) video.addEventListener(event, handler);
  return () => {
    for (const [event, handler] of on) video.removeEventListener(event, handler);
  };
}

/**
 * What a browser view tells analytics about the device: the platform and a coarse OS, nothing identifying. Without an
 * install id, the server counts unique devices by keyed hashes of the IP and these fields.
 */
export function webDevice(userAgent: string): { platform: 'web'; os?: string } {
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(userAgent)
      ? 'iOS'
      : /CrOS/.test(userAgent)
        ? 'ChromeOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Macintosh|Mac OS X/.test(userAgent)
            ? 'macOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : undefined;
  return os ? { platform: 'web', os } : { platform: 'web' };
}
