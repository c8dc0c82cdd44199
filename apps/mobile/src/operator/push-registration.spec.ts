import { describe, expect, it } from 'vitest';
import { memoryStore } from '../lib/key-value-store.ts';
import { PushRegistration, type DevicePushToken } from './push-registration.ts';

function setup(device: DevicePushToken | null, failRegister = false) {
  const calls: string[] = [];
  const store = memoryStore();
  const push = new PushRegistration({
    deviceToken: async (name) => {
      calls.push(`device:${name}`);
      return device;
    },
    register: async (d) => {
      calls.push(`register:${d.token}:${d.platform}`);
      if (failRegister) throw new Error('offline');
    },
    unregister: async (token) => calls.push(`unregister:${token}`),
    store,
  });
  return { push, calls, store };
}

describe('push registration', () => {
  it('registers the device token after sign-in and removes exactly it on sign-out', async () => {
    const { push, calls, store } = setup({ token: 'ExponentPushToken[abc]', platform: 'android' });
    expect(await push.register('Notifications')).toBe('ExponentPushToken[abc]');
    await push.unregister();
    expect(calls).toEqual([
      'device:Notifications',
      'register:ExponentPushToken[abc]:android',
      'unregister:ExponentPushToken[abc]',
    ]);
    expect(store.data.size).toBe(0);
  });

  it('sends nothing without a token (web build, permission refused)', async () => {
    const { push, calls } = setup(null);
    expect(await push.register('Notifications')).toBeNull();
    await push.unregister();
    expect(calls).toEqual(['device:Notifications']);
  });

  it('never fails sign-in when the server cannot be reached', async () => {
    const { push, calls } = setup({ token: 'ExponentPushToken[x]', platform: 'ios' }, true);
    expect(await push.register('N')).toBeNull();
    await push.unregister();
    expect(calls.filter((c) => c.startsWith('unregister'))).toEqual([]);
  });
});
