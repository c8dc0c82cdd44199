import { ROTATION_CYCLES } from '@arvlite/db';
import { z } from 'zod';
import * as playlists from '../services/playlist.service.ts';
import { rest } from '../rest/meta.ts';
import * as out from '../rest/schemas.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { id, instant, localDate } from '../validators.ts';

const MAX_PREVIEW_MS = 400 * 86_400_000;
const videoIds = z
  .array(id)
  .max(playlists.MAX_PLAYLIST_VIDEOS)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat a video' });

/** One object per rule kind; checked in this order when choosing: date, window, rotation, then the default video. */
const rule = z.discriminatedUnion('kind', [
  z.strictObject({ id, kind: z.literal('date'), date: localDate, yearly: z.boolean().optional(), videoId: id }),
  z
    .strictObject({ id, kind: z.literal('window'), start: instant, end: instant, videoId: id })
    .refine((r) => r.end > r.start, { message: 'end must be after start', path: ['end'] }),
  z.strictObject({
    id,
    kind: z.literal('rotation'),
    cycle: z.enum(ROTATION_CYCLES),
    videoIds: videoIds.optional(),
    anchorDate: localDate.optional(),
  }),
]);

export const playlistRouter = router({
  /** The ordered videos, the rules, the timezone they follow, and what plays right now. */
  get: tenantProcedure('viewer')
    .meta(
      rest('GET', '/ar-content/{id}/playlist', out.playlistSchema, {
        summary: 'Get the playlist',
        tags: ['Playlists'],
      }),
    )
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => playlists.getPlaylist(ctx, input)),

  /** Replaces the ordered videos (all from the item's project); only playable ones are chosen when it is viewed. */
  set: tenantProcedure('editor')
    .meta(
      rest('PUT', '/ar-content/{id}/playlist', out.playlistSchema, {
        summary: 'Set the playlist',
        tags: ['Playlists'],
      }),
    )
    .input(z.strictObject({ id, videoIds, defaultVideoId: id.nullable().optional() }))
    .mutation(({ ctx, input }) => playlists.setPlaylist(ctx, input)),

  addRule: tenantProcedure('editor')
    .input(rule)
    .mutation(({ ctx, input }) => playlists.addRule(ctx, input)),

  removeRule: tenantProcedure('editor')
    .input(z.strictObject({ id, ruleId: id }))
    .mutation(({ ctx, input }) => playlists.removeRule(ctx, input)),

  /** Which video plays when between `from` and `to` (at most 400 days), for a calendar view. */
  preview: tenantProcedure('viewer')
    .input(
      z
        .strictObject({ id, from: instant, to: instant })
        .refine((r) => r.to >= r.from, { message: 'to must not be before from', path: ['to'] })
        .refine((r) => r.to.getTime() - r.from.getTime() <= MAX_PREVIEW_MS, {
          message: 'preview at most 400 days at once',
          path: ['to'],
        }),
    )
    .query(({ ctx, input }) => playlists.previewPlaylist(ctx, input)),
});
