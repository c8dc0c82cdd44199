import { PLAYLIST_RULE_KINDS, ROTATION_CYCLES } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { ArContentSchema } from './ar-content.entity.ts';
import { VideoSchema } from './video.entity.ts';

/** One video of an AR content item's playlist, in order; videos come from the content's own project. */
export const ArPlaylistItemSchema = defineEntity({
  name: 'ArPlaylistItem',
  tableName: 'ar_playlist_item',
  uniques: [{ properties: ['arContent', 'video'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    arContent: () => p.manyToOne(ArContentSchema).deleteRule('cascade'),
    video: () => p.manyToOne(VideoSchema).deleteRule('cascade'),
    position: p.integer(),
  },
});
export class ArPlaylistItem extends ArPlaylistItemSchema.class {}
ArPlaylistItemSchema.setClass(ArPlaylistItem);

/**
 * A rule choosing the active video: a (yearly) date, a window of time, or a rotation. Columns are per kind:
 * date → date, yearly, video; window → startsAt, endsAt, video; rotation → cycle, videoIds?, anchorDate?.
 */
export const ArPlaylistRuleSchema = defineEntity({
  name: 'ArPlaylistRule',
  tableName: 'ar_playlist_rule',
  indexes: [{ properties: ['arContent', 'position'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    arContent: () => p.manyToOne(ArContentSchema).deleteRule('cascade'),
    kind: p.enum(PLAYLIST_RULE_KINDS),
    video: () => p.manyToOne(VideoSchema).nullable().deleteRule('cascade'),
    /** YYYY-MM-DD in the company's timezone. */
    date: p.string().length(10).nullable(),
    yearly: p.boolean().default(false),
    startsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    cycle: p.enum(ROTATION_CYCLES).nullable(),
    /** Videos to rotate through, in order (default: the whole playlist). */
    videoIds: p.json<string[]>().nullable(),
    /** YYYY-MM-DD on which the first video of the rotation plays. */
    anchorDate: p.string().length(10).nullable(),
    position: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class ArPlaylistRule extends ArPlaylistRuleSchema.class {}
ArPlaylistRuleSchema.setClass(ArPlaylistRule);
