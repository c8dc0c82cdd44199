// The processing pipeline as the dashboard sees it: live status over SSE, retry and reprocess, and
// readers for the analysis results, whose shape belongs to each analyzer.
import { parseStepName, type VideoStatusEvent } from '@arvlite/client';
import { api, type RouterOutputs } from './api.ts';

export type VideoDetail = RouterOutputs['video']['byId'];
export type PipelineStep = VideoDetail['steps'][number];
export type Playback = NonNullable<VideoDetail['playback']>;
export type StatusEvent = VideoStatusEvent;

/** Live status of one video until it is READY or FAILED. */
export function watchVideo(
  id: string,
  onEvent: (data: StatusEvent) => void,
  onError: (err: unknown) => void,
): () => void {
  const sub = api.video.onStatus.subscribe({ id }, { onData: onEvent, onError });
  return () => sub.unsubscribe();
}

export const retryVideo = (id: string) => api.video.retry.mutate({ id });
export const reprocessVideo = (id: string) => api.video.reprocess.mutate({ id });

const STEP_LABELS: Record<string, string> = {
  probe: 'Inspect the file',
  playable: 'Make it playable',
  images: 'Poster and storyboard',
  analysis: 'Analysis',
  finalize: 'Finish',
};

export function stepLabel(name: string): string {
  const step = parseStepName(name);
  if (step?.kind === 'rendition') return `Rendition ${step.rung}`;
  return STEP_LABELS[name] ?? name;
}

type AnalyzerOutcome<T> = { ok: true; result: T } | { ok: false; error: string };

/** Loudness and chapters, when their analyzers ran and succeeded; anything unexpected is left out. */
export function analysisSummary(analysis: unknown) {
  const a = (analysis ?? {}) as Record<string, AnalyzerOutcome<unknown> | undefined>;
  const loud = a.loudness?.ok
    ? (a.loudness.result as {
        integrated?: number | null;
        range?: number | null;
        truePeak?: number | null;
        hasAudio?: boolean;
      })
    : null;
  const scenes = a.scenes?.ok
    ? (a.scenes.result as { chapters?: { index: number; startS: number; endS: number }[] })
    : null;
  return {
    loudness:
      loud && typeof loud.integrated === 'number'
        ? { integrated: loud.integrated, range: loud.range ?? null, truePeak: loud.truePeak ?? null }
        : null,
    silent: loud?.hasAudio === false,
    chapters: Array.isArray(scenes?.chapters) ? scenes.chapters : [],
    failed: Object.entries(a)
      .filter(([, o]) => o && !o.ok)
      .map(([name, o]) => ({ name, error: (o as { error: string }).error })),
  };
}

export function formatClock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
