// Web networking: the browser's fetch; SSE through the `eventsource` package (fetch-based), because the browser's
// own EventSource cannot send the Authorization header that subscriptions need.
import { EventSource } from 'eventsource';

export const appFetch: typeof fetch = (input, init) => fetch(input, init);
export const AppEventSource = EventSource as unknown as typeof globalThis.EventSource;

/** Calls `onOnline` whenever connectivity comes back; returns the unsubscribe. */
export function onConnectivityRegained(onOnline: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  window.addEventListener('online', onOnline);
  return () => window.removeEventListener('online', onOnline);
}
