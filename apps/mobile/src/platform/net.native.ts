// Device networking: expo/fetch, whose responses stream (React Native's built-in fetch buffers whole bodies, which
// would stall SSE), and the `eventsource` package on top of it for subscriptions.
import { EventSource } from 'eventsource';
import { fetch as expoFetch } from 'expo/fetch';
import { addNetworkStateListener } from 'expo-network';

export const appFetch = expoFetch as unknown as typeof fetch;
export const AppEventSource = EventSource as unknown as typeof globalThis.EventSource;

export function onConnectivityRegained(onOnline: () => void): () => void {
  let online: boolean | undefined;
  const sub = addNetworkStateListener((state) => {
    const now = !!state.isConnected && state.isInternetReachable !== false;
    if (now && online === false) onOnline();
    online = now;
  });
  return () => sub.remove();
}
