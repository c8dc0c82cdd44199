// Web storage: localStorage for app data; the web has no secure enclave, so operator tokens live there too.
import { memoryStore, webStorageStore, type KeyValueStore } from '../lib/key-value-store.ts';

const local =
  typeof window !== 'undefined' && window.localStorage ? webStorageStore(window.localStorage) : memoryStore();

export const appStore: KeyValueStore = local;
export const secretStore: KeyValueStore = local;
