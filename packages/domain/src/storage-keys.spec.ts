import { describe, expect, it } from 'vitest';
import {
  arContentKeyIds,
  arContentPrefix,
  markerKey,
  markerRevisionPrefix,
  newOutputId,
  originalKey,
  videoKeyIds,
  videoOutputKey,
  videoOutputPrefix,
  videoPrefix,
} from './storage-keys.ts';

const owned = { id: 'v1', company: { id: 'c1' }, project: { id: 'p1' } };

describe('storage keys', () => {
  it('keeps a video under its tenant, the original beside its outputs', () => {
    const ids = videoKeyIds(owned);
    expect(ids).toEqual({ companyId: 'c1', projectId: 'p1', videoId: 'v1', outputId: undefined });
    expect(videoPrefix(ids)).toBe('c1/p1/videos/v1/');
    expect(originalKey(ids)).toBe('c1/p1/videos/v1/original');
    expect(videoOutputPrefix(ids)).toBe('c1/p1/videos/v1/out/');
    expect(videoOutputKey(ids, 'master.m3u8')).toBe('c1/p1/videos/v1/out/master.m3u8');
  });

  it('keeps each marker revision of an AR content item in its own folder', () => {
    const ids = arContentKeyIds(owned);
    expect(arContentPrefix(ids)).toBe('c1/p1/ar/v1/');
    expect(markerRevisionPrefix(ids, 3)).toBe('c1/p1/ar/v1/marker/3/');
    expect(markerKey(ids, 3, 'mind')).toBe('c1/p1/ar/v1/marker/3/target.mind');
    expect(markerKey(ids, 1, 'original')).toBe('c1/p1/ar/v1/marker/1/original');
  });

  it('puts what viewers load under pub/<outputId>/, and originals and uploads never there', () => {
    const outputId = newOutputId();
    expect(outputId).toMatch(/^[0-9a-f]{32}$/);
    expect(newOutputId()).not.toBe(outputId);
    const video = videoKeyIds({ ...owned, outputId });
    expect(videoOutputKey(video, 'master.m3u8')).toBe(`pub/${outputId}/master.m3u8`);
    expect(originalKey(video)).toBe('c1/p1/videos/v1/original');
    const content = arContentKeyIds({ ...owned, outputId });
    expect(markerKey(content, 2, 'mind')).toBe(`pub/${outputId}/marker/2/target.mind`);
    expect(markerKey(content, 2, 'original')).toBe('c1/p1/ar/v1/marker/2/original');
  });
});
