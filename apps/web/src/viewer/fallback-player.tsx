// The video on its own, for when the camera view is unavailable or not wanted: poster first, then autoplay as the
// manifest asks (muted where the browser allows nothing else), with the browser's own controls.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlayableManifest } from './api.ts';
import { attachVideo, autoplay } from './video-source.ts';

export function FallbackPlayer({
  manifest,
  onVideo,
}: {
  manifest: PlayableManifest;
  onVideo: (el: HTMLVideoElement | null) => void;
}) {
  const { t } = useTranslation('viewer');
  const ref = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<'unsupported' | 'load' | null>(null);
  const [mutedByBrowser, setMutedByBrowser] = useState(false);
  const { video, playback } = manifest;

  useEffect(() => {
    const el = ref.current!;
    onVideo(el);
    el.muted = playback.muted;
    // Muted by autoplay where sound may not start by itself: the element's volumechange shows the button (below).
    // Started once the source is on the element: a play() before it is aborted by the source's arrival.
    const detach = attachVideo(el, video, {
      onError: setError,
      onAttached: () => playback.autoplay && void autoplay(el, playback),
    });
    return () => {
      onVideo(null);
      detach();
    };
  }, [video, playback, onVideo]);

  return (
    <div className="arv-player">
      <video
        ref={ref}
        className="arv-player-video"
        controls
        playsInline
        webkit-playsinline="true"
        preload="metadata"
        loop={playback.loop}
        poster={video.posterUrl ?? undefined}
        aria-label={t('videoLabel', { title: manifest.content.title })}
        data-testid="fallback-video"
        // The button follows the element: whichever play() attempt muted it (a reload or a second autoplay can
        // overtake the first one's answer), a muted video the item wants with sound offers it.
        onVolumeChange={(e) => setMutedByBrowser(e.currentTarget.muted && !playback.muted)}
      />
      {mutedByBrowser && (
        <button
          type="button"
          className="arv-button arv-button-primary"
          onClick={() => {
            const el = ref.current!;
            el.muted = false;
            void el.play().catch(() => undefined);
          }}
        >
          {t('soundOn')}
        </button>
      )}
      {error && (
        <p className="arv-error" role="alert">
          {t(`videoError.${error}`)}
        </p>
      )}
    </div>
  );
}
