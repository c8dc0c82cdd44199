// An AR content item's playlist (ordered videos of its project) and the rules that choose the active video, in the company's timezone.
import {
  ArPlaylistItem,
  ArPlaylistRule,
  Video,
  type ArContent,
  type Company,
  type EntityManager,
  type RotationCycle,
} from '@arvlite/db';
import {
  isValidTimeZone,
  previewSchedule,
  selectActiveVideo,
  type Playlist,
  type PlaylistRule,
  type ScheduledContent,
} from '@arvlite/contract';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { lockContent } from './ar-content.service.ts';

type Ctx = Pick<Context, 'em' | 'requestId' | 'ip' | 'userAgent' | 'log'> & {
  access: Access;
  caller: Caller;
};

export const MAX_PLAYLIST_VIDEOS = 50;
export const MAX_RULES = 100;
const MAX_WINDOW_MS = 10 * 366 * 86_400_000;

// What scheduling reads, so that entities and the viewer's plain records (ScanContent, …) both fit.
type ScheduleVideo = Pick<Video, 'id' | 'deletedAt' | 'status' | 'playableAt' | 'outputs'>;
type ScheduleContent = { id: string; company: Pick<Company, 'timezone'>; defaultVideo?: { id: string } | null };
type ScheduleRule = Pick<
  ArPlaylistRule,
  'id' | 'kind' | 'date' | 'yearly' | 'startsAt' | 'endsAt' | 'cycle' | 'videoIds' | 'anchorDate'
> & {
  video?: { id: string } | null;
};

/** A video can play when its playable outputs exist and it is neither deleted nor failed. */
export function isPlayable(v: ScheduleVideo): boolean {
  return !v.deletedAt && v.status !== 'FAILED' && !!v.playableAt && !!v.outputs?.master;
}

export function timeZoneOf(content: Pick<ScheduleContent, 'company'>): string {
  const tz = content.company.timezone;
  return tz && isValidTimeZone(tz) ? tz : 'UTC';
}

function toRule(r: ScheduleRule): PlaylistRule {
  if (r.kind === 'date') return { id: r.id, kind: 'date', date: r.date!, yearly: r.yearly, videoId: r.video!.id };
  if (r.kind === 'window')
    return { id: r.id, kind: 'window', start: r.startsAt!, end: r.endsAt!, videoId: r.video!.id };
  return {
    id: r.id,
    kind: 'rotation',
    cycle: r.cycle!,
    ...(r.videoIds ? { videoIds: r.videoIds } : {}),
    ...(r.anchorDate ? { anchorDate: r.anchorDate } : {}),
  };
}

/** Everything selectActiveVideo needs, with each video's playability as of now. `content.company` must be loaded. */
export async function loadSchedule(em: EntityManager, content: ArContent) {
  const items = await em.find(
    ArPlaylistItem,
    { arContent: content.id },
    { populate: ['video'], orderBy: { position: 'asc' } },
  );
  const rules = await em.find(ArPlaylistRule, { arContent: content.id }, { orderBy: { position: 'asc' } });
  return scheduleOf(content, items, rules);
}

/** The same from items (videos loaded) and rules already in position order. */
export function scheduleOf<I extends { video: ScheduleVideo }, R extends ScheduleRule>(
  content: ScheduleContent,
  items: I[],
  rules: R[],
) {
  const videos = new Map(items.map((i): [string, I['video']] => [i.video.id, i.video]));
  const scheduled: ScheduledContent = {
    id: content.id,
    timeZone: timeZoneOf(content),
    defaultVideoId: content.defaultVideo?.id ?? null,
  };
  const playlist: Playlist = {
    items: items.map((i) => ({ videoId: i.video.id, playable: isPlayable(i.video) })),
    rules: rules.map(toRule),
  };
  return { scheduled, playlist, videos, items, rules };
}

function ruleView(r: ArPlaylistRule) {
  return {
    id: r.id,
    kind: r.kind,
    videoId: r.video?.id ?? null,
    date: r.date ?? null,
    yearly: r.kind === 'date' ? r.yearly : null,
    start: r.startsAt ?? null,
    end: r.endsAt ?? null,
    cycle: r.cycle ?? null,
    videoIds: r.videoIds ?? null,
    anchorDate: r.anchorDate ?? null,
    position: r.position,
  };
}

async function playlistView(em: EntityManager, content: ArContent) {
  const { scheduled, playlist, items, rules } = await loadSchedule(em, content);
  const current = selectActiveVideo(scheduled, playlist, new Date());
  return {
    arContentId: content.id,
    timezone: scheduled.timeZone,
    defaultVideoId: scheduled.defaultVideoId,
    items: items.map((i) => ({
      videoId: i.video.id,
      title: i.video.title,
      status: i.video.status,
      playable: isPlayable(i.video),
      position: i.position,
    })),
    rules: rules.map(ruleView),
    /** What the viewer gets right now. */
    current: {
      videoId: current.videoId,
      rule: current.rule,
      ruleId: current.ruleId ?? null,
      validUntil: current.validUntil,
    },
  };
}

/** Live videos of the item's project among `ids`; any other id (another project or company, deleted, unknown) is NOT_FOUND. */
async function projectVideos(em: EntityManager, content: ArContent, ids: string[]): Promise<Map<string, Video>> {
  const unique = [...new Set(ids)];
  const found = unique.length
    ? await em.find(Video, { id: { $in: unique }, project: content.project.id, deletedAt: null })
    : [];
  if (found.length !== unique.length) throw new NotFoundError('Video');
  return new Map(found.map((v) => [v.id, v]));
}

async function lockWritable(ctx: Ctx, tem: EntityManager, id: string) {
  const content = await lockContent(ctx, tem, id);
  if (content.status === 'ARCHIVED') throw new ConflictError('This AR content is archived');
  await tem.populate(content, ['company']);
  return content;
}

export async function getPlaylist(ctx: Ctx, input: { id: string }) {
  const { arContent } = await ctx.access.arContent(input.id);
  return playlistView(ctx.em, arContent);
}

/**
 * Replaces the ordered list of videos. `defaultVideoId` undefined keeps the current default (if still listed), null clears it.
 * Removing a video that a rule uses is refused; remove the rule first.
 */
export async function setPlaylist(ctx: Ctx, input: { id: string; videoIds: string[]; defaultVideoId?: string | null }) {
  return ctx.em.transactional(async (tem) => {
    const content = await lockWritable(ctx, tem, input.id);
    const ids = [...input.videoIds, ...(input.defaultVideoId ? [input.defaultVideoId] : [])];
    await projectVideos(tem, content, ids);
    if (input.defaultVideoId && !input.videoIds.includes(input.defaultVideoId)) {
      throw new ValidationError('The default video must be in the playlist', { reason: 'DEFAULT_NOT_IN_PLAYLIST' });
    }
    const listed = new Set(input.videoIds);
    const rules = await tem.find(ArPlaylistRule, { arContent: content.id });
    const orphaned = rules.filter(
      (r) => (r.video && !listed.has(r.video.id)) || (r.videoIds ?? []).some((v) => !listed.has(v)),
    );
    if (orphaned.length > 0) {
      throw new ConflictError('Rules use videos this playlist no longer has; remove those rules first', {
        ruleIds: orphaned.map((r) => r.id),
      });
    }
    const before = (await tem.find(ArPlaylistItem, { arContent: content.id }, { orderBy: { position: 'asc' } })).map(
      (i) => i.video.id,
    );
    await tem.nativeDelete(ArPlaylistItem, { arContent: content.id });
    input.videoIds.forEach((videoId, position) =>
      tem.create(ArPlaylistItem, { arContent: content, video: videoId, position }),
    );
    const previousDefault = content.defaultVideo?.id ?? null;
    const nextDefault =
      input.defaultVideoId === undefined
        ? previousDefault && listed.has(previousDefault)
          ? previousDefault
          : null
        : input.defaultVideoId;
    content.defaultVideo = nextDefault ? tem.getReference(Video, nextDefault) : null;
    content.version += 1;
    audit(tem, actor(ctx), {
      companyId: content.company.id,
      action: 'playlist.set',
      targetType: 'ar-content',
      targetId: content.id,
      changes: {
        videoIds: { from: before, to: input.videoIds },
        defaultVideoId: { from: previousDefault, to: nextDefault },
      },
    });
    await tem.flush();
    return playlistView(tem, content);
  });
}

export type RuleInput =
  | { id: string; kind: 'date'; date: string; yearly?: boolean; videoId: string }
  | { id: string; kind: 'window'; start: Date; end: Date; videoId: string }
  | { id: string; kind: 'rotation'; cycle: RotationCycle; videoIds?: string[]; anchorDate?: string };

export async function addRule(ctx: Ctx, input: RuleInput) {
  return ctx.em.transactional(async (tem) => {
    const content = await lockWritable(ctx, tem, input.id);
    const used = input.kind === 'rotation' ? (input.videoIds ?? []) : [input.videoId];
    await projectVideos(tem, content, used);
    const items = await tem.find(ArPlaylistItem, { arContent: content.id });
    const listed = new Set(items.map((i) => i.video.id));
    const missing = used.filter((v) => !listed.has(v));
    if (missing.length > 0)
      throw new ValidationError('Add the video to the playlist first', {
        reason: 'VIDEO_NOT_IN_PLAYLIST',
        videoIds: missing,
      });
    if (input.kind === 'window' && input.end.getTime() - input.start.getTime() > MAX_WINDOW_MS) {
      throw new ValidationError('A schedule window may span at most 10 years');
    }
    const rules = await tem.find(ArPlaylistRule, { arContent: content.id });
    if (rules.length >= MAX_RULES) throw new ConflictError(`An AR content item has at most ${MAX_RULES} rules`);
    const position = rules.reduce((n, r) => Math.max(n, r.position + 1), 0);
    const rule = tem.create(ArPlaylistRule, {
      arContent: content,
      kind: input.kind,
      position,
      ...(input.kind === 'date' ? { date: input.date, yearly: input.yearly ?? false, video: input.videoId } : {}),
      ...(input.kind === 'window' ? { startsAt: input.start, endsAt: input.end, video: input.videoId } : {}),
      ...(input.kind === 'rotation'
        ? { cycle: input.cycle, videoIds: input.videoIds ?? null, anchorDate: input.anchorDate ?? null }
        : {}),
    } as ArPlaylistRule);
    content.version += 1;
    audit(tem, actor(ctx), {
      companyId: content.company.id,
      action: 'playlist.add-rule',
      targetType: 'ar-content',
      targetId: content.id,
      changes: { rule: { from: null, to: ruleView(rule) } },
    });
    await tem.flush();
    return { ruleId: rule.id, playlist: await playlistView(tem, content) };
  });
}

export async function removeRule(ctx: Ctx, input: { id: string; ruleId: string }) {
  return ctx.em.transactional(async (tem) => {
    const content = await lockWritable(ctx, tem, input.id);
    const rule = await tem.findOne(ArPlaylistRule, { id: input.ruleId, arContent: content.id });
    if (!rule) throw new NotFoundError('Playlist rule');
    tem.remove(rule);
    content.version += 1;
    audit(tem, actor(ctx), {
      companyId: content.company.id,
      action: 'playlist.remove-rule',
      targetType: 'ar-content',
      targetId: content.id,
      changes: { rule: { from: ruleView(rule), to: null } },
    });
    await tem.flush();
    return playlistView(tem, content);
  });
}

/** Which video plays when between `from` and `to`, for a calendar view, with today's playability of each video. */
export async function previewPlaylist(ctx: Ctx, input: { id: string; from: Date; to: Date }) {
  const { arContent } = await ctx.access.arContent(input.id);
  const { scheduled, playlist, videos } = await loadSchedule(ctx.em, arContent);
  let segments;
  try {
    segments = previewSchedule(scheduled, playlist, input.from, input.to);
  } catch (e) {
    if (e instanceof RangeError)
      throw new ValidationError('The schedule changes too often in this range; preview a shorter one');
    throw e;
  }
  return {
    timezone: scheduled.timeZone,
    segments: segments.map((s) => ({
      from: s.from,
      to: s.to,
      videoId: s.videoId,
      rule: s.rule,
      ruleId: s.ruleId ?? null,
    })),
    videos: [...videos.values()].map((v) => ({ id: v.id, title: v.title, playable: isPlayable(v) })),
  };
}
