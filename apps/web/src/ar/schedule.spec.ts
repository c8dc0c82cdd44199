import { describe, expect, it } from 'vitest';
import {
  buildCalendar,
  describeRule,
  EMPTY_RULE_FORM,
  monthGridKeys,
  previewRange,
  shiftMonth,
  toRuleInput,
  type PreviewSegment,
  type RuleView,
} from './schedule.ts';

const ITEM = '00000000-0000-4000-8000-000000000001';
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('rule form → playlist.addRule input', () => {
  it('maps a date rule, keeping only the day', () => {
    expect(
      toRuleInput(
        { ...EMPTY_RULE_FORM, kind: 'date', date: '2026-12-24', yearly: true, videoId: A },
        ITEM,
        'Europe/Berlin',
      ),
    ).toEqual({
      ok: true,
      input: { id: ITEM, kind: 'date', date: '2026-12-24', yearly: true, videoId: A },
    });
    // A picker may hand over a date with a time.
    const r = toRuleInput({ ...EMPTY_RULE_FORM, kind: 'date', date: '2026-12-24 00:00:00', videoId: A }, ITEM, 'UTC');
    expect(r.ok && r.input.kind === 'date' && r.input.date).toBe('2026-12-24');
  });

  it('reads a window’s times in the company’s time zone', () => {
    const r = toRuleInput(
      { ...EMPTY_RULE_FORM, kind: 'window', start: '2026-07-01 09:00:00', end: '2026-07-03 18:30:00', videoId: B },
      ITEM,
      'Europe/Berlin',
    );
    expect(r).toEqual({
      ok: true,
      input: {
        id: ITEM,
        kind: 'window',
        start: new Date('2026-07-01T07:00:00Z'),
        end: new Date('2026-07-03T16:30:00Z'),
        videoId: B,
      },
    });
  });

  it('maps a rotation, leaving out what is not chosen', () => {
    expect(toRuleInput({ ...EMPTY_RULE_FORM, kind: 'rotation', cycle: 'weekly' }, ITEM, 'UTC')).toEqual({
      ok: true,
      input: { id: ITEM, kind: 'rotation', cycle: 'weekly' },
    });
    expect(
      toRuleInput(
        { ...EMPTY_RULE_FORM, kind: 'rotation', cycle: 'daily', videoIds: [A, B, A], anchorDate: '2026-07-06' },
        ITEM,
        'UTC',
      ),
    ).toEqual({
      ok: true,
      input: { id: ITEM, kind: 'rotation', cycle: 'daily', videoIds: [A, B], anchorDate: '2026-07-06' },
    });
  });

  it('names each missing or wrong field', () => {
    expect(toRuleInput({ ...EMPTY_RULE_FORM, kind: 'date' }, ITEM, 'UTC')).toEqual({
      ok: false,
      errors: { date: 'Choose a date', videoId: 'Choose the video to play' },
    });
    expect(
      toRuleInput(
        { ...EMPTY_RULE_FORM, kind: 'window', start: '2026-07-02 10:00', end: '2026-07-02 10:00', videoId: A },
        ITEM,
        'UTC',
      ),
    ).toEqual({ ok: false, errors: { end: 'Must be after the start' } });
    expect(
      toRuleInput({ ...EMPTY_RULE_FORM, kind: 'window', start: 'soon', end: null, videoId: null }, ITEM, 'UTC'),
    ).toEqual({
      ok: false,
      errors: { start: 'Choose when it starts', end: 'Choose when it ends', videoId: 'Choose the video to play' },
    });
  });
});

describe('month calendar', () => {
  it('shows whole weeks from Monday around the month', () => {
    const july = monthGridKeys(2026, 7); // 1 July 2026 is a Wednesday, 31 July a Friday
    expect(july[0]).toBe('2026-06-29');
    expect(july.at(-1)).toBe('2026-08-02');
    expect(july).toHaveLength(35);
    const feb = monthGridKeys(2027, 2); // 1 Feb 2027 is a Monday, 28 Feb a Sunday: exactly four weeks
    expect([feb[0], feb.at(-1), feb.length]).toEqual(['2027-02-01', '2027-02-28', 28]);
  });

  it('asks for the grid’s range from the first day’s local midnight', () => {
    expect(previewRange(2026, 7, 'Europe/Berlin')).toEqual({
      from: new Date('2026-06-28T22:00:00Z'),
      to: new Date('2026-08-02T22:00:00Z'),
    });
  });

  it('puts each segment’s video on the local days it covers', () => {
    const tz = 'Europe/Berlin';
    const seg = (
      from: string,
      to: string,
      videoId: string | null,
      rule: string,
      ruleId: string | null = null,
    ): PreviewSegment => ({ from: new Date(from), to: new Date(to), videoId, rule, ruleId });
    const segments = [
      seg('2026-06-28T22:00:00Z', '2026-07-09T22:00:00Z', A, 'default'),
      // A window on 10 July from 12:00 to 14:00 Berlin time.
      seg('2026-07-09T22:00:00Z', '2026-07-10T10:00:00Z', A, 'default'),
      seg('2026-07-10T10:00:00Z', '2026-07-10T12:00:00Z', B, 'window', 'w1'),
      // The default again until the date rule's day starts at local midnight, 24 July.
      seg('2026-07-10T12:00:00Z', '2026-07-23T22:00:00Z', A, 'default'),
      seg('2026-07-23T22:00:00Z', '2026-07-24T22:00:00Z', C, 'date', 'd1'),
      seg('2026-07-24T22:00:00Z', '2026-08-02T22:00:00Z', A, 'default'),
    ];
    const weeks = buildCalendar(2026, 7, segments, tz, new Date('2026-07-15T12:00:00Z'));
    const days = new Map(weeks.flat().map((d) => [d.key, d]));
    expect(weeks).toHaveLength(5);
    expect(days.get('2026-06-29')).toMatchObject({
      day: 29,
      inMonth: false,
      entries: [{ videoId: A, rule: 'default', ruleId: null }],
    });
    expect(days.get('2026-07-10')!.entries).toEqual([
      { videoId: A, rule: 'default', ruleId: null },
      { videoId: B, rule: 'window', ruleId: 'w1' },
    ]);
    // The date rule's segment ends exactly at midnight: the next day does not show it.
    expect(days.get('2026-07-24')!.entries).toEqual([{ videoId: C, rule: 'date', ruleId: 'd1' }]);
    expect(days.get('2026-07-25')!.entries).toEqual([{ videoId: A, rule: 'default', ruleId: null }]);
    expect([...days.values()].filter((d) => d.today).map((d) => d.key)).toEqual(['2026-07-15']);
  });

  it('leaves days without segments empty', () => {
    const weeks = buildCalendar(2026, 7, [], 'UTC');
    expect(weeks.flat().every((d) => d.entries.length === 0)).toBe(true);
  });

  it('moves between months across years', () => {
    expect(shiftMonth({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
    expect(shiftMonth({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
  });
});

describe('rules in words', () => {
  const base: RuleView = {
    id: 'r',
    kind: 'date',
    videoId: A,
    date: '2026-12-24',
    yearly: true,
    start: null,
    end: null,
    cycle: null,
    videoIds: null,
    anchorDate: null,
  };
  const titleOf = (id: string) => ({ [A]: 'Winter greeting', [B]: 'Summer sale' })[id] ?? '?';
  it('names the video and when', () => {
    expect(describeRule(base, titleOf, 'UTC')).toMatch(/^Every year on .*24.*: Winter greeting$/);
    expect(
      describeRule({ ...base, kind: 'rotation', videoId: null, cycle: 'weekly', videoIds: [A, B] }, titleOf, 'UTC'),
    ).toBe('Rotation, a different video each week (from Monday): Winter greeting, Summer sale');
    expect(
      describeRule(
        {
          ...base,
          kind: 'window',
          videoId: B,
          start: new Date('2026-07-01T07:00:00Z'),
          end: new Date('2026-07-02T07:00:00Z'),
        },
        titleOf,
        'UTC',
      ),
    ).toMatch(/^From .* until .*: Summer sale$/);
  });
});
