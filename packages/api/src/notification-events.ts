// One LISTEN connection per server process fans the notification NOTIFYs (written by the worker's notifications
// consumer and by mark-read calls on any server) out to this instance's subscribers, by user.
import { EventEmitter } from 'node:events';
import { NOTIFICATION_CHANNEL } from '@arvlite/jobs';
import pg from 'pg';
import type { Logger } from 'pino';

export class NotificationEvents {
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
        const data = JSON.parse(msg.payload ?? '{}') as { userId?: string };
        if (data.userId) this.#emitter.emit(data.userId, data);
      } catch {
        // a malformed payload is not ours
      }
    });
    client.on('error', (err) => {
      this.#log.warn({ err }, 'notification events connection lost; reconnecting');
      this.#client = undefined;
      this.#connecting = undefined;
      // Subscribers re-read their state on reconnect, so nothing is missed for long.
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
    await client.query(`listen ${NOTIFICATION_CHANNEL}`);
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

  /** Calls `fn` on every change of `userId`'s notifications (and after a reconnect); returns the unsubscribe function. */
  subscribe(userId: string, fn: () => void): () => void {
    this.#emitter.on(userId, fn);
    this.#emitter.on('*reconnect', fn);
    return () => {
      this.#emitter.off(userId, fn);
      this.#emitter.off('*reconnect', fn);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
  }
}

const byUrl = new Map<string, NotificationEvents>();

/** The process-wide listener for a database. */
export function notificationEvents(url: string, log: Logger): NotificationEvents {
  let e = byUrl.get(url);
  if (!e) {
    e = new NotificationEvents(url, log);
    byUrl.set(url, e);
  }
  return e;
}

export async function closeNotificationEvents(url: string): Promise<void> {
  const e = byUrl.get(url);
  byUrl.delete(url);
  await e?.close();
}
