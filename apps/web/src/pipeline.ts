// The processing pipeline as the dashboard sees it: live status over SSE, retry and reprocess, and
// readers for the analysis results, whose shape belongs to each analyzer.
import { parseStepName, type VideoStatusEvent } from '@arvlite/client';
import { api, type RouterOutputs } from './api.ts';
import { i18n, t } from './i18n/dashboard.ts';

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

/** A step's name for people (steps.* in the catalogs); a step this version does not know keeps its own name. */
export function stepLabel(name: string): string {
  const step = parseStepName(name);
  if (step?.kind === 'rendition') return t('steps.rendition', { name: step.rung });
  return i18n.exists(`steps.${name}`) ? t(`steps.${name}`) : name;
}

/** What a video's (or a step's) failure code means, in the person's language; the server's message is not shown. */
export function failureText(code: string): string {
  return i18n.exists(`video.failure.${code}`) ? t(`video.failure.${code}`) : t('video.failure.other', { code });
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
