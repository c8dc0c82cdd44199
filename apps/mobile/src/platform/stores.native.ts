// Device storage: AsyncStorage for app data (caches, queues), SecureStore (Keychain / Keystore) for operator tokens.
import AsyncStorage from '@react-native-async-storage/async-storage';
import * as SecureStore from 'expo-secure-store';
import type { KeyValueStore } from '../lib/key-value-store.ts';

export const appStore: KeyValueStore = {
  get: (key) => AsyncStorage.getItem(key),
  set: (key, value) => AsyncStorage.setItem(key, value),
  delete: (key) => AsyncStorage.removeItem(key),
};

// SecureStore keys allow only letters, digits, ".", "-" and "_".
const secureKey = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_');

export const secretStore: KeyValueStore = {
  get: (key) => SecureStore.getItemAsync(secureKey(key)),
  set: (key, value) =>
    SecureStore.setItemAsync(secureKey(key), value, { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK }),
  delete: (key) => SecureStore.deleteItemAsync(secureKey(key)),
};
