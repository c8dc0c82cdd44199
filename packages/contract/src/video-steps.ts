// The processing pipeline's step names, and the live status `video.onStatus` streams.
import { z } from 'zod';
import { stepStatusSchema, videoStatusSchema } from './statuses.ts';

/** Every kind of step, in the order the pipeline runs them; a rendition step exists once per rung. */
export const STEP_KINDS = ['probe', 'playable', 'rendition', 'images', 'analysis', 'finalize'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

const RENDITION_PREFIX = 'rendition:';

/** The stored step names: `STEP.probe`, …, and `STEP.rendition('720p')` = `rendition:720p`. */
export const STEP = {
  probe: 'probe',
  playable: 'playable',
  images: 'images',
  analysis: 'analysis',
  finalize: 'finalize',
  rendition: (rung: string) => `${RENDITION_PREFIX}${rung}`,
} as const;

export interface ParsedStepName {
  kind: StepKind;
  /** The rendition's rung (e.g. `720p`); null for every other kind. */
  rung: string | null;
}

/** The kind and rung of a stored step name; null for a name this version does not know. */
export function parseStepName(name: string): ParsedStepName | null {
  if (name.startsWith(RENDITION_PREFIX)) {
    const rung = name.slice(RENDITION_PREFIX.length);
    return rung ? { kind: 'rendition', rung } : null;
  }
  return (STEP_KINDS as readonly string[]).includes(name) && name !== 'rendition'
    ? { kind: name as StepKind, rung: null }
    : null;
}

const failure = z.object({ code: z.string(), message: z.string() });

export const videoStepViewSchema = z.object({
  name: z.string(),
  status: stepStatusSchema,
  /** 0–100; 100 once done. */
  progress: z.number(),
  attempts: z.number(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  durationMs: z.number().nullable(),
  error: failure.nullable(),
});
export type VideoStepView = z.infer<typeof videoStepViewSchema>;

/** One message of `video.onStatus`: the video's whole processing state, sent on every change until READY or FAILED. */
export const videoStatusEventSchema = z.object({
  id: z.string(),
  status: videoStatusSchema,
  failure: failure.nullable(),
  /** 0–100 over all steps, renditions and the playable step weighing more. */
  progress: z.number(),
  playableAt: z.date().nullable(),
  readyAt: z.date().nullable(),
  steps: z.array(videoStepViewSchema),
});
export type VideoStatusEvent = z.infer<typeof videoStatusEventSchema>;
