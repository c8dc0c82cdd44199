import { expect, it } from 'vitest';
import { deviceInfo, installId } from './device-info.ts';
import { memoryStore } from './key-value-store.ts';

it('describes the device within what viewer.startSession accepts', () => {
  expect(deviceInfo({ platform: 'android', model: 'Pixel 9 “Pro”', os: 'android 16', appVersion: '0.1.0' })).toEqual({
    platform: 'android',
    model: 'Pixel 9 Pro',
    os: 'android 16',
    appVersion: '0.1.0',
    installId: undefined,
  });
  expect(deviceInfo({ platform: 'windows', model: '  ', os: 'x'.repeat(100) })).toEqual({
    platform: 'other',
    model: undefined,
    os: 'x'.repeat(64),
    appVersion: undefined,
    installId: undefined,
  });
});

it('keeps one random install id per install', async () => {
  const store = memoryStore();
  const id = await installId(store);
  expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(await installId(store)).toBe(id);
  expect(await installId(memoryStore())).not.toBe(id);
});
