// Phone: asks for permission to notify (once; a refusal is respected) and reads the Expo push token.
import Constants from 'expo-constants';
import * as Notifications from 'expo-notifications';
import { Platform } from 'react-native';
import type { DevicePushToken } from '../operator/push-registration.ts';

export async function devicePushToken(channelName: string): Promise<DevicePushToken | null> {
  if (Platform.OS !== 'ios' && Platform.OS !== 'android') return null;
  if (Platform.OS === 'android') {
    // Android 13+ asks for permission only once a channel exists.
    await Notifications.setNotificationChannelAsync('default', {
      name: channelName,
      importance: Notifications.AndroidImportance.DEFAULT,
    });
  }
  const current = await Notifications.getPermissionsAsync();
  let status = current.status;
  if (status !== 'granted' && current.canAskAgain) ({ status } = await Notifications.requestPermissionsAsync());
  if (status !== 'granted') return null;
  const projectId =
    (Constants.expoConfig?.extra as { eas?: { projectId?: string } } | undefined)?.eas?.projectId ??
    Constants.easConfig?.projectId;
  const { data } = await Notifications.getExpoPushTokenAsync(projectId ? { projectId } : {});
  return { token: data, platform: Platform.OS };
}
