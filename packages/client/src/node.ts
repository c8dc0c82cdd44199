// Node entry: supplies the `eventsource` package for SSE subscriptions (browsers and React Native bring their own).
import { EventSource } from 'eventsource';
import { createArvliteClient as create, type ArvliteClientOptions } from './index.ts';

export * from './index.ts';

export function createArvliteNodeClient(opts: ArvliteClientOptions) {
  return create({ EventSource: EventSource as unknown as typeof globalThis.EventSource, ...opts });
}
