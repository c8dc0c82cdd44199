// A scanned code: loads the manifest (or the cached one offline), then shows the AR view, or the plain player where
// AR is unavailable, and reports the viewing session.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ArView } from '../components/ar-view';
import { useContentLanguage } from '../i18n/language-provider.tsx';
import { errorText } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { currentDevice } from '../platform/device.ts';
import { useServices } from '../services-context.ts';
import { Button, ErrorText, Loading, Screen } from '../ui/kit.tsx';
import type { ViewerLoad } from '../viewer/manifest-cache.ts';
import { WatchTracker } from '../viewer/watch-tracker.ts';
import { OfflineView, ReasonView } from './reason-view.tsx';

type State = { kind: 'loading' } | ViewerLoad | { kind: 'error'; error: unknown };

export function ViewerScreen({ publicId }: { publicId: string }) {
  const { t } = useTranslation();
  const nav = useNavigation();
  const { manifests } = useServices();
  const [state, setState] = useState<State>({ kind: 'loading' });
  // The company's language for its viewer pages, unless the visitor chose one.
  useContentLanguage(
    state.kind === 'ready'
      ? state.manifest.language
      : state.kind === 'unavailable' || state.kind === 'offline'
        ? state.language
        : null,
  );

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    manifests.load(publicId).then(setState, (error: unknown) => setState({ kind: 'error', error }));
  }, [manifests, publicId]);
  useEffect(load, [load]);

  const home = () => nav.reset({ name: 'home' });
  switch (state.kind) {
    case 'loading':
      return <Loading label={t('viewer.opening')} />;
    case 'unavailable':
      return <ReasonView reason={state.reason} onRetry={load} onHome={home} />;
    case 'offline':
      return <OfflineView stale={state.stale} onRetry={load} onHome={home} />;
    case 'error':
      return (
        <Screen title={t('viewer.somethingWrong')} onBack={home}>
          <ErrorText>{errorText(state.error, t)}</ErrorText>
          <Button label={t('ui.tryAgain')} onPress={load} />
        </Screen>
      );
    case 'ready':
      return <Experience publicId={publicId} load={state} onClose={nav.canGoBack ? nav.back : home} />;
  }
}

function Experience({
  publicId,
  load,
  onClose,
}: {
  publicId: string;
  load: Extract<ViewerLoad, { kind: 'ready' }>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { sessions, flushSessions } = useServices();
  const tracker = useMemo(() => new WatchTracker(), []);

  useEffect(() => {
    let localId: string | null = null;
    let closed = false;
    const finish = () => {
      if (localId) void sessions.finish(localId, tracker.stats()).then(flushSessions);
    };
    void currentDevice()
      // From the screen opening: a view once it plays, with the stages it reached (watch-tracker.ts).
      .then((device) => sessions.begin(publicId, device, { fromOpen: true }))
      .then((id) => {
        localId = id;
        if (closed) finish();
        else flushSessions();
      });
    // Saved now and then, so a session cut short by the app being killed still reports what was watched.
    const timer = setInterval(() => {
      if (localId) void sessions.progress(localId, tracker.stats());
    }, 5_000);
    return () => {
      closed = true;
      clearInterval(timer);
      tracker.playing(false);
      finish();
    };
  }, [publicId, sessions, tracker, flushSessions]);

  return (
    <ArView
      manifest={load.manifest}
      markerUri={load.markerUri}
      videoUri={load.videoUri}
      tracker={tracker}
      onClose={onClose}
      note={load.from === 'cache' ? t('viewer.offlineCopy') : undefined}
    />
  );
}
