// Web build: no push notifications (the app's push goes to phones through Expo), so there is never a token.
import type { DevicePushToken } from '../operator/push-registration.ts';

export async function devicePushToken(_channelName: string): Promise<DevicePushToken | null> {
  return null;
}
