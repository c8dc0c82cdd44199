// The typed client shared by the web dashboard and the mobile app. Imports the router *type* only.
import type { AppRouter } from '@arvlite/api';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';

export type { AppRouter, RouterInputs, RouterOutputs } from '@arvlite/api';
// Every rule client and server agree on (types and limits, roles, steps, reasons, schedules, time zones).
export * from '@arvlite/contract';
export { TRPCClientError } from '@trpc/client';
/**
 * A fetch-based EventSource that sends the client's Authorization header (a browser's own EventSource cannot send
 * headers, so its subscriptions would go out signed out): pass it as `EventSource` in a browser app.
 */
export { EventSource as HeaderEventSource } from 'eventsource';
export { errorCode, isAbort, isPermanentError, isTransientError } from './errors.ts';

export interface ArvliteClientOptions {
  /** Base URL of the API, e.g. https://arvlite.example.com/trpc */
  url: string;
  /** Returns the current access token (or null when signed out); called per request. */
  getAccessToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** EventSource implementation for SSE subscriptions; browsers have one, Node needs the `eventsource` package. */
  EventSource?: typeof globalThis.EventSource;
  fetch?: typeof globalThis.fetch;
  /** At most this many calls in one HTTP batch (the server accepts 20). */
  maxBatchSize?: number;
}

export type ArvliteClient = TRPCClient<AppRouter>;

export function createArvliteClient(opts: ArvliteClientOptions): ArvliteClient {
  const authHeaders = async (): Promise<Record<string, string>> => {
    const token = await opts.getAccessToken?.();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const EventSourceImpl = opts.EventSource ?? globalThis.EventSource;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: opts.url,
          transformer: superjson,
          EventSource: EventSourceImpl,
          // Tokens never go in URLs: the eventsource package (and polyfills) accept a fetch with headers.
          eventSourceOptions: async () => {
            const headers = await authHeaders();
            return {
              fetch: (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
                (opts.fetch ?? fetch)(input, {
                  ...init,
                  headers: { ...(init?.headers as Record<string, string>), ...headers },
                }),
            } as EventSourceInit;
          },
        }),
        false: httpBatchLink({
          url: opts.url,
          transformer: superjson,
          maxItems: opts.maxBatchSize ?? 20,
          headers: authHeaders,
          fetch: opts.fetch,
        }),
      }),
    ],
  });
}
export {
  customerUploadApi,
  fetchPut,
  resumeUploadWith,
  StorageRefusedError,
  uploadVideo,
  uploadVideoFile,
  uploadWith,
  type PutRequest,
  type UploadApi,
  type UploadOptions,
  type UploadProgress,
  type UploadSource,
} from './upload.ts';
export {
  isSessionRefusal,
  SessionEndedError,
  TokenSession,
  withRefreshOnUnauthorized,
  type SessionSnapshot,
  type SessionStore,
  type SessionTokens,
  type SessionUser,
  type StoredSession,
  type TokenSessionOptions,
} from './session.ts';
export { uploadWithTus, type TusTransport } from './tus-upload.ts';
