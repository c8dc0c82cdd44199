import { describe, expect, it } from 'vitest';
import {
  previewSchedule,
  selectActiveVideo,
  type Playlist,
  type PlaylistItem,
  type PlaylistRule,
  type ScheduledContent,
  type SelectionRule,
} from './playlist.ts';

const berlin: ScheduledContent = {
  id: 'content-1',
  timeZone: 'Europe/Berlin',
  defaultVideoId: 'default',
};
const newYork: ScheduledContent = { ...berlin, timeZone: 'America/New_York' };

const items: PlaylistItem[] = [
  { videoId: 'default', playable: true },
  { videoId: 'a', playable: true },
  { videoId: 'b', playable: true },
  { videoId: 'c', playable: true },
  { videoId: 'birthday', playable: true },
  { videoId: 'promo', playable: true },
  { videoId: 'broken', playable: false },
];

const birthday: PlaylistRule = {
  id: 'r-birthday',
  kind: 'date',
  date: '1990-06-15',
  yearly: true,
  videoId: 'birthday',
};
const promo: PlaylistRule = {
  id: 'r-promo',
  kind: 'window',
  start: new Date('2025-06-14T08:00:00Z'),
  end: new Date('2025-06-17T18:00:00Z'),
  videoId: 'promo',
};

interface Case {
  name: string;
  content?: ScheduledContent;
  items?: PlaylistItem[];
  rules: PlaylistRule[];
  now: string;
  videoId: string | null;
  rule: SelectionRule;
  ruleId?: string;
  validUntil: string | null;
}

const cases: Case[] = [
  {
    name: 'no rules: the default video, forever',
    rules: [],
    now: '2025-06-15T10:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: null,
  },
  {
    name: 'default cannot play: the first playable playlist item',
    items: [
      { videoId: 'default', playable: false },
      { videoId: 'broken', playable: false },
      { videoId: 'b', playable: true },
    ],
    rules: [],
    now: '2025-06-15T10:00:00Z',
    videoId: 'b',
    rule: 'default',
    validUntil: null,
  },
  {
    name: 'nothing can play',
    items: [{ videoId: 'default', playable: false }],
    rules: [birthday],
    now: '2025-06-15T10:00:00Z',
    videoId: null,
    rule: 'none',
    validUntil: null,
  },
  {
    name: 'birthday: the whole local day, until Berlin midnight (CEST)',
    rules: [birthday],
    now: '2025-06-15T10:00:00Z',
    videoId: 'birthday',
    rule: 'date',
    ruleId: 'r-birthday',
    validUntil: '2025-06-15T22:00:00.000Z',
  },
  {
    name: 'birthday starts at local midnight, not UTC midnight',
    rules: [birthday],
    now: '2025-06-14T21:59:59Z',
    videoId: 'default',
    rule: 'default',
    validUntil: '2025-06-14T22:00:00.000Z',
  },
  {
    name: 'after the birthday: default until next year’s birthday',
    rules: [birthday],
    now: '2025-06-15T22:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: '2026-06-14T22:00:00.000Z',
  },
  {
    name: 'date rule on the 23-hour spring-forward day',
    rules: [{ id: 'r-dst', kind: 'date', date: '2025-03-30', videoId: 'a' }],
    now: '2025-03-30T12:00:00Z',
    videoId: 'a',
    rule: 'date',
    ruleId: 'r-dst',
    validUntil: '2025-03-30T22:00:00.000Z',
  },
  {
    name: 'the spring-forward day starts at 23:00 UTC the day before',
    rules: [{ id: 'r-dst', kind: 'date', date: '2025-03-30', videoId: 'a' }],
    now: '2025-03-29T22:59:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: '2025-03-29T23:00:00.000Z',
  },
  {
    name: 'date rule on the 25-hour fall-back day',
    rules: [{ id: 'r-dst', kind: 'date', date: '2025-10-26', videoId: 'a' }],
    now: '2025-10-26T22:30:00Z',
    videoId: 'a',
    rule: 'date',
    ruleId: 'r-dst',
    validUntil: '2025-10-26T23:00:00.000Z',
  },
  {
    name: 'a one-off date in the past changes nothing',
    rules: [{ id: 'r-old', kind: 'date', date: '2024-01-01', videoId: 'a' }],
    now: '2025-06-15T10:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: null,
  },
  {
    name: 'yearly 29 February falls on 28 February in other years',
    rules: [{ id: 'r-leap', kind: 'date', date: '2000-02-29', yearly: true, videoId: 'a' }],
    now: '2025-02-28T12:00:00Z',
    videoId: 'a',
    rule: 'date',
    ruleId: 'r-leap',
    validUntil: '2025-02-28T23:00:00.000Z',
  },
  {
    name: 'before a window: default until it starts',
    rules: [promo],
    now: '2025-06-14T07:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: '2025-06-14T08:00:00.000Z',
  },
  {
    name: 'inside a window: until it ends',
    rules: [promo],
    now: '2025-06-14T08:00:00Z',
    videoId: 'promo',
    rule: 'window',
    ruleId: 'r-promo',
    validUntil: '2025-06-17T18:00:00.000Z',
  },
  {
    name: 'a window’s end is exclusive',
    rules: [promo],
    now: '2025-06-17T18:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: null,
  },
  {
    name: 'a date rule beats a window; the window resumes at the next local midnight',
    rules: [promo, birthday],
    now: '2025-06-15T12:00:00Z',
    videoId: 'birthday',
    rule: 'date',
    ruleId: 'r-birthday',
    validUntil: '2025-06-15T22:00:00.000Z',
  },
  {
    name: 'inside a window the day before a birthday: until the birthday starts',
    rules: [promo, birthday],
    now: '2025-06-14T12:00:00Z',
    videoId: 'promo',
    rule: 'window',
    ruleId: 'r-promo',
    validUntil: '2025-06-14T22:00:00.000Z',
  },
  {
    name: 'a date rule whose video cannot play is skipped in favour of the window',
    rules: [promo, { ...birthday, videoId: 'broken' }],
    now: '2025-06-15T12:00:00Z',
    videoId: 'promo',
    rule: 'window',
    ruleId: 'r-promo',
    validUntil: '2025-06-17T18:00:00.000Z',
  },
  {
    name: 'the first of two playable date rules wins; an unplayable one before it is skipped',
    rules: [
      { id: 'r-1', kind: 'date', date: '2025-06-15', videoId: 'broken' },
      { id: 'r-2', kind: 'date', date: '2025-06-15', videoId: 'b' },
      { id: 'r-3', kind: 'date', date: '2025-06-15', videoId: 'c' },
    ],
    now: '2025-06-15T12:00:00Z',
    videoId: 'b',
    rule: 'date',
    ruleId: 'r-2',
    validUntil: '2025-06-15T22:00:00.000Z',
  },
  {
    name: 'a rule for a video outside the playlist does not qualify',
    rules: [{ id: 'r-x', kind: 'date', date: '2025-06-15', videoId: 'elsewhere' }],
    now: '2025-06-15T12:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: null,
  },
  {
    name: 'daily rotation, anchor day plays the first video (New York)',
    content: newYork,
    rules: [
      {
        id: 'r-rot',
        kind: 'rotation',
        cycle: 'daily',
        videoIds: ['a', 'b', 'c'],
        anchorDate: '2025-01-01',
      },
    ],
    now: '2025-01-01T12:00:00Z',
    videoId: 'a',
    rule: 'rotation',
    ruleId: 'r-rot',
    validUntil: '2025-01-02T05:00:00.000Z',
  },
  {
    name: 'daily rotation follows the local date, not the UTC date (New York, 23:30 local)',
    content: newYork,
    rules: [
      {
        id: 'r-rot',
        kind: 'rotation',
        cycle: 'daily',
        videoIds: ['a', 'b', 'c'],
        anchorDate: '2025-01-01',
      },
    ],
    now: '2025-01-04T04:30:00Z',
    videoId: 'c',
    rule: 'rotation',
    ruleId: 'r-rot',
    validUntil: '2025-01-04T05:00:00.000Z',
  },
  {
    name: 'daily rotation over New York spring-forward day (23 hours)',
    content: newYork,
    rules: [
      {
        id: 'r-rot',
        kind: 'rotation',
        cycle: 'daily',
        videoIds: ['a', 'b', 'c'],
        anchorDate: '2025-01-01',
      },
    ],
    now: '2025-03-09T12:00:00Z',
    videoId: 'b', // 67 days after the anchor
    rule: 'rotation',
    ruleId: 'r-rot',
    validUntil: '2025-03-10T04:00:00.000Z',
  },
  {
    name: 'daily rotation over New York fall-back day (25 hours)',
    content: newYork,
    rules: [
      {
        id: 'r-rot',
        kind: 'rotation',
        cycle: 'daily',
        videoIds: ['a', 'b', 'c'],
        anchorDate: '2025-01-01',
      },
    ],
    now: '2025-11-02T12:00:00Z',
    videoId: 'c', // 305 days after the anchor
    rule: 'rotation',
    ruleId: 'r-rot',
    validUntil: '2025-11-03T05:00:00.000Z',
  },
  {
    name: 'rotation skips an unplayable video; the next change is when the cycle moves past its successor',
    rules: [
      {
        id: 'r-rot',
        kind: 'rotation',
        cycle: 'daily',
        videoIds: ['a', 'broken', 'c'],
        anchorDate: '2025-01-01',
      },
    ],
    now: '2025-01-02T12:00:00Z',
    videoId: 'c',
    rule: 'rotation',
    ruleId: 'r-rot',
    // 2 Jan (broken → c) and 3 Jan (c) are the same; 4 Jan is a.
    validUntil: '2025-01-03T23:00:00.000Z',
  },
  {
    name: 'rotation over the playlist by default, in playlist order',
    items: [
      { videoId: 'a', playable: true },
      { videoId: 'b', playable: true },
    ],
    content: { ...berlin, defaultVideoId: null },
    rules: [{ id: 'r-rot', kind: 'rotation', cycle: 'daily', anchorDate: '2025-01-01' }],
    now: '2025-01-02T12:00:00Z',
    videoId: 'b',
    rule: 'rotation',
    ruleId: 'r-rot',
    validUntil: '2025-01-02T23:00:00.000Z',
  },
  {
    name: 'weekly rotation: first video in the anchor’s week, until Monday 00:00 Berlin',
    rules: [
      {
        id: 'r-week',
        kind: 'rotation',
        cycle: 'weekly',
        videoIds: ['a', 'b'],
        anchorDate: '2025-01-08',
      },
    ],
    now: '2025-01-06T00:30:00Z', // Monday of the anchor's week, 01:30 local
    videoId: 'a',
    rule: 'rotation',
    ruleId: 'r-week',
    validUntil: '2025-01-12T23:00:00.000Z',
  },
  {
    name: 'weekly rotation across the spring-forward weekend: the next Monday starts at 22:00 UTC',
    rules: [
      {
        id: 'r-week',
        kind: 'rotation',
        cycle: 'weekly',
        videoIds: ['a', 'b'],
        anchorDate: '2025-01-06',
      },
    ],
    now: '2025-03-27T12:00:00Z', // week 11 after the anchor week
    videoId: 'b',
    rule: 'rotation',
    ruleId: 'r-week',
    validUntil: '2025-03-30T22:00:00.000Z',
  },
  {
    name: 'a window overrides a rotation; midnights inside the window change nothing',
    rules: [promo, { id: 'r-rot', kind: 'rotation', cycle: 'daily', videoIds: ['a', 'b', 'c'] }],
    now: '2025-06-14T09:00:00Z',
    videoId: 'promo',
    rule: 'window',
    ruleId: 'r-promo',
    validUntil: '2025-06-17T18:00:00.000Z',
  },
  {
    name: 'a rotation with a single playable video never changes',
    rules: [{ id: 'r-rot', kind: 'rotation', cycle: 'daily', videoIds: ['a', 'broken'] }],
    now: '2025-06-14T09:00:00Z',
    videoId: 'a',
    rule: 'rotation',
    ruleId: 'r-rot',
    validUntil: null,
  },
  {
    name: 'a rotation with no playable video falls through to the default',
    rules: [{ id: 'r-rot', kind: 'rotation', cycle: 'random-daily', videoIds: ['broken'] }],
    now: '2025-06-14T09:00:00Z',
    videoId: 'default',
    rule: 'default',
    validUntil: null,
  },
];

describe('selectActiveVideo', () => {
  it.each(cases)('$name', (c) => {
    const selection = selectActiveVideo(
      c.content ?? berlin,
      { items: c.items ?? items, rules: c.rules },
      new Date(c.now),
    );
    expect({
      videoId: selection.videoId,
      rule: selection.rule,
      ruleId: selection.ruleId,
      validUntil: selection.validUntil?.toISOString() ?? null,
    }).toEqual({ videoId: c.videoId, rule: c.rule, ruleId: c.ruleId, validUntil: c.validUntil });
  });

  it('validUntil is exactly where the selection changes', () => {
    for (const c of cases.filter((x) => x.validUntil !== null)) {
      const playlist = { items: c.items ?? items, rules: c.rules };
      const content = c.content ?? berlin;
      const until = Date.parse(c.validUntil!);
      const before = selectActiveVideo(content, playlist, new Date(until - 1));
      const after = selectActiveVideo(content, playlist, new Date(until));
      expect(before.videoId, c.name).toBe(c.videoId);
      expect([after.videoId, after.rule, after.ruleId], c.name).not.toEqual([c.videoId, c.rule, c.ruleId]);
    }
  });

  describe('random-daily', () => {
    const rules: PlaylistRule[] = [
      {
        id: 'r-rand',
        kind: 'rotation',
        cycle: 'random-daily',
        videoIds: ['a', 'b', 'c', 'broken'],
      },
    ];
    const picks = (content: ScheduledContent, days: number) =>
      Array.from(
        { length: days },
        (_, day) => selectActiveVideo(content, { items, rules }, new Date(Date.UTC(2025, 0, 1 + day, 11))).videoId,
      );

    it('is the same for every request on one local day and changes at local midnight', () => {
      const morning = selectActiveVideo(berlin, { items, rules }, new Date('2025-06-30T22:30:00Z')); // 00:30 on 1 July
      const evening = selectActiveVideo(berlin, { items, rules }, new Date('2025-07-01T21:30:00Z')); // 23:30 on 1 July
      expect(evening.videoId).toBe(morning.videoId);
      expect(morning.validUntil!.getTime()).toBeGreaterThanOrEqual(Date.parse('2025-07-01T22:00:00Z'));
      expect(picks(berlin, 60)).toEqual(picks(berlin, 60));
    });

    it('spreads days over the playable videos only, and differs between content items', () => {
      const sequence = picks(berlin, 60);
      expect(new Set(sequence)).toEqual(new Set(['a', 'b', 'c']));
      expect(picks({ ...berlin, id: 'content-2' }, 60)).not.toEqual(sequence);
    });
  });

  it('rejects an unknown time zone', () => {
    expect(() =>
      selectActiveVideo({ ...berlin, timeZone: 'Mars/Olympus_Mons' }, { items, rules: [] }, new Date()),
    ).toThrow(RangeError);
  });
});

describe('previewSchedule', () => {
  const playlist: Playlist = { items, rules: [promo, birthday] };

  it('covers the range with contiguous segments in the content’s time zone', () => {
    const segments = previewSchedule(
      berlin,
      playlist,
      new Date('2025-06-13T22:00:00Z'),
      new Date('2025-06-19T22:00:00Z'),
    );
    expect(segments.map((s) => [s.from.toISOString(), s.to.toISOString(), s.videoId, s.rule])).toEqual([
      ['2025-06-13T22:00:00.000Z', '2025-06-14T08:00:00.000Z', 'default', 'default'],
      ['2025-06-14T08:00:00.000Z', '2025-06-14T22:00:00.000Z', 'promo', 'window'],
      ['2025-06-14T22:00:00.000Z', '2025-06-15T22:00:00.000Z', 'birthday', 'date'],
      ['2025-06-15T22:00:00.000Z', '2025-06-17T18:00:00.000Z', 'promo', 'window'],
      ['2025-06-17T18:00:00.000Z', '2025-06-19T22:00:00.000Z', 'default', 'default'],
    ]);
  });

  it('a daily rotation over the spring-forward week has one 23-hour day', () => {
    const rotation: Playlist = {
      items,
      rules: [{ id: 'r', kind: 'rotation', cycle: 'daily', videoIds: ['a', 'b'] }],
    };
    const segments = previewSchedule(
      berlin,
      rotation,
      new Date('2025-03-28T23:00:00Z'),
      new Date('2025-04-01T22:00:00Z'),
    );
    expect(segments.map((s) => (s.to.getTime() - s.from.getTime()) / 3_600_000)).toEqual([24, 23, 24, 24]);
    // 29 March 2025 is an even number of days after the default anchor, Monday 5 January 1970.
    expect(segments.map((s) => s.videoId)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('is empty for an empty range', () => {
    expect(
      previewSchedule(berlin, playlist, new Date('2025-06-14T00:00:00Z'), new Date('2025-06-14T00:00:00Z')),
    ).toEqual([]);
  });
});
