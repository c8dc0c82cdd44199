// The operator's signed-in session: the shared TokenSession (packages/client) with both tokens and the user kept in
// secure storage (Keychain / Keystore through expo-secure-store), so the app stays signed in across launches. The
// access token is refreshed when a call needs it and once after an UNAUTHORIZED answer, single-flight.
import {
  TokenSession,
  type SessionStore,
  type SessionTokens,
  type SessionUser,
  type StoredSession,
} from '@arvlite/client';
import { readJson, writeJson, type KeyValueStore } from '../lib/key-value-store.ts';

export type OperatorUser = SessionUser;
export type OperatorSession = TokenSession;

const KEY = 'operator.session';
const isStored = (v: unknown): v is StoredSession =>
  typeof v === 'object' && v !== null && typeof (v as StoredSession).refreshToken === 'string' && 'access' in v;

/** The whole session in one secure-storage entry. */
export function secureSessionStore(secrets: KeyValueStore): SessionStore {
  return {
    load: () => readJson(secrets, KEY, isStored),
    save: (s) => writeJson(secrets, KEY, s),
    clear: () => secrets.delete(KEY),
  };
}

export interface OperatorSessionOptions {
  secrets: KeyValueStore;
  /** auth.refresh through a client without a token. */
  refresh: (refreshToken: string) => Promise<SessionTokens>;
  now?: () => number;
  leewayMs?: number;
}

export function createOperatorSession({ secrets, ...opts }: OperatorSessionOptions): OperatorSession {
  return new TokenSession({ store: secureSessionStore(secrets), ...opts });
}
