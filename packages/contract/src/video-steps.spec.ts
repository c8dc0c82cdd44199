import { describe, expect, it } from 'vitest';
import { parseStepName, STEP, STEP_KINDS, videoStatusEventSchema } from './video-steps.ts';

describe('step names', () => {
  it('parse the fixed steps', () => {
    expect(parseStepName(STEP.probe)).toEqual({ kind: 'probe', rung: null });
    expect(parseStepName(STEP.playable)).toEqual({ kind: 'playable', rung: null });
    expect(parseStepName(STEP.images)).toEqual({ kind: 'images', rung: null });
    expect(parseStepName(STEP.analysis)).toEqual({ kind: 'analysis', rung: null });
    expect(parseStepName(STEP.finalize)).toEqual({ kind: 'finalize', rung: null });
  });

  it('parse a rendition and its rung', () => {
    expect(STEP.rendition('720p')).toBe('rendition:720p');
    expect(parseStepName(STEP.rendition('720p'))).toEqual({ kind: 'rendition', rung: '720p' });
    expect(parseStepName('rendition:1080p60')).toEqual({ kind: 'rendition', rung: '1080p60' });
  });

  it('round-trip every kind', () => {
    for (const kind of STEP_KINDS) {
      const name = kind === 'rendition' ? STEP.rendition('480p') : STEP[kind];
      expect(parseStepName(name)?.kind).toBe(kind);
    }
  });

  it('answer null for names this version does not know', () => {
    expect(parseStepName('rendition')).toBeNull();
    expect(parseStepName('rendition:')).toBeNull();
    expect(parseStepName('transcribe')).toBeNull();
    expect(parseStepName('')).toBeNull();
  });
});

describe('the status event', () => {
  it('accepts what video.onStatus sends and refuses unknown statuses', () => {
    const event = {
      id: 'v1',
      status: 'PROCESSING',
      failure: null,
      progress: 40,
      playableAt: new Date(),
      readyAt: null,
      steps: [
        {
          name: 'probe',
          status: 'done',
          progress: 100,
          attempts: 1,
          startedAt: new Date(),
          finishedAt: new Date(),
          durationMs: 12,
          error: null,
        },
      ],
    };
    expect(videoStatusEventSchema.parse(event)).toEqual(event);
    expect(videoStatusEventSchema.safeParse({ ...event, status: 'DONE' }).success).toBe(false);
  });
});
