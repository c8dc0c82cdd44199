// The camera view's screen: asks for the camera while loading the AR engine (MindAR + three.js) and warming it up, and
// plays the video while the photo is in sight. Any failure hands over to the plain player with a reason.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlayableManifest } from './api.ts';
import { cameraFailure, type ArFailure } from './capabilities.ts';
import { cameraLikely, noteGrantedCamera, preloadEngine, preloadPoster, preloadTarget } from './preload.ts';
import { PlaybackRules, sessionSoundMemory, type PlaybackView } from './playback.ts';
import { attachMp4, attachVideo } from './video-source.ts';
import { markOnce, markStep } from './viewer-timings.ts';

type Stage = 'camera' | 'loading' | 'scanning' | 'tracking';

export interface ArViewProps {
  manifest: PlayableManifest;
  onVideo: (el: HTMLVideoElement | null) => void;
  onTrackingLost: () => void;
  onFailure: (failure: ArFailure, detail?: string) => void;
}

export function ArView({ manifest, onVideo, onTrackingLost, onFailure }: ArViewProps) {
  const { t } = useTranslation('viewer');
  const stageRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLVideoElement>(null);
  const [stage, setStage] = useState<Stage>('camera');
  /** The playback rules (playback.ts): plays only while the photo is seen, muted until a tap asks for sound. */
  const rules = useRef<PlaybackRules | null>(null);
  const [play, setPlay] = useState<PlaybackView>({ seen: false, phase: 'idle', soundButton: false });
  const { video, playback, marker } = manifest;

  useEffect(() => {
    const container = stageRef.current!;
    const content = contentRef.current!;
    onVideo(content);
    // A video with transparency plays its stacked-alpha MP4 (colour | matte), which the engine's shader composes.
    content.loop = playback.loop;
    // Lost means lost for good: the engine calls onTargetLost only after its grace period for short drops.
    const playbackRules = new PlaybackRules(content, playback, sessionSoundMemory(), setPlay);
    rules.current = playbackRules;
    setPlay(playbackRules.view());
    const detach = video.alpha
      ? attachMp4(content, video.alpha.mp4Url)
      : attachVideo(content, video, { forTexture: true, onAttached: () => playbackRules.sourceAttached() });
    const abort = new AbortController();
    let session: { stop(): void } | undefined;
    let stream: MediaStream | undefined;

    const onTargetFound = () => playbackRules.targetFound();
    const onTargetLost = () => {
      playbackRules.targetLost();
      onTrackingLost();
    };
    const fail = (failure: ArFailure, err?: unknown) => {
      if (abort.signal.aborted) return;
      console.warn('camera view failed:', failure, err);
      onFailure(failure, err instanceof Error ? err.message : undefined);
    };

    // Fetched while the visitor answers the camera prompt: the tracking data, the poster and the engine (preload.ts).
    preloadTarget(marker.mindUrl).catch(() => undefined); // its failure is the engine's to report
    preloadPoster(video.posterUrl);
    // …and, when the camera will likely be granted, the tracker is built and its kernels compiled meanwhile: on a
    // software GPU that takes seconds, which used to start only once the camera was granted (ar-engine.ts).
    let warmed: { releaseWarmTracker(): void } | undefined;
    let arStarted = false;
    void cameraLikely().then((likely) => {
      if (!likely) return;
      preloadEngine().then(
        (engine) => {
          // Too late once the camera view has started: it builds the tracker for the camera itself.
          if (abort.signal.aborted || arStarted) return;
          warmed = engine;
          engine.warmUpTracker(marker.mindUrl);
        },
        () => undefined, // a failure is reported once the camera is granted
      );
    });

    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: 'environment' } });
      } catch (err) {
        return fail(cameraFailure(err), err);
      }
      if (abort.signal.aborted) return stream.getTracks().forEach((t) => t.stop());
      noteGrantedCamera(stream);
      markOnce('camera');
      setStage('loading');
      try {
        const engine = await preloadEngine();
        markStep('engine-chunk');
        if (abort.signal.aborted) return stream.getTracks().forEach((t) => t.stop());
        try {
          arStarted = true;
          session = await engine.startAr({
            container,
            stream,
            mindUrl: marker.mindUrl,
            widthMm: marker.widthMm,
            posterUrl: video.posterUrl,
            content,
            look: { chromaKey: video.chromaKey, alphaLayout: video.alpha?.layout ?? null },
            signal: abort.signal,
            onStage: setStage,
            onTargetFound,
            onTargetLost,
            onFailure: (err) => fail(err.failure, err),
          });
        } catch (err) {
          fail(err instanceof engine.ArError ? err.failure : 'failed', err);
        }
      } catch (err) {
        stream.getTracks().forEach((t) => t.stop());
        fail('failed', err);
      }
    })();

    return () => {
      abort.abort();
      // A tracker built during the prompt and not taken by a camera view (the camera refused, the page left) is dropped.
      warmed?.releaseWarmTracker();
      noteGrantedCamera(null);
      session?.stop();
      stream?.getTracks().forEach((t) => t.stop());
      rules.current = null;
      detach();
      onVideo(null);
    };
  }, [video, playback, marker.mindUrl, marker.widthMm, onVideo, onTrackingLost, onFailure]);

  return (
    <div className="arv-stage" ref={stageRef} data-stage={stage} data-testid="ar-stage">
      {/* The video drawn over the photo; kept in the page (iOS plays only attached videos) but not shown itself. */}
      <video
        ref={contentRef}
        className="arv-texture-source"
        playsInline
        webkit-playsinline="true"
        muted
        preload="auto"
        aria-hidden="true"
        tabIndex={-1}
        data-testid="ar-video"
        // Sound turned on or off by the browser or the rules: the sound button follows.
        onVolumeChange={() => {
          if (rules.current) setPlay(rules.current.view());
        }}
      />
      {stage === 'scanning' && (
        <div className="arv-scan-hint" aria-hidden="true">
          <img src={marker.imageUrl} alt="" />
        </div>
      )}
      <p className="arv-stage-status" role="status">
        {t(`stage.${stage}`)}
      </p>
      <div className="arv-stage-actions">
        {play.phase === 'waiting' && play.seen && (
          <button type="button" className="arv-button arv-button-primary" onClick={() => rules.current?.tapPlay()}>
            {t('playVideo')}
          </button>
        )}
        {play.soundButton && (
          <button type="button" className="arv-button arv-button-primary" onClick={() => rules.current?.tapSound()}>
            {t('soundOn')}
          </button>
        )}
      </div>
    </div>
  );
}
