// The one typed client of the app, the session it authenticates with, and the query cache.
import {
  createArvliteClient,
  errorCode,
  HeaderEventSource,
  withRefreshOnUnauthorized,
  type ArvliteClient,
  type RouterInputs,
  type RouterOutputs,
} from '@arvlite/client';
import { QueryClient } from '@tanstack/react-query';
import { createWebSession, followOtherTabs } from './auth/session.ts';

export type { RouterInputs, RouterOutputs };

const url = '/trpc';

/** Without a token: used only to refresh, so a refresh never waits on itself. */
const publicClient = createArvliteClient({ url });

export const session = createWebSession({
  storage: window.localStorage,
  refresh: (refreshToken) => publicClient.auth.refresh.mutate({ refreshToken }),
});
window.addEventListener('storage', (e) => {
  if (e.storageArea === window.localStorage) followOtherTabs(session, e.key, e.newValue);
});

export const api: ArvliteClient = createArvliteClient({
  url,
  getAccessToken: () => session.getAccessToken(),
  fetch: withRefreshOnUnauthorized(session, (input, init) => fetch(input, init)),
  // Subscriptions (the notification bell, video status) carry the Authorization header through fetch.
  EventSource: HeaderEventSource as unknown as typeof globalThis.EventSource,
});

export { errorCode };
export { errorMessage, fieldErrors, type ErrorTexts } from './i18n/errors.ts';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // Auth and access answers do not change by asking again; other failures get one more try.
      retry: (count, err) =>
        count < 1 && !['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'].includes(errorCode(err) ?? ''),
      refetchOnWindowFocus: true,
    },
  },
});

session.subscribe(({ signedIn }) => {
  if (!signedIn) queryClient.clear();
});
