// One LISTEN connection per server process and database fans NOTIFYs out to this instance's subscribers: video
// status changes (from the worker) by video, and notification changes (the worker's notifications consumer, mark-read
// on any server) by user.
import { EventEmitter } from 'node:events';
import { NOTIFICATION_CHANNEL, VIDEO_CHANNEL } from '@arvlite/jobs';
import pg from 'pg';
import type { Logger } from 'pino';

/** What a subscriber follows, and the channel and payload field that name it. */
const TOPICS = {
  video: { channel: VIDEO_CHANNEL, field: 'videoId' },
  user: { channel: NOTIFICATION_CHANNEL, field: 'userId' },
} as const;
export type ChangeTopic = keyof typeof TOPICS;

export class ChangeEvents {
  readonly #emitter = new EventEmitter();
  readonly #url: string;
  readonly #log: Logger;
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(url: string, log: Logger) {
    this.#url = url;
    this.#log = log;
    this.#emitter.setMaxListeners(0);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    client.on('notification', (msg) => {
      try {
        const found = Object.entries(TOPICS).find(([, t]) => t.channel === msg.channel);
        if (!found) return;
        const id = (JSON.parse(msg.payload ?? '{}') as Record<string, unknown>)[found[1].field];
        if (typeof id === 'string') this.#emitter.emit(`${found[0]}:${id}`);
      } catch {
        // a malformed payload is not ours
      }
    });
    // A lost connection (the database restarted, the backend was terminated) is replaced, retrying with a growing
    // delay (1 s up to 10 s) for as long as the database stays away. Subscribers re-read state on reconnect, so
    // nothing is missed for long.
    let connected = false;
    let lost = false;
    const onLost = (err?: Error) => {
      // Before it connected, a failure is the caller's (ready() rejects, #reconnect tries again).
      if (!connected || lost) return;
      lost = true;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#log.warn({ err }, 'change events connection lost; reconnecting');
      this.#reconnect(1000);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      for (const t of Object.values(TOPICS)) await client.query(`listen ${t.channel}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    connected = true;
    this.#client = client;
  }

  #reconnect(delayMs: number): void {
    this.#connecting = undefined;
    setTimeout(() => {
      if (this.#closed || this.#client) return;
      this.ready()
        .then(() => this.#emitter.emit('*reconnect'))
        .catch((err: unknown) => {
          this.#log.warn({ err, retryInMs: Math.min(delayMs * 2, 10_000) }, 'change events reconnect failed');
          this.#reconnect(Math.min(delayMs * 2, 10_000));
        });
    }, delayMs).unref();
  }

  ready(): Promise<void> {
    if (this.#client) return Promise.resolve();
    this.#connecting ??= this.#connect().catch((e) => {
      this.#connecting = undefined;
      throw e;
    });
    return this.#connecting;
  }

  /** Calls `fn` on every change of that video or user (and after a reconnect); returns the unsubscribe function. */
  subscribe(topic: ChangeTopic, id: string, fn: () => void): () => void {
    const key = `${topic}:${id}`;
    this.#emitter.on(key, fn);
    this.#emitter.on('*reconnect', fn);
    return () => {
      this.#emitter.off(key, fn);
      this.#emitter.off('*reconnect', fn);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
  }
}

const byUrl = new Map<string, ChangeEvents>();

/** The process-wide listener for a database. */
export function changeEvents(url: string, log: Logger): ChangeEvents {
  let e = byUrl.get(url);
  if (!e) {
    e = new ChangeEvents(url, log);
    byUrl.set(url, e);
  }
  return e;
}

export async function closeChangeEvents(url: string): Promise<void> {
  const e = byUrl.get(url);
  byUrl.delete(url);
  await e?.close();
}
