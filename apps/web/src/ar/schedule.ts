// The playlist editor's logic without React: the rule form's values as `playlist.addRule` input, rules in words,
// and the month calendar built from `playlist.preview` segments, all in the company's time zone.
import { addDaysToKey, fromWallTime, isoWeekdayIndex, localDateKey, type RouterInputs } from '@arvlite/client';
import { formats, t } from '../i18n/dashboard.ts';

export type RuleInput = RouterInputs['playlist']['addRule'];
export type RuleKind = RuleInput['kind'];
export type RotationCycle = Extract<RuleInput, { kind: 'rotation' }>['cycle'];

/** The add-rule form: one set of fields for every kind; only the chosen kind's fields are read. */
export interface RuleForm {
  kind: RuleKind;
  /** `YYYY-MM-DD`, for a date rule. */
  date: string | null;
  yearly: boolean;
  videoId: string | null;
  /** Wall-clock `YYYY-MM-DD HH:mm[:ss]` in the company's time zone, for a window. */
  start: string | null;
  end: string | null;
  cycle: RotationCycle;
  /** Empty: the whole playlist in its order. */
  videoIds: string[];
  anchorDate: string | null;
}

export const EMPTY_RULE_FORM: RuleForm = {
  kind: 'date',
  date: null,
  yearly: false,
  videoId: null,
  start: null,
  end: null,
  cycle: 'daily',
  videoIds: [],
  anchorDate: null,
};

export type RuleFormResult =
  { ok: true; input: RuleInput } | { ok: false; errors: Partial<Record<keyof RuleForm, string>> };

/** Checks the form the way the server will, so mistakes show next to their field before any request. */
export function toRuleInput(form: RuleForm, arContentId: string, timeZone: string): RuleFormResult {
  const errors: Partial<Record<keyof RuleForm, string>> = {};
  const day = (v: string | null) => (v ? v.slice(0, 10) : null);
  if (form.kind === 'date') {
    const date = day(form.date);
    if (!date) errors.date = t('schedule.errors.date');
    if (!form.videoId) errors.videoId = t('schedule.errors.video');
    if (!date || !form.videoId) return { ok: false, errors };
    return { ok: true, input: { id: arContentId, kind: 'date', date, yearly: form.yearly, videoId: form.videoId } };
  }
  if (form.kind === 'window') {
    const start = parseWall(form.start, timeZone);
    const end = parseWall(form.end, timeZone);
    if (!start) errors.start = t('schedule.errors.start');
    if (!end) errors.end = t('schedule.errors.end');
    else if (start && end <= start) errors.end = t('schedule.errors.endAfterStart');
    if (!form.videoId) errors.videoId = t('schedule.errors.video');
    if (Object.keys(errors).length || !start || !end || !form.videoId) return { ok: false, errors };
    return { ok: true, input: { id: arContentId, kind: 'window', start, end, videoId: form.videoId } };
  }
  const anchorDate = day(form.anchorDate);
  return {
    ok: true,
    input: {
      id: arContentId,
      kind: 'rotation',
      cycle: form.cycle,
      ...(form.videoIds.length ? { videoIds: [...new Set(form.videoIds)] } : {}),
      ...(anchorDate ? { anchorDate } : {}),
    },
  };
}

function parseWall(value: string | null, timeZone: string): Date | null {
  if (!value) return null;
  try {
    return fromWallTime(value, timeZone);
  } catch {
    return null;
  }
}

export interface RuleView {
  id: string;
  kind: string;
  videoId: string | null;
  date: string | null;
  yearly: boolean | null;
  start: Date | null;
  end: Date | null;
  cycle: string | null;
  videoIds: string[] | null;
  anchorDate: string | null;
}

/** One line a person can read in their language, e.g. “Every year on 24 December: Winter greeting”. */
export function describeRule(rule: RuleView, titleOf: (videoId: string) => string, timeZone: string): string {
  const title = rule.videoId ? titleOf(rule.videoId) : t('schedule.noVideo');
  const { locale } = formats();
  if (rule.kind === 'date' && rule.date) {
    const [y, m, d] = rule.date.split('-').map(Number) as [number, number, number];
    const at = new Date(Date.UTC(y, m - 1, d));
    return rule.yearly
      ? t('schedule.everyYear', {
          date: at.toLocaleDateString(locale, { timeZone: 'UTC', day: 'numeric', month: 'long' }),
          title,
        })
      : t('schedule.onDate', { date: at.toLocaleDateString(locale, { timeZone: 'UTC', dateStyle: 'medium' }), title });
  }
  if (rule.kind === 'window' && rule.start && rule.end) {
    const f = (d: Date) => new Date(d).toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    return t('schedule.window', { from: f(rule.start), to: f(rule.end), title });
  }
  if (rule.kind === 'rotation') {
    const videos = rule.videoIds?.length ? rule.videoIds.map(titleOf).join(', ') : t('schedule.allVideos');
    const cycle = t(`schedule.cycle.${rule.cycle ?? ''}`, { defaultValue: rule.cycle ?? '' });
    return rule.anchorDate
      ? t('schedule.rotationFirst', { cycle, videos, date: formats().date(`${rule.anchorDate}T00:00:00Z`, 'UTC') })
      : t('schedule.rotation', { cycle, videos });
  }
  return t('schedule.other', { kind: rule.kind, title });
}

export interface PreviewSegment {
  from: Date;
  to: Date;
  videoId: string | null;
  rule: string;
  ruleId: string | null;
}

export interface CalendarEntry {
  videoId: string | null;
  rule: string;
  ruleId: string | null;
}

export interface CalendarDay {
  /** `YYYY-MM-DD` in the company's time zone. */
  key: string;
  day: number;
  inMonth: boolean;
  today: boolean;
  /** What plays that day, in order; more than one when a window or rule edge falls within the day. */
  entries: CalendarEntry[];
}

/** The days shown for a month: whole weeks from Monday, covering the month. */
export function monthGridKeys(year: number, month: number): string[] {
  const first = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
  const start = addDaysToKey(first, -isoWeekdayIndex(first));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = addDaysToKey(first, daysInMonth - 1);
  const end = addDaysToKey(last, 6 - isoWeekdayIndex(last));
  const keys: string[] = [];
  for (let k = start; k <= end; k = addDaysToKey(k, 1)) keys.push(k);
  return keys;
}

/** The `playlist.preview` range for a month's grid: from the first shown day's start to the end of the last. */
export function previewRange(year: number, month: number, timeZone: string): { from: Date; to: Date } {
  const keys = monthGridKeys(year, month);
  return { from: fromWallTime(keys[0]!, timeZone), to: fromWallTime(addDaysToKey(keys.at(-1)!, 1), timeZone) };
}

/** Weeks of days, each day with the videos the segments put on it. */
export function buildCalendar(
  year: number,
  month: number,
  segments: readonly PreviewSegment[],
  timeZone: string,
  now = new Date(),
): CalendarDay[][] {
  const monthPrefix = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-`;
  const todayKey = localDateKey(now, timeZone);
  // Each segment covers the local days from its start to the instant before its end.
  const spans = segments
    .filter((s) => new Date(s.to).getTime() > new Date(s.from).getTime())
    .map((s) => ({
      s,
      first: localDateKey(s.from, timeZone),
      last: localDateKey(new Date(s.to).getTime() - 1, timeZone),
    }));
  const days = monthGridKeys(year, month).map((key): CalendarDay => {
    const entries: CalendarEntry[] = [];
    for (const { s, first, last } of spans) {
      if (first > key || last < key) continue;
      if (!entries.some((e) => e.videoId === s.videoId && e.rule === s.rule && e.ruleId === s.ruleId)) {
        entries.push({ videoId: s.videoId, rule: s.rule, ruleId: s.ruleId });
      }
    }
    return { key, day: Number(key.slice(8)), inMonth: key.startsWith(monthPrefix), today: key === todayKey, entries };
  });
  const weeks: CalendarDay[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  return weeks;
}

export function shiftMonth(
  { year, month }: { year: number; month: number },
  by: number,
): { year: number; month: number } {
  const index = year * 12 + (month - 1) + by;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}
