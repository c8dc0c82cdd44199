// React bindings for the session: whether someone is signed in, who, and the actions that change it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, session } from '../api.ts';
import { disposeUploaders } from '../upload/uploaders.ts';

export function useSignedIn(): boolean {
  return useSyncExternalStore(
    (cb) => session.subscribe(cb),
    () => session.signedIn,
  );
}

export function useMe() {
  const signedIn = useSignedIn();
  return useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query(), enabled: signedIn, staleTime: 60_000 });
}

export function useSignOut() {
  const qc = useQueryClient();
  return async () => {
    const refreshToken = session.refreshToken;
    disposeUploaders();
    if (refreshToken) await api.auth.logout.mutate({ refreshToken }).catch(() => null);
    await session.end();
    qc.clear();
  };
}
