// The push port: what the push jobs need of a push service, and its implementation over Expo's HTTP API
// (POST /--/api/v2/push/send with at most 100 messages, then /--/api/v2/push/getReceipts for the tickets' fates).

export interface PushMessage {
  to: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
}

/** One message's immediate answer: a ticket to ask about later, or an error (DeviceNotRegistered: drop the token). */
export type PushTicket =
  { token: string; status: 'ok'; id: string } | { token: string; status: 'error'; error?: string; message?: string };

export type PushReceipt = { status: 'ok' } | { status: 'error'; error?: string; message?: string };

export interface PushSender {
  /** Sends in batches of at most 100; one ticket per message, in order. */
  send(messages: PushMessage[]): Promise<PushTicket[]>;
  /** Receipts of earlier tickets by ticket id (ids Expo does not know yet are absent). */
  receipts(ticketIds: string[]): Promise<Record<string, PushReceipt>>;
}

export const EXPO_PUSH_BATCH = 100;
const EXPO_RECEIPT_BATCH = 300;

export class ExpoPushSender implements PushSender {
  readonly #base: string;
  readonly #accessToken: string | undefined;
  readonly #timeoutMs: number;

  constructor(opts: { baseUrl: string; accessToken?: string; timeoutMs?: number }) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#accessToken = opts.accessToken;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async #post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.#base}${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'accept-encoding': 'gzip, deflate',
        'content-type': 'application/json',
        ...(this.#accessToken ? { authorization: `Bearer ${this.#accessToken}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Expo push ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  async send(messages: PushMessage[]): Promise<PushTicket[]> {
    const tickets: PushTicket[] = [];
    for (let i = 0; i < messages.length; i += EXPO_PUSH_BATCH) {
      const batch = messages.slice(i, i + EXPO_PUSH_BATCH);
      const answer = await this.#post<{ data?: unknown[]; errors?: unknown[] }>(
        '/--/api/v2/push/send',
        batch.map((m) => ({ to: m.to, title: m.title, body: m.body, data: m.data, sound: 'default' })),
      );
      if (!Array.isArray(answer.data) || answer.data.length !== batch.length) {
        throw new Error(`Expo push answered ${JSON.stringify(answer.errors ?? answer).slice(0, 200)}`);
      }
      answer.data.forEach((raw, j) => {
        const t = raw as { status?: string; id?: string; message?: string; details?: { error?: string } };
        const token = batch[j]!.to;
        if (t.status === 'ok' && typeof t.id === 'string') tickets.push({ token, status: 'ok', id: t.id });
        else tickets.push({ token, status: 'error', error: t.details?.error, message: t.message });
      });
    }
    return tickets;
  }

  async receipts(ticketIds: string[]): Promise<Record<string, PushReceipt>> {
    const out: Record<string, PushReceipt> = {};
    for (let i = 0; i < ticketIds.length; i += EXPO_RECEIPT_BATCH) {
      const answer = await this.#post<{ data?: Record<string, unknown> }>('/--/api/v2/push/getReceipts', {
        ids: ticketIds.slice(i, i + EXPO_RECEIPT_BATCH),
      });
      for (const [id, raw] of Object.entries(answer.data ?? {})) {
        const r = raw as { status?: string; message?: string; details?: { error?: string } };
        out[id] =
          r.status === 'ok' ? { status: 'ok' } : { status: 'error', error: r.details?.error, message: r.message };
      }
    }
    return out;
  }
}
