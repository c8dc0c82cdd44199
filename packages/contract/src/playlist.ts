// Which playlist video an AR content item shows at a given instant, and until when: pure, time-zone aware.
import {
  addDays,
  dayNumber,
  formatLocalDate,
  isLeapYear,
  localDateOf,
  nextLocalMidnight,
  parseLocalDate,
  startOfLocalDay,
  type LocalDate,
} from './time-zone.ts';

export const PLAYLIST_RULE_KINDS = ['date', 'window', 'rotation'] as const;
export type PlaylistRuleKind = (typeof PLAYLIST_RULE_KINDS)[number];
export const ROTATION_CYCLES = ['daily', 'weekly', 'random-daily'] as const;
export type RotationCycle = (typeof ROTATION_CYCLES)[number];

export interface ScheduledContent {
  /** Seeds the random-daily rotation, so two items with the same playlist need not show the same video. */
  id: string;
  /** IANA zone of the company (e.g. Europe/Berlin); date rules and rotations follow its calendar days. */
  timeZone: string;
  defaultVideoId: string | null;
}

export interface PlaylistItem {
  videoId: string;
  playable: boolean;
}

/** The whole local calendar day `date` (YYYY-MM-DD); with `yearly`, that month and day every year (29 Feb → 28 Feb in other years). */
export interface DateRule {
  id: string;
  kind: 'date';
  date: string;
  yearly?: boolean;
  videoId: string;
}

/** From `start` (inclusive) to `end` (exclusive). */
export interface WindowRule {
  id: string;
  kind: 'window';
  start: Date;
  end: Date;
  videoId: string;
}

/**
 * Cycles through `videoIds` (default: the playlist, in order): one per local day (`daily`), one per week
 * starting Monday (`weekly`), or a pseudo-random pick per local day that is the same for every request (`random-daily`).
 * `anchorDate` (YYYY-MM-DD) is a day on which the first video plays; by default Monday 1970-01-05.
 */
export interface RotationRule {
  id: string;
  kind: 'rotation';
  cycle: RotationCycle;
  videoIds?: string[];
  anchorDate?: string;
}

export type PlaylistRule = DateRule | WindowRule | RotationRule;

export interface Playlist {
  /** In playlist order. */
  items: PlaylistItem[];
  /** Within one kind, the first rule that yields a playable video wins. */
  rules: PlaylistRule[];
}

export type SelectionRule = 'date' | 'window' | 'rotation' | 'default' | 'none';

export interface VideoSelection {
  videoId: string | null;
  rule: SelectionRule;
  ruleId?: string;
  /** The instant the selection next changes; null when nothing in the playlist will change it. */
  validUntil: Date | null;
}

export interface ScheduleSegment {
  from: Date;
  to: Date;
  videoId: string | null;
  rule: SelectionRule;
  ruleId?: string;
}

const DAY_MS = 86_400_000;
/** How far ahead rotations are followed when looking for the next change. */
const ROTATION_HORIZON_MS = 400 * DAY_MS;
const MAX_PREVIEW_SEGMENTS = 5_000;
/** Monday 1970-01-05, so weekly rotations turn over on Mondays by default. */
const DEFAULT_ANCHOR: LocalDate = { year: 1970, month: 1, day: 5 };

type Choice = Omit<VideoSelection, 'validUntil'>;

/**
 * Precedence: a date rule for today, then a window containing `now`, then a rotation, then the default video
 * (or, if it cannot play, the first playable playlist item). A rule whose video cannot play is skipped.
 */
export function selectActiveVideo(content: ScheduledContent, playlist: Playlist, now: Date): VideoSelection {
  const at = now.getTime();
  const choice = choose(content, playlist, at);
  const next = nextChange(content, playlist, at, choice);
  return { ...choice, validUntil: next === null ? null : new Date(next) };
}

/** Which video plays when between `from` and `to`, as consecutive segments, for a calendar view. */
export function previewSchedule(
  content: ScheduledContent,
  playlist: Playlist,
  from: Date,
  to: Date,
): ScheduleSegment[] {
  const segments: ScheduleSegment[] = [];
  const end = to.getTime();
  let at = from.getTime();
  while (at < end) {
    if (segments.length === MAX_PREVIEW_SEGMENTS) {
      throw new RangeError(
        `The schedule from ${from.toISOString()} to ${to.toISOString()} has more than ${MAX_PREVIEW_SEGMENTS} changes`,
      );
    }
    const { validUntil, ...choice } = selectActiveVideo(content, playlist, new Date(at));
    const until = Math.min(validUntil?.getTime() ?? end, end);
    segments.push({ from: new Date(at), to: new Date(until), ...choice });
    at = until;
  }
  return segments;
}

function choose(content: ScheduledContent, playlist: Playlist, at: number): Choice {
  const playable = new Set(playlist.items.filter((item) => item.playable).map((item) => item.videoId));
  const today = localDateOf(at, content.timeZone);

  for (const rule of playlist.rules) {
    if (rule.kind === 'date' && playable.has(rule.videoId) && dateRuleMatches(rule, today)) {
      return { videoId: rule.videoId, rule: 'date', ruleId: rule.id };
    }
  }
  for (const rule of playlist.rules) {
    if (rule.kind === 'window' && playable.has(rule.videoId) && rule.start.getTime() <= at && at < rule.end.getTime()) {
      return { videoId: rule.videoId, rule: 'window', ruleId: rule.id };
    }
  }
  for (const rule of playlist.rules) {
    if (rule.kind !== 'rotation') continue;
    const videoId = rotationPick(content, playlist, rule, today, playable);
    if (videoId !== null) return { videoId, rule: 'rotation', ruleId: rule.id };
  }
  if (content.defaultVideoId !== null && playable.has(content.defaultVideoId)) {
    return { videoId: content.defaultVideoId, rule: 'default' };
  }
  const fallback = playlist.items.find((item) => item.playable);
  return fallback ? { videoId: fallback.videoId, rule: 'default' } : { videoId: null, rule: 'none' };
}

function dateRuleMatches(rule: DateRule, today: LocalDate): boolean {
  const date = parseLocalDate(rule.date);
  if (!rule.yearly) return date.year === today.year && date.month === today.month && date.day === today.day;
  return date.month === today.month && yearlyDay(date, today.year) === today.day;
}

function yearlyDay(date: LocalDate, year: number): number {
  return date.month === 2 && date.day === 29 && !isLeapYear(year) ? 28 : date.day;
}

function rotationPick(
  content: ScheduledContent,
  playlist: Playlist,
  rule: RotationRule,
  today: LocalDate,
  playable: Set<string>,
): string | null {
  const cycle = rule.videoIds ?? playlist.items.map((item) => item.videoId);
  if (cycle.length === 0) return null;
  const anchor = rule.anchorDate === undefined ? DEFAULT_ANCHOR : parseLocalDate(rule.anchorDate);
  const days = dayNumber(today) - dayNumber(anchor);
  const start =
    rule.cycle === 'daily'
      ? days
      : rule.cycle === 'weekly'
        ? Math.floor((days + mondayIndex(anchor)) / 7)
        : fnv1a(`${content.id}:${formatLocalDate(today)}`);
  // Unplayable videos pass their turn to the next one, so the rest of the cycle keeps its days.
  for (let step = 0; step < cycle.length; step++) {
    const videoId = cycle[mod(start + step, cycle.length)]!;
    if (playable.has(videoId)) return videoId;
  }
  return null;
}

/** Days since the Monday on or before `date`. */
function mondayIndex(date: LocalDate): number {
  return mod(dayNumber(date) - dayNumber(DEFAULT_ANCHOR), 7);
}

/**
 * The selection only changes at a window's start or end, at the edges of a date rule's day, or, for a
 * rotation that has two or more playable videos, at local midnight; each candidate instant is checked in order.
 */
function nextChange(content: ScheduledContent, playlist: Playlist, at: number, current: Choice): number | null {
  const edges = ruleEdges(content, playlist, at);
  const horizon = at + ROTATION_HORIZON_MS;
  let midnight = rotationVaries(playlist) ? nextLocalMidnight(at, content.timeZone) : Infinity;
  let edgeIndex = 0;
  for (;;) {
    const edge = edges[edgeIndex] ?? Infinity;
    const candidate = Math.min(edge, midnight);
    if (candidate === Infinity) return null;
    if (candidate === edge) edgeIndex++;
    if (candidate === midnight) {
      const following = nextLocalMidnight(midnight, content.timeZone);
      midnight = following > horizon ? Infinity : following;
    }
    const next = choose(content, playlist, candidate);
    if (next.videoId !== current.videoId || next.rule !== current.rule || next.ruleId !== current.ruleId)
      return candidate;
  }
}

function ruleEdges(content: ScheduledContent, playlist: Playlist, at: number): number[] {
  const edges = new Set<number>();
  const year = localDateOf(at, content.timeZone).year;
  const addDay = (date: LocalDate) => {
    edges.add(startOfLocalDay(date, content.timeZone));
    edges.add(startOfLocalDay(addDays(date, 1), content.timeZone));
  };
  for (const rule of playlist.rules) {
    if (rule.kind === 'window') {
      edges.add(rule.start.getTime());
      edges.add(rule.end.getTime());
    } else if (rule.kind === 'date') {
      const date = parseLocalDate(rule.date);
      if (!rule.yearly) addDay(date);
      // This year's and next year's occurrences: if neither changes anything, no later one will.
      else for (const y of [year, year + 1]) addDay({ year: y, month: date.month, day: yearlyDay(date, y) });
    }
  }
  return [...edges].filter((edge) => edge > at).sort((a, b) => a - b);
}

function rotationVaries(playlist: Playlist): boolean {
  const playable = new Set(playlist.items.filter((item) => item.playable).map((item) => item.videoId));
  return playlist.rules.some((rule) => {
    if (rule.kind !== 'rotation') return false;
    const cycle = rule.videoIds ?? playlist.items.map((item) => item.videoId);
    return new Set(cycle.filter((videoId) => playable.has(videoId))).size > 1;
  });
}

/** 32-bit FNV-1a: tiny, stable across platforms, and enough to spread days over a playlist. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
