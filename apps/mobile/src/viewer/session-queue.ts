// View analytics that survive being offline: every viewing session is written to storage first, then sent
// (`viewer.startSession`, later `viewer.endSession`) whenever the network allows. Failures the server will never
// accept are kept aside with their error, counted and shown, never dropped silently.
import type { ViewStageReport } from '@arvlite/contract';
import { errorDetail, isPermanentError } from '../lib/api-errors.ts';
import { readJson, serialized, writeJson, type KeyValueStore } from '../lib/key-value-store.ts';
import type { DeviceInfo, EndSessionInput, StartSessionInput } from './viewer-api.ts';

export interface SessionStats {
  watchedMs: number;
  trackingLostCount: number;
  completed: boolean;
  /** The stages the view reached (sessions begun `fromOpen`), sent with the end. */
  stages?: ViewStageReport[];
}

export interface SessionSender {
  start(input: StartSessionInput): Promise<string>;
  end(input: EndSessionInput): Promise<void>;
}

export interface QueuedSession {
  localId: string;
  publicId: string;
  device: DeviceInfo;
  startedAt: number;
  /** When it ended, or when its numbers were last saved (an app killed mid-view ends there); local clock. */
  lastSeenAt?: number;
  /** The app run that opened it: a session left open by an earlier run was cut short (app killed). */
  runId: string;
  /** Begun when the screen opened: sent as `from: 'open'`, a view once it plays, with its stages at the end. */
  fromOpen?: boolean;
  sessionId: string | null;
  /** Last known numbers while it runs, final ones once ended. */
  stats: SessionStats;
  ended: boolean;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface FailedSession extends QueuedSession {
  failedAt: number;
}

export interface SessionQueueOptions {
  store: KeyValueStore;
  sender: SessionSender;
  now?: () => number;
  runId?: string;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  newId?: () => string;
}

const QUEUE = 'viewer.sessions.queue';
/** nextAttemptAt of a running session whose start was sent: nothing to send until it ends. */
const AWAITING_END = Number.MAX_SAFE_INTEGER;
const FAILED = 'viewer.sessions.failed';
const isList = <T>(v: unknown): v is T[] => Array.isArray(v);

export interface FlushResult {
  sent: number;
  pending: number;
  failed: number;
  /** When the next send is due; null when nothing waits. */
  nextAttemptAt: number | null;
}

export class SessionQueue {
  readonly #opts: Required<SessionQueueOptions>;
  readonly #exclusive = serialized();
  #flushing: Promise<FlushResult> | null = null;

  constructor(opts: SessionQueueOptions) {
    this.#opts = {
      now: () => Date.now(),
      runId: randomId(),
      baseBackoffMs: 2_000,
      maxBackoffMs: 10 * 60_000,
      newId: randomId,
      ...opts,
    };
  }

  pending(): Promise<QueuedSession[]> {
    return readJson(this.#opts.store, QUEUE, isList<QueuedSession>).then((l) => l ?? []);
  }

  failed(): Promise<FailedSession[]> {
    return readJson(this.#opts.store, FAILED, isList<FailedSession>).then((l) => l ?? []);
  }

  /** Records a new viewing session; returns its local id. Sending happens in flush(). */
  begin(publicId: string, device: DeviceInfo, opts: { fromOpen?: boolean } = {}): Promise<string> {
    const localId = this.#opts.newId();
    const now = this.#opts.now();
    return this.#update((list) => {
      list.push({
        localId,
        publicId,
        device,
        startedAt: now,
        runId: this.#opts.runId,
        ...(opts.fromOpen ? { fromOpen: true } : {}),
        sessionId: null,
        stats: { watchedMs: 0, trackingLostCount: 0, completed: false },
        ended: false,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
      });
    }).then(() => localId);
  }

  /** Saves the numbers so far, so a session cut short by the app being killed still reports them. */
  progress(localId: string, stats: SessionStats): Promise<void> {
    return this.#update((list) => {
      const s = list.find((x) => x.localId === localId);
      if (s && !s.ended) {
        s.stats = { ...stats };
        s.lastSeenAt = this.#opts.now();
      }
    });
  }

  finish(localId: string, stats: SessionStats): Promise<void> {
    return this.#update((list) => {
      const s = list.find((x) => x.localId === localId);
      if (!s || s.ended) return;
      s.stats = { ...stats };
      s.lastSeenAt = this.#opts.now();
      s.ended = true;
      s.nextAttemptAt = Math.min(s.nextAttemptAt, this.#opts.now());
    });
  }

  /** Sends what is due. One flush at a time; a call while one runs joins it. */
  flush(): Promise<FlushResult> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flush(): Promise<FlushResult> {
    let sent = 0;
    const now = this.#opts.now();
    // Sessions an earlier run left open are due at once: they will never be finished by their own run.
    const due = (await this.pending()).filter(
      (s) => s.nextAttemptAt <= now || (!s.ended && s.runId !== this.#opts.runId),
    );
    for (const snapshot of due) {
      const outcome = await this.#send(snapshot.localId);
      if (outcome === 'sent') sent++;
      // No answer from the server: the rest would fare no better now.
      if (outcome === 'offline') break;
    }
    const list = await this.pending();
    const next = list
      .map((s) => s.nextAttemptAt)
      .filter((t) => t !== AWAITING_END)
      .sort((a, b) => a - b)[0];
    return { sent, pending: list.length, failed: (await this.failed()).length, nextAttemptAt: next ?? null };
  }

  async #send(localId: string): Promise<'sent' | 'partial' | 'offline' | 'failed' | 'skipped'> {
    const s = (await this.pending()).find((x) => x.localId === localId);
    if (!s) return 'skipped';
    // Open sessions of an earlier run were cut short: close them with their last numbers.
    if (!s.ended && s.runId !== this.#opts.runId) {
      await this.#update((list) => {
        const x = list.find((y) => y.localId === localId);
        if (x) x.ended = true;
      });
      s.ended = true;
    }
    try {
      let sessionId = s.sessionId;
      if (!sessionId) {
        // Ages rather than times: the server dates the session from them, whatever this phone's clock says.
        sessionId = await this.#opts.sender.start({
          publicId: s.publicId,
          device: s.device,
          startedAgoMs: ageMs(s.startedAt, this.#opts.now()),
          ...(s.fromOpen ? { from: 'open' as const } : {}),
        });
        const id = sessionId;
        await this.#update((list) => {
          const x = list.find((y) => y.localId === localId);
          if (!x) return;
          x.sessionId = id;
          x.attempts = 0;
          if (!x.ended) x.nextAttemptAt = AWAITING_END;
        });
      }
      if (!s.ended && !(await this.pending()).find((x) => x.localId === localId)?.ended) return 'partial';
      const latest = (await this.pending()).find((x) => x.localId === localId) ?? s;
      // Stages go only with a session begun at the screen opening (the server records none for the others).
      const { stages, ...numbers } = latest.stats;
      await this.#opts.sender.end({
        sessionId,
        ...numbers,
        ...(latest.fromOpen && stages?.length ? { stages } : {}),
        endedAgoMs: ageMs(latest.lastSeenAt ?? latest.startedAt, this.#opts.now()),
      });
      await this.#update((list) => {
        const i = list.findIndex((y) => y.localId === localId);
        if (i !== -1) list.splice(i, 1);
      });
      return 'sent';
    } catch (err) {
      const now = this.#opts.now();
      if (isPermanentError(err)) {
        await this.#exclusive(async () => {
          const list = await this.pending();
          const i = list.findIndex((y) => y.localId === localId);
          if (i === -1) return;
          const [gone] = list.splice(i, 1);
          const failed = await this.failed();
          failed.push({ ...gone!, lastError: errorDetail(err), failedAt: now });
          await writeJson(this.#opts.store, FAILED, failed);
          await writeJson(this.#opts.store, QUEUE, list);
        });
        return 'failed';
      }
      await this.#update((list) => {
        const x = list.find((y) => y.localId === localId);
        if (!x) return;
        x.attempts++;
        x.lastError = errorDetail(err);
        x.nextAttemptAt = now + Math.min(this.#opts.maxBackoffMs, this.#opts.baseBackoffMs * 2 ** (x.attempts - 1));
      });
      return 'offline';
    }
  }

  /** Puts every waiting session up for sending now (the network just came back). */
  retryNow(): Promise<void> {
    const now = this.#opts.now();
    return this.#update((list) => {
      for (const s of list) s.nextAttemptAt = Math.min(s.nextAttemptAt, now);
    });
  }

  #update(fn: (list: QueuedSession[]) => void): Promise<void> {
    return this.#exclusive(async () => {
      const list = await this.pending();
      fn(list);
      await writeJson(this.#opts.store, QUEUE, list);
    });
  }
}

/** Milliseconds since a local time; a clock set back in the meantime counts as no time. */
function ageMs(at: number, now: number): number {
  return Math.max(0, Math.round(now - at));
}

/** Local ids only (never sent): unique enough without crypto, which React Native does not always provide. */
function randomId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}${Math.random().toString(36).slice(2, 10)}`;
}
