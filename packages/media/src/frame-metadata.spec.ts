import { describe, expect, it } from 'vitest';
import { parseFrameMetadata } from './frame-metadata.ts';

describe('parseFrameMetadata', () => {
  it('groups key=value lines under their frame', () => {
    const frames = parseFrameMetadata([
      'frame:0    pts:23040   pts_time:1.5',
      'lavfi.scene_score=1.000000',
      'frame:1    pts:46080   pts_time:3',
      'lavfi.scene_score=0.776755',
      'lavfi.signalstats.YAVG=120.5',
    ]);
    expect(frames).toEqual([
      { timeS: 1.5, values: { 'lavfi.scene_score': 1 } },
      { timeS: 3, values: { 'lavfi.scene_score': 0.776755, 'lavfi.signalstats.YAVG': 120.5 } },
    ]);
  });
});
