// The one typed client of the app, the session it authenticates with, and the query cache.
import {
  createArvliteClient,
  errorCode,
  TRPCClientError,
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
});

export { errorCode };

/** The message to show a person; server messages are written for people, validation ones name the fields. */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const fields = err.data?.fieldErrors as Record<string, string[] | undefined> | undefined;
    const first = fields && Object.entries(fields).find(([, v]) => v?.length);
    if (first) return `${first[0]}: ${first[1]![0]}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function fieldErrors(err: unknown): Record<string, string | undefined> {
  if (!(err instanceof TRPCClientError)) return {};
  const fields = (err.data?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const out: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, v?.[0]]),
  );
  const field = (err.data?.details as { field?: string } | undefined)?.field;
  if (field) out[field] = err.message;
  return out;
}

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
