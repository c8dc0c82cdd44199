// The camera view's screen: asks for the camera first, then loads the AR engine (MindAR + three.js) on demand, and
// plays the video while the photo is in sight. Any failure hands over to the plain player with a reason.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlayableManifest } from './api.ts';
import { cameraFailure, type ArFailure } from './capabilities.ts';
import { attachVideo, autoplay } from './video-source.ts';

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
  const [soundBlocked, setSoundBlocked] = useState(false);
  const [waitingForTap, setWaitingForTap] = useState(false);
  /** The video has been started once (by itself or by a tap); later sightings resume it. */
  const started = useRef(false);
  const { video, playback, marker } = manifest;

  useEffect(() => {
    const container = stageRef.current!;
    const content = contentRef.current!;
    onVideo(content);
    const detach = attachVideo(content, video, { forTexture: true });
    content.loop = playback.loop;
    content.muted = playback.muted;
    const abort = new AbortController();
    let session: { stop(): void } | undefined;
    let stream: MediaStream | undefined;
    started.current = false;

    const onTargetFound = () => {
      if (started.current) {
        void content.play().catch(() => undefined);
      } else if (!playback.autoplay) {
        setWaitingForTap(true);
      } else {
        started.current = true;
        // Muted where sound may not start by itself: the element's volumechange shows the sound button.
        void autoplay(content, playback);
      }
    };
    const onTargetLost = () => {
      content.pause();
      onTrackingLost();
    };
    const fail = (failure: ArFailure, err?: unknown) => {
      if (abort.signal.aborted) return;
      console.warn('camera view failed:', failure, err);
      onFailure(failure, err instanceof Error ? err.message : undefined);
    };

    void (async () => {
      try {
        // Asked before the engine loads, so a visitor who says no does not download it.
        stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: 'environment' } });
      } catch (err) {
        return fail(cameraFailure(err), err);
      }
      if (abort.signal.aborted) return stream.getTracks().forEach((t) => t.stop());
      setStage('loading');
      try {
        const engine = await import('./ar-engine.ts');
        if (abort.signal.aborted) return stream.getTracks().forEach((t) => t.stop());
        try {
          session = await engine.startAr({
            container,
            stream,
            mindUrl: marker.mindUrl,
            content,
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
      session?.stop();
      stream?.getTracks().forEach((t) => t.stop());
      detach();
      onVideo(null);
    };
  }, [video, playback, marker.mindUrl, onVideo, onTrackingLost, onFailure]);

  return (
    <div className="arv-stage" ref={stageRef} data-stage={stage} data-testid="ar-stage">
      {/* The video drawn over the photo; kept in the page (iOS plays only attached videos) but not shown itself. */}
      <video
        ref={contentRef}
        className="arv-texture-source"
        playsInline
        preload="auto"
        aria-hidden="true"
        tabIndex={-1}
        data-testid="ar-video"
        // As the plain player: a video the item wants with sound, muted, offers the sound button.
        onVolumeChange={(e) => setSoundBlocked(e.currentTarget.muted && !playback.muted)}
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
        {waitingForTap && stage === 'tracking' && (
          <button
            type="button"
            className="arv-button arv-button-primary"
            onClick={() => {
              setWaitingForTap(false);
              started.current = true;
              const content = contentRef.current!;
              content.muted = playback.muted;
              void content.play().catch(() => undefined);
            }}
          >
            {t('playVideo')}
          </button>
        )}
        {soundBlocked && (
          <button
            type="button"
            className="arv-button arv-button-primary"
            onClick={() => {
              const content = contentRef.current!;
              content.muted = false;
              void content.play().catch(() => undefined);
            }}
          >
            {t('soundOn')}
          </button>
        )}
      </div>
    </div>
  );
}
