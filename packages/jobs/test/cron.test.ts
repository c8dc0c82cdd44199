import { parseCronItems } from 'graphile-worker';
import { describe, expect, it } from 'vitest';
import { isJobName, jobKey } from '../src/index.ts';
import { cronItems } from '../src/runtime.ts';

describe('cron items', () => {
  it('are typed items graphile-worker parses, one per recurring job, keyed by the job map', () => {
    const parsed = parseCronItems([...cronItems]);
    expect(parsed.map((i) => i.task).sort()).toEqual(cronItems.map((i) => i.task).sort());
    for (const item of parsed) {
      expect(isJobName(item.task)).toBe(true);
      expect(item.identifier).toBe(item.task);
      expect(item.options.maxAttempts).toBe(1);
      expect(item.options.jobKey).toBe(item.task);
    }
  });

  it('derive keyed jobs from their payload', () => {
    const videoId = '00000000-0000-4000-8000-000000000001';
    expect(jobKey('video:rendition', { videoId, rung: '720p' })).toBe(`video:rendition:${videoId}:720p`);
    expect(jobKey('system:noop', {})).toBeNull();
  });
});
