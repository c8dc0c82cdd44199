// The open SSE answers (tRPC subscriptions), so a shutdown can end them cleanly instead of cutting the sockets.
import type { ServerResponse } from 'node:http';

interface Stream {
  res: ServerResponse;
  abort: () => void;
}

export class EventStreams {
  readonly #open = new Set<Stream>();

  /** Tracks an SSE answer until its socket closes; `abort` stops the subscription that feeds it. */
  add(res: ServerResponse, abort: () => void): void {
    const stream = { res, abort };
    this.#open.add(stream);
    res.once('close', () => this.#open.delete(stream));
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Tells every open stream's client when to come back (the SSE `retry` field, in ms: EventSource waits that long
   * before reconnecting, to another server behind the load balancer), then ends its subscription, so tRPC closes
   * the answer as it would at the subscription's own end.
   */
  endAll(retryMs: number): number {
    const n = this.#open.size;
    for (const s of this.#open) {
      if (!s.res.writableEnded && !s.res.destroyed) s.res.write(`retry: ${retryMs}\n\n`);
      s.abort();
    }
    return n;
  }
}
