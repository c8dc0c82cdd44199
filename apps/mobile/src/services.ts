// Wiring: one place that builds the clients, storage-backed queues and caches the screens use.
import { createArvliteClient, withRefreshOnUnauthorized, type ArvliteClient } from '@arvlite/client';
import { apiUrl } from './config.ts';
import { createOperatorSession, type OperatorSession } from './operator/operator-session.ts';
import { PushRegistration } from './operator/push-registration.ts';
import { UploadQueue } from './operator/upload-queue.ts';
import { mediaFiles } from './platform/media-files';
import { AppEventSource, appFetch, onConnectivityRegained } from './platform/net';
import { devicePushToken } from './platform/push';
import { appStore, secretStore } from './platform/stores';
import { openSource, releaseVideo, uploadFetch } from './platform/video-files';
import { ManifestCache } from './viewer/manifest-cache.ts';
import { SessionQueue } from './viewer/session-queue.ts';
import { fetchManifest, sessionSender } from './viewer/viewer-api.ts';

export interface Services {
  apiUrl: string;
  /** Without a token: the viewer (no account) and the auth calls. */
  publicClient: ArvliteClient;
  /** The operator's, refreshing its token silently. */
  client: ArvliteClient;
  session: OperatorSession;
  manifests: ManifestCache;
  sessions: SessionQueue;
  uploads: UploadQueue;
  /** This phone's Expo push token on the server: register after sign-in, unregister before sign-out. */
  push: PushRegistration;
  /** Sends queued view sessions now and keeps retrying on their schedule; call on start and on foreground. */
  flushSessions(): void;
}

export function createServices(): Services {
  const url = apiUrl();
  const publicClient = createArvliteClient({ url, fetch: appFetch, EventSource: AppEventSource });
  const session = createOperatorSession({
    secrets: secretStore,
    refresh: (refreshToken) => publicClient.auth.refresh.mutate({ refreshToken }),
  });
  const client = createArvliteClient({
    url,
    getAccessToken: () => session.getAccessToken(),
    fetch: withRefreshOnUnauthorized(session, appFetch),
    EventSource: AppEventSource,
  });
  const manifests = new ManifestCache({
    store: appStore,
    files: mediaFiles,
    fetchManifest: (id) => fetchManifest(publicClient, id),
  });
  const sessions = new SessionQueue({ store: appStore, sender: sessionSender(publicClient) });
  const uploads = new UploadQueue({ store: appStore, client, openSource, fetch: uploadFetch, release: releaseVideo });

  const push = new PushRegistration({
    deviceToken: devicePushToken,
    register: (d) => client.notification.registerPushToken.mutate(d),
    unregister: (token) => client.notification.unregisterPushToken.mutate({ token }),
    store: appStore,
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const flushSessions = () => {
    clearTimeout(timer);
    sessions
      .flush()
      .then((r) => {
        if (r.nextAttemptAt !== null)
          timer = setTimeout(flushSessions, Math.min(10 * 60_000, Math.max(1_000, r.nextAttemptAt - Date.now())));
      })
      .catch(() => {
        timer = setTimeout(flushSessions, 30_000);
      });
  };
  onConnectivityRegained(() => {
    void sessions.retryNow().then(flushSessions);
    void session.restore().then((signedIn) => (signedIn ? uploads.resumeAll() : undefined));
  });

  return { apiUrl: url, publicClient, client, session, manifests, sessions, uploads, push, flushSessions };
}
