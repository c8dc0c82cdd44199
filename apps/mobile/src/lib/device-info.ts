// The device description sent with a view session: printable ASCII within the server's limits, and a random id per
// install (kept in app storage) so unique devices can be counted without fingerprinting.
import type { DeviceInfo } from '../viewer/viewer-api.ts';
import type { KeyValueStore } from './key-value-store.ts';

const printable = (s: string | null | undefined, max: number): string | undefined => {
  const clean = s
    ?.replace(/[^\x20-\x7E]/g, '')
    .trim()
    .slice(0, max)
    .trim();
  return clean ? clean : undefined;
};

export async function installId(store: KeyValueStore): Promise<string> {
  const existing = await store.get('device.installId');
  if (existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const id = Array.from({ length: 24 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
  await store.set('device.installId', id);
  return id;
}

export function deviceInfo(raw: {
  platform: string;
  model?: string | null;
  os?: string | null;
  appVersion?: string | null;
  installId?: string;
}): DeviceInfo {
  const platform =
    raw.platform === 'ios' || raw.platform === 'android' || raw.platform === 'web' ? raw.platform : 'other';
  return {
    platform,
    model: printable(raw.model, 100),
    os: printable(raw.os, 64),
    appVersion: printable(raw.appVersion, 32),
    installId: raw.installId,
  };
}
