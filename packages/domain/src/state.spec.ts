import { AR_CONTENT_STATUSES, VIDEO_STATUSES, type ArContentStatus, type VideoStatus } from '@arvlite/contract';
import { describe, expect, it } from 'vitest';
import { canTransitionArContent, transitionArContent } from './ar-content-state.ts';
import { ConflictError } from './errors.ts';
import { canTransition, transition, type VideoStateFields } from './video-state.ts';

function table<S extends string>(statuses: readonly S[], can: (from: S, to: S) => boolean) {
  return Object.fromEntries(statuses.map((from) => [from, statuses.filter((to) => can(from, to))]));
}

describe('video state table', () => {
  it('allows exactly these changes', () => {
    expect(table<VideoStatus>(VIDEO_STATUSES, canTransition)).toEqual({
      AWAITING_UPLOAD: ['UPLOADED', 'FAILED'],
      UPLOADED: ['PROCESSING', 'FAILED'],
      PROCESSING: ['PROCESSING', 'READY', 'FAILED'],
      READY: ['PROCESSING'],
      FAILED: ['PROCESSING'],
    });
  });

  it('records why a video failed and clears it on the next change', () => {
    const video: VideoStateFields = { status: 'PROCESSING', failureCode: null, failureMessage: null };
    transition(video, 'FAILED', { code: 'ENCODE_FAILED', message: 'x'.repeat(2000) });
    expect(video.status).toBe('FAILED');
    expect(video.failureCode).toBe('ENCODE_FAILED');
    expect(video.failureMessage).toHaveLength(1000);
    transition(video, 'PROCESSING');
    expect(video).toEqual({ status: 'PROCESSING', failureCode: null, failureMessage: null });
  });

  it('refuses a change the table does not list, leaving the video as it was', () => {
    const video: VideoStateFields = { status: 'READY' };
    expect(() => transition(video, 'UPLOADED')).toThrow(ConflictError);
    expect(video.status).toBe('READY');
  });
});

describe('AR content state table', () => {
  it('allows exactly these changes', () => {
    expect(table<ArContentStatus>(AR_CONTENT_STATUSES, canTransitionArContent)).toEqual({
      DRAFT: ['MARKER_PROCESSING', 'READY', 'ARCHIVED'],
      MARKER_PROCESSING: ['DRAFT', 'MARKER_PROCESSING', 'READY'],
      READY: ['MARKER_PROCESSING', 'ARCHIVED'],
      ARCHIVED: [],
    });
  });

  it('walks a marker from upload to publish, and a failed replacement back to the published one', () => {
    const content: { status: ArContentStatus } = { status: 'DRAFT' };
    transitionArContent(content, 'MARKER_PROCESSING');
    transitionArContent(content, 'READY');
    transitionArContent(content, 'MARKER_PROCESSING');
    transitionArContent(content, 'READY');
    transitionArContent(content, 'ARCHIVED');
    expect(content.status).toBe('ARCHIVED');
  });

  it('keeps an archived item archived and a processing one unarchivable', () => {
    expect(() => transitionArContent({ status: 'ARCHIVED' }, 'MARKER_PROCESSING')).toThrow(ConflictError);
    expect(() => transitionArContent({ status: 'MARKER_PROCESSING' }, 'ARCHIVED')).toThrow(
      /cannot go from MARKER_PROCESSING to ARCHIVED/,
    );
  });
});
