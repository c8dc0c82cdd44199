// The public viewer at /v/:publicId: loads the manifest, then shows the camera view (the video laid over the printed
// photo) or, when the camera cannot be used or is not wanted, the video on its own; a friendly page for every reason
// there is nothing to show. No sign-in.
import { LANGUAGES } from '@arvlite/contract';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { chooseViewerLanguage, followCompanyLanguage, viewerI18n, viewerLanguage } from '../i18n/viewer.ts';
import { freshViewerApi, sendEndSession, sendStage, sendUnsentEnd, viewerApi, type PlayableManifest } from './api.ts';
import { ArView } from './ar-view.tsx';
import { arSupport, type ArFailure } from './capabilities.ts';
import { FallbackPlayer } from './fallback-player.tsx';
import { afterRefresh, manifestIdentity, RECHECK_MS, refreshDelayMs } from './manifest-refresh.ts';
import { NothingToShow } from './nothing-to-show.tsx';
import { loadFailure, REASONS, type Explanation } from './reasons.ts';
import { browserUnsentEnds } from './unsent-ends.ts';
import { watchStageMarks } from './view-stages.ts';
import { trackVideo, ViewTracker, webDevice } from './view-tracker.ts';
import { markOnce } from './viewer-timings.ts';
import './viewer.css';

/** Views whose page died before ending them; sent by the next viewer page, and when the network comes back. */
const unsentEnds = browserUnsentEnds();
/** The page's first view starts at the page opening; a later one (another video) where it is switched to. */
let pageOpenTaken = false;

/** A view of this page: one per item and video shown, whatever mounts it (see Viewer). */
interface PageView {
  key: string;
  tracker: ViewTracker;
  mounts: number;
  closing?: ReturnType<typeof setTimeout>;
  stopMarks?: () => void;
  /** Ends the view when the page goes away: kept until the view has ended, through its remount grace too. */
  onHide?: () => void;
}
const pageViews = new Map<string, PageView>();
/** How long a view whose component went away waits for it to come back before it ends. */
const REMOUNT_GRACE_MS = 1000;

function pageView(publicId: string, identity: string): PageView {
  const key = `${publicId}|${identity}`;
  let view = pageViews.get(key);
  if (!view) {
    const tracker = new ViewTracker({
      start: (opened) =>
        viewerApi.viewer.startSession
          .mutate({
            publicId,
            device: webDevice(navigator.userAgent),
            ...(opened ? { from: 'open' as const, startedAgoMs: opened.openedAgoMs } : {}),
          })
          .then((r) => r.sessionId),
      report: (sessionId, stage) => sendStage({ sessionId, ...stage }),
      end: (input) => sendEndSession(input),
      unsent: unsentEnds,
    });
    view = { key, tracker, mounts: 0 };
    pageViews.set(key, view);
  }
  return view;
}

type Load =
  | { kind: 'loading' }
  | { kind: 'ready'; manifest: PlayableManifest }
  | { kind: 'nothing'; explanation: Explanation; code: string };

export default function ViewerPage({ publicId }: { publicId: string }) {
  return (
    <I18nextProvider i18n={viewerI18n}>
      <ViewerScreen publicId={publicId} />
    </I18nextProvider>
  );
}

/** The visitor's language switch; their choice wins over the company's language from then on. */
function LanguageSwitch() {
  const { t } = useTranslation('viewer');
  const current = viewerLanguage();
  return (
    <nav className="arv-language" aria-label={t('language')}>
      {LANGUAGES.map((lng) => (
        <button
          key={lng}
          type="button"
          lang={lng}
          className="arv-language-option"
          aria-pressed={lng === current}
          onClick={() => chooseViewerLanguage(lng)}
        >
          {t(`common:language.${lng}`)}
        </button>
      ))}
    </nav>
  );
}

function ViewerScreen({ publicId }: { publicId: string }) {
  const { t } = useTranslation('viewer');
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const flush = () => void unsentEnds.flush(sendUnsentEnd);
    flush();
    window.addEventListener('online', flush);
    return () => window.removeEventListener('online', flush);
  }, []);

  useEffect(() => {
    let cancelled = false;
    (attempt === 0 ? viewerApi : freshViewerApi).viewer.manifest.query({ publicId }).then(
      (m) => {
        if (cancelled) return;
        markOnce('manifest');
        // The company's language for its viewer pages, unless this visitor chose one.
        followCompanyLanguage(m.language);
        setLoad(
          m.ok ? { kind: 'ready', manifest: m } : { kind: 'nothing', explanation: REASONS[m.reason], code: m.reason },
        );
      },
      (err: unknown) => !cancelled && setLoad({ kind: 'nothing', explanation: loadFailure(err), code: 'ERROR' }),
    );
    return () => {
      cancelled = true;
    };
  }, [publicId, attempt]);

  // Answers expected to change soon (a marker being compiled) are asked again without a tap.
  const retryAfterMs = load.kind === 'nothing' ? load.explanation.retryAfterMs : undefined;
  useEffect(() => {
    if (!retryAfterMs) return;
    const t = setTimeout(() => setAttempt((a) => a + 1), retryAfterMs);
    return () => clearTimeout(t);
  }, [retryAfterMs, attempt]);

  // When the schedule's choice can change, ask again; switch only if the answer differs (manifest-refresh.ts).
  const current = load.kind === 'ready' ? load.manifest : null;
  const validUntilMs = current?.selection.validUntil?.getTime() ?? null;
  useEffect(() => {
    if (!current || validUntilMs === null) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout>;
    const check = () =>
      freshViewerApi.viewer.manifest.query({ publicId }).then(
        (next) => {
          if (cancelled) return;
          const r = afterRefresh(current, next);
          if (r.kind === 'gone') setLoad({ kind: 'nothing', explanation: REASONS[r.reason], code: r.reason });
          else if (r.kind === 'changed' || r.manifest.selection.validUntil?.getTime() !== validUntilMs)
            setLoad({ kind: 'ready', manifest: r.manifest });
          // The same window again (the server's clock is behind ours): ask once more a little later.
          else timer = setTimeout(check, RECHECK_MS);
        },
        // Offline: keep playing what is here and try again.
        () => !cancelled && (timer = setTimeout(check, RECHECK_MS)),
      );
    timer = setTimeout(check, refreshDelayMs(new Date(validUntilMs), Date.now())!);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `current` is replaced only with a new window or a new video, which these cover.
  }, [publicId, validUntilMs, current && manifestIdentity(current)]);

  useEffect(() => {
    document.title =
      load.kind === 'ready'
        ? t('documentTitle', { title: load.manifest.content.title })
        : load.kind === 'nothing'
          ? t('documentTitle', { title: t(`reasons.${load.explanation.key}.headline`) })
          : t('brand');
  }, [load, t]);

  return (
    <main className="arv-viewer" data-testid="viewer" data-reason={load.kind === 'nothing' ? load.code : undefined}>
      {load.kind === 'loading' && (
        <p className="arv-center" role="status">
          {t('loading')}
        </p>
      )}
      {load.kind === 'nothing' && (
        <NothingToShow explanation={load.explanation} onRetry={() => setAttempt((a) => a + 1)} />
      )}
      {/* Another video (a schedule change) starts afresh: a new view session, a new player or tracker. */}
      {load.kind === 'ready' && (
        <Viewer key={manifestIdentity(load.manifest)} publicId={publicId} manifest={load.manifest} />
      )}
      <LanguageSwitch />
    </main>
  );
}

function Viewer({ publicId, manifest }: { publicId: string; manifest: PlayableManifest }) {
  const { t } = useTranslation('viewer');
  const support = useMemo(() => arSupport(), []);
  const [mode, setMode] = useState<'ar' | 'video'>(support.ok ? 'ar' : 'video');
  // Kept as the reason, so the notice follows a language switch.
  const [notice, setNotice] = useState<ArFailure | null>(support.ok ? null : support.reason);
  const [videoEl, setVideoEl] = useState<HTMLVideoElement | null>(null);

  // The view starts at the page opening (stages for the funnel: view-stages.ts); the camera view's timing marks are its
  // camera, detected and first-frame stages. It belongs to the page and the video, not to this component: mounted again
  // (React may unmount and remount in place) it stays one view, ended only once no component shows it for a moment.
  const view = useMemo(() => pageView(publicId, manifestIdentity(manifest)), [publicId, manifest]);
  const { tracker } = view;
  useEffect(() => {
    clearTimeout(view.closing);
    view.mounts++;
    if (!view.stopMarks) {
      const openedAgoMs = pageOpenTaken ? 0 : performance.now();
      pageOpenTaken = true;
      tracker.open(openedAgoMs);
      if (!support.ok) tracker.stage('fallback', undefined, support.reason);
      view.stopMarks = watchStageMarks(performance.now() - openedAgoMs, (stage, at) => tracker.stage(stage, at));
    }
    // Not removed at unmount: a page left within the grace below (a schedule switch just before the visitor goes) still
    // ends the view it was about to end.
    if (!view.onHide) {
      view.onHide = () => tracker.end();
      window.addEventListener('pagehide', view.onHide);
    }
    return () => {
      view.mounts--;
      view.closing = setTimeout(() => {
        if (view.mounts > 0) return;
        view.stopMarks?.();
        if (view.onHide) window.removeEventListener('pagehide', view.onHide);
        tracker.end();
        pageViews.delete(view.key);
      }, REMOUNT_GRACE_MS);
    };
  }, [view, tracker, support]);
  useEffect(() => tracker.setPath(mode === 'ar' ? 'ar' : 'plain'), [tracker, mode]);
  useEffect(() => (videoEl ? trackVideo(videoEl, tracker) : undefined), [videoEl, tracker]);

  const onTrackingLost = useCallback(() => tracker.trackingLost(), [tracker]);
  const onFailure = useCallback(
    (failure: ArFailure) => {
      tracker.stage('fallback', undefined, failure);
      setNotice(failure);
      setMode('video');
    },
    [tracker],
  );

  if (mode === 'ar') {
    return (
      <>
        <ArView manifest={manifest} onVideo={setVideoEl} onTrackingLost={onTrackingLost} onFailure={onFailure} />
        <header className="arv-ar-header">
          <h1>{manifest.content.title}</h1>
        </header>
        <div className="arv-ar-footer">
          <button
            type="button"
            className="arv-button"
            onClick={() => {
              tracker.stage('fallback', undefined, 'chosen');
              setNotice(null);
              setMode('video');
            }}
          >
            {t('playWithoutCamera')}
          </button>
        </div>
      </>
    );
  }
  return (
    <section className="arv-video-page" aria-labelledby="arv-title">
      <h1 id="arv-title">{manifest.content.title}</h1>
      {notice && (
        <p className="arv-notice" role="alert">
          {t(`failure.${notice}`)}
        </p>
      )}
      <FallbackPlayer manifest={manifest} onVideo={setVideoEl} />
      {support.ok && (
        <button
          type="button"
          className="arv-button"
          onClick={() => {
            setNotice(null);
            setMode('ar');
          }}
        >
          {t('useCamera')}
        </button>
      )}
    </section>
  );
}
