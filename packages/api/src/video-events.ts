// One LISTEN connection per server process fans worker NOTIFYs out to this instance's subscribers.
import { EventEmitter } from 'node:events';
import { VIDEO_CHANNEL } from '@arvlite/jobs';
import pg from 'pg';
import type { Logger } from 'pino';

export class VideoEvents {
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
        const data = JSON.parse(msg.payload ?? '{}') as { videoId?: string };
        if (data.videoId) this.#emitter.emit(data.videoId, data);
      } catch {
        // a malformed payload is not ours
      }
    });
    client.on('error', (err) => {
      this.#log.warn({ err }, 'video events connection lost; reconnecting');
      this.#client = undefined;
      this.#connecting = undefined;
      // Subscribers re-read state on reconnect, so nothing is missed for long.
      if (!this.#closed)
        setTimeout(
          () =>
            void this.ready()
              .then(() => this.#emitter.emit('*reconnect'))
              .catch(() => {}),
          1000,
        ).unref();
    });
    await client.connect();
    await client.query(`listen ${VIDEO_CHANNEL}`);
    this.#client = client;
  }

  ready(): Promise<void> {
    if (this.#client) return Promise.resolve();
    this.#connecting ??= this.#connect().catch((e) => {
      this.#connecting = undefined;
      throw e;
    });
    return this.#connecting;
  }

  /** Calls `fn` on every change of `videoId` (and after a reconnect); returns the unsubscribe function. */
  subscribe(videoId: string, fn: () => void): () => void {
    this.#emitter.on(videoId, fn);
    this.#emitter.on('*reconnect', fn);
    return () => {
      this.#emitter.off(videoId, fn);
      this.#emitter.off('*reconnect', fn);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
  }
}

const byUrl = new Map<string, VideoEvents>();

/** The process-wide listener for a database. */
export function videoEvents(url: string, log: Logger): VideoEvents {
  let e = byUrl.get(url);
  if (!e) {
    e = new VideoEvents(url, log);
    byUrl.set(url, e);
  }
  return e;
}

export async function closeVideoEvents(url: string): Promise<void> {
  const e = byUrl.get(url);
  byUrl.delete(url);
  await e?.close();
}
