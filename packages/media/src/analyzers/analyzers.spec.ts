import { describe, expect, it } from 'vitest';
import { normalizationGain, parseEbur128Summary } from './loudness.analyzer.ts';
import { chaptersFromCuts } from './scenes.analyzer.ts';
import { parseDetections } from './silence-black.analyzer.ts';

describe('chaptersFromCuts', () => {
  it('merges shots shorter than the minimum into their neighbours', () => {
    expect(chaptersFromCuts([3, 4, 12, 29], 30, 5)).toEqual([
      { index: 0, startS: 0, endS: 12 },
      { index: 1, startS: 12, endS: 30 },
    ]);
    expect(chaptersFromCuts([], 8, 1)).toEqual([{ index: 0, startS: 0, endS: 8 }]);
  });
});

describe('loudness', () => {
  const summary = [
    '[Parsed_ebur128_0 @ 0x1] Summary:',
    '',
    '  Integrated loudness:',
    '    I:         -22.0 LUFS',
    '    Threshold: -32.1 LUFS',
    '',
    '  Loudness range:',
    '    LRA:         0.4 LU',
    '    Threshold: -44.5 LUFS',
    '',
    '  True peak:',
    '    Peak:      -17.7 dBFS',
  ];

  it('reads the ebur128 summary', () => {
    expect(parseEbur128Summary(summary)).toEqual({ integrated: -22, range: 0.4, truePeak: -17.7 });
  });

  it('gains up to the target unless the true peak would pass the ceiling', () => {
    expect(normalizationGain(-22, -17.7, -14, -1)).toEqual({ gainDb: 8, limitedByPeak: false });
    expect(normalizationGain(-20, -3, -14, -1)).toEqual({ gainDb: 2, limitedByPeak: true });
    expect(normalizationGain(-8, -0.5, -14, -1)).toEqual({ gainDb: -6, limitedByPeak: false });
  });

  it('leaves silence alone', () => {
    expect(normalizationGain(-70, -Infinity, -14, -1)).toEqual({ gainDb: 0, limitedByPeak: false });
  });
});

describe('parseDetections', () => {
  it('pairs silence starts and ends, and closes a stretch still open at the end', () => {
    const lines = [
      '[blackdetect @ 0x1] black_start:0 black_end:1.5 black_duration:1.5',
      '[silencedetect @ 0x2] silence_start: 1.5',
      '[silencedetect @ 0x2] silence_end: 3.00002 | silence_duration: 1.50002',
      '[silencedetect @ 0x2] silence_start: 8.25',
    ];
    expect(parseDetections(lines, 9)).toEqual({
      black: [{ startS: 0, endS: 1.5 }],
      silence: [
        { startS: 1.5, endS: 3 },
        { startS: 8.25, endS: 9 },
      ],
    });
  });
});
