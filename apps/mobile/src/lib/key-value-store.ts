// The one storage interface the app's logic depends on: AsyncStorage or SecureStore on a device, localStorage on the
// web, a Map in tests.

export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function memoryStore(
  initial: Record<string, string> = {},
): KeyValueStore & { readonly data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: async (key) => data.get(key) ?? null,
    set: async (key, value) => {
      data.set(key, value);
    },
    delete: async (key) => {
      data.delete(key);
    },
  };
}

export function webStorageStore(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  prefix = 'arvlite.',
): KeyValueStore {
  return {
    get: async (key) => storage.getItem(prefix + key),
    set: async (key, value) => storage.setItem(prefix + key, value),
    delete: async (key) => storage.removeItem(prefix + key),
  };
}

/** Reads a JSON value, treating anything unreadable (an older app version's format, a torn write) as absent. */
export async function readJson<T>(
  store: KeyValueStore,
  key: string,
  isValid: (v: unknown) => v is T,
): Promise<T | null> {
  const raw = await store.get(key);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : null;
  } catch {
    return null;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): Promise<void> {
  return store.set(key, JSON.stringify(value));
}

/** Runs async read-modify-write sections one after another, so two of them never lose each other's update. */
export function serialized(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
