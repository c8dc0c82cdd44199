// Where the API lives. Set `expo.extra.apiUrl` in app.json (e.g. http://192.168.1.20:3000/trpc for a phone on your
// LAN); without it, the web build talks to the server that served it (same origin, /trpc).
import Constants from 'expo-constants';
import { Platform } from 'react-native';

export function apiUrl(): string {
  const configured = (Constants.expoConfig?.extra as { apiUrl?: unknown } | undefined)?.apiUrl;
  if (typeof configured === 'string' && configured) return configured.replace(/\/+$/, '');
  if (Platform.OS === 'web' && typeof window !== 'undefined') return `${window.location.origin}/trpc`;
  // The Android emulator reaches the host machine at 10.0.2.2; a real device needs apiUrl.
  return Platform.OS === 'android' ? 'http://10.0.2.2:3000/trpc' : 'http://localhost:3000/trpc';
}
