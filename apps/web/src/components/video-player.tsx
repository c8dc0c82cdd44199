// Plays HLS through hls.js (native HLS where the browser has it), else the MP4; storyboard thumbnails on hover.
import { Box, Paper, Text } from '@mantine/core';
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Playback } from '../pipeline.ts';

interface StoryboardCue {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

function parseTime(t: string): number {
  const parts = t.trim().split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** WebVTT storyboard: each cue's text is `sprite.jpg#xywh=x,y,w,h`, relative to the VTT's own URL. */
export function parseStoryboardVtt(text: string, baseUrl: string): StoryboardCue[] {
  const cues: StoryboardCue[] = [];
  const blocks = text.replace(/\r/g, '').split('\n\n');
  for (const block of blocks) {
    const lines = block.split('\n').filter(Boolean);
    const timing = lines.findIndex((l) => l.includes('-->'));
    if (timing < 0 || !lines[timing + 1]) continue;
    const [from, to] = lines[timing]!.split('-->').map((s) => s.trim().split(' ')[0]!);
    const [ref, frag] = lines[timing + 1]!.trim().split('#xywh=');
    const [x = 0, y = 0, w = 0, h = 0] = (frag ?? '').split(',').map(Number);
    cues.push({ start: parseTime(from!), end: parseTime(to!), url: new URL(ref!, baseUrl).toString(), x, y, w, h });
  }
  return cues;
}

export function VideoPlayer({ playback, title }: { playback: Playback; title: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<boolean>(false);
  const [cues, setCues] = useState<StoryboardCue[]>([]);
  const [hover, setHover] = useState<{ x: number; cue: StoryboardCue } | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let destroy: (() => void) | undefined;
    let cancelled = false;
    const { hlsUrl, mp4Url } = playback;
    const fallback = () => {
      if (mp4Url) el.src = mp4Url;
      else setError(true);
    };
    if (hlsUrl) {
      // hls.js wherever Media Source Extensions exist (adaptive, same behaviour everywhere); native HLS (iOS) otherwise.
      void import('hls.js').then(({ default: Hls }) => {
        if (cancelled) return;
        if (!Hls.isSupported()) {
          if (el.canPlayType('application/vnd.apple.mpegurl')) el.src = hlsUrl;
          else fallback();
          return;
        }
        const hls = new Hls({ enableWorker: true });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (data.fatal) {
            hls.destroy();
            fallback();
          }
        });
        hls.loadSource(hlsUrl);
        hls.attachMedia(el);
        destroy = () => hls.destroy();
      }, fallback);
    } else {
      fallback();
    }
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [playback]);

  useEffect(() => {
    const url = playback.storyboardVttUrl;
    if (!url) return;
    let cancelled = false;
    fetch(url)
      .then((r) => (r.ok ? r.text() : ''))
      .then((t) => !cancelled && setCues(parseStoryboardVtt(t, url)))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [playback.storyboardVttUrl]);

  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    const el = ref.current;
    if (!el || !cues.length || !Number.isFinite(el.duration)) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const t = ((e.clientX - rect.left) / rect.width) * el.duration;
    const cue = cues.find((c) => t >= c.start && t < c.end) ?? cues.at(-1)!;
    setHover({ x: e.clientX - rect.left, cue });
  };

  return (
    <Paper withBorder p={0} style={{ overflow: 'hidden' }}>
      <video
        ref={ref}
        controls
        playsInline
        preload="metadata"
        poster={playback.posterUrl ?? undefined}
        aria-label={t('video.playerLabel', { title })}
        style={{ width: '100%', display: 'block', background: '#000', aspectRatio: '16 / 9' }}
      />
      {cues.length > 0 && (
        <Box
          pos="relative"
          h={14}
          bg="var(--mantine-color-default-hover)"
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          onClick={() => {
            if (hover && ref.current) ref.current.currentTime = hover.cue.start;
          }}
          aria-hidden="true"
          style={{ cursor: 'pointer' }}
        >
          {hover && (
            <div
              style={{
                position: 'absolute',
                bottom: 18,
                left: Math.max(0, hover.x - hover.cue.w / 2),
                width: hover.cue.w,
                height: hover.cue.h,
                backgroundImage: `url("${hover.cue.url}")`,
                backgroundPosition: `-${hover.cue.x}px -${hover.cue.y}px`,
                border: '2px solid white',
                borderRadius: 4,
                boxShadow: '0 2px 8px rgba(0,0,0,.4)',
                pointerEvents: 'none',
              }}
            />
          )}
        </Box>
      )}
      {error && (
        <Text c="red" p="sm" role="alert">
          {t('video.unplayable')}
        </Text>
      )}
    </Paper>
  );
}
