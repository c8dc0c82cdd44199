// The phone's Expo push token on the server: registered after sign-in (and on each launch signed in, as a token can
// change), removed before sign-out while the session can still authenticate the call. The device side (permission,
// the token) is a platform module; on the web and when permission is refused there is no token and nothing is sent.
import type { KeyValueStore } from '../lib/key-value-store.ts';

export interface DevicePushToken {
  token: string;
  platform: 'ios' | 'android';
}

export interface PushRegistrationOptions {
  /** The device's token, or null (web build, permission refused, no push service); `channelName` names Android's channel. */
  deviceToken: (channelName: string) => Promise<DevicePushToken | null>;
  register: (t: DevicePushToken) => Promise<unknown>;
  unregister: (token: string) => Promise<unknown>;
  /** Remembers the registered token, so sign-out removes exactly that one. */
  store: KeyValueStore;
}

const KEY = 'push.registeredToken';

export class PushRegistration {
  readonly #o: PushRegistrationOptions;
  #pending: Promise<string | null> | undefined;

  constructor(options: PushRegistrationOptions) {
    this.#o = options;
  }

  /** Registers this device's token for the signed-in user; the token, or null when there is none. Never throws. */
  register(channelName: string): Promise<string | null> {
    this.#pending ??= (async () => {
      try {
        const device = await this.#o.deviceToken(channelName);
        if (!device) return null;
        await this.#o.register(device);
        await this.#o.store.set(KEY, device.token);
        return device.token;
      } catch {
        // No push is not a reason to fail sign-in; the next launch tries again.
        return null;
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }

  /** Removes the registered token from the server (call before ending the session). Never throws. */
  async unregister(): Promise<void> {
    await this.#pending;
    const token = await this.#o.store.get(KEY);
    if (!token) return;
    try {
      await this.#o.unregister(token);
    } catch {
      // The server drops tokens Expo reports dead; a token left behind stops with the next failed push.
    }
    await this.#o.store.delete(KEY);
  }
}
