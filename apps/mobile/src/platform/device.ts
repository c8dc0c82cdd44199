// Describes this device for view sessions (web and native alike: React Native's Platform answers on both).
import Constants from 'expo-constants';
import { Platform } from 'react-native';
import { deviceInfo, installId } from '../lib/device-info.ts';
import type { DeviceInfo } from '../viewer/viewer-api.ts';
import { appStore } from './stores';

export async function currentDevice(): Promise<DeviceInfo> {
  const constants = Platform.constants as {
    Model?: string;
    Brand?: string;
    systemName?: string;
    interfaceIdiom?: string;
  };
  const model =
    Platform.OS === 'android'
      ? [constants.Brand, constants.Model].filter(Boolean).join(' ')
      : Platform.OS === 'ios'
        ? constants.interfaceIdiom
        : undefined;
  const os =
    Platform.OS === 'web'
      ? typeof navigator !== 'undefined'
        ? navigator.userAgent.split(') ')[0]?.split(' (')[1]
        : undefined
      : `${Platform.OS} ${String(Platform.Version)}`;
  return deviceInfo({
    platform: Platform.OS,
    model,
    os,
    appVersion: Constants.expoConfig?.version ?? null,
    installId: await installId(appStore),
  });
}
