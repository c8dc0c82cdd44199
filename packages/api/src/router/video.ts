import {
  chromaKeySchema,
  UPLOAD_MAX_PARTS,
  UPLOAD_SIGN_BATCH,
  VIDEO_STATUSES,
  videoContentTypeSchema,
} from '@arvlite/contract';
import { z } from 'zod';
import * as processing from '../services/video-processing.service.ts';
import * as videos from '../services/video.service.ts';
import { rest } from '../rest/meta.ts';
import * as out from '../rest/schemas.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { fileName, id, pageInput, title } from '../validators.ts';

const partNumber = z.number().int().min(1).max(UPLOAD_MAX_PARTS);

export const videoRouter = router({
  createUpload: tenantProcedure('editor')
    .meta(rest('POST', '/videos', out.createUploadSchema, { summary: 'Start a video upload', tags: ['Uploads'] }))
    .input(
      z.strictObject({
        projectId: id,
        fileName,
        contentType: videoContentTypeSchema,
        size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
        title: title.optional(),
      }),
    )
    .mutation(({ ctx, input }) => videos.createUpload(ctx, input)),

  signUploadParts: tenantProcedure('editor')
    .meta(
      rest('POST', '/videos/{videoId}/parts', out.signedPartsSchema, {
        summary: 'Sign multipart upload URLs',
        tags: ['Uploads'],
      }),
    )
    .input(z.strictObject({ videoId: id, partNumbers: z.array(partNumber).min(1).max(UPLOAD_SIGN_BATCH) }))
    .mutation(({ ctx, input }) => videos.signUploadParts(ctx, input)),

  /** A fresh URL for a single-request upload whose URL expired before the file was sent. */
  signUpload: tenantProcedure('editor')
    .meta(
      rest('POST', '/videos/{videoId}/upload-url', out.signedUploadSchema, {
        summary: 'A fresh single upload URL',
        tags: ['Uploads'],
      }),
    )
    .input(z.strictObject({ videoId: id }))
    .mutation(({ ctx, input }) => videos.signUpload(ctx, input)),

  listUploadedParts: tenantProcedure('editor')
    .meta(
      rest('GET', '/videos/{videoId}/parts', out.uploadedPartsSchema, {
        summary: 'Parts storage holds',
        tags: ['Uploads'],
      }),
    )
    .input(z.strictObject({ videoId: id }))
    .query(({ ctx, input }) => videos.listUploadedParts(ctx, input)),

  completeUpload: tenantProcedure('editor')
    .meta(
      rest('POST', '/videos/{videoId}/complete', out.videoSchema, { summary: 'Complete an upload', tags: ['Uploads'] }),
    )
    .input(
      z.strictObject({
        videoId: id,
        /** The ETag the single PUT answered: completion refuses another object. */
        etag: z.string().min(1).max(128).optional(),
        parts: z
          .array(z.strictObject({ partNumber, etag: z.string().min(1).max(128) }))
          .max(UPLOAD_MAX_PARTS)
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => videos.completeUpload(ctx, input)),

  abortUpload: tenantProcedure('editor')
    .meta(rest('POST', '/videos/{videoId}/abort', out.videoSchema, { summary: 'Abort an upload', tags: ['Uploads'] }))
    .input(z.strictObject({ videoId: id }))
    .mutation(({ ctx, input }) => videos.abortUpload(ctx, input)),

  list: tenantProcedure('viewer')
    .meta(rest('GET', '/videos', out.videoPageSchema, { summary: "List a project's videos", tags: ['Videos'] }))
    .input(z.strictObject({ projectId: id, ...pageInput, status: z.enum(VIDEO_STATUSES).optional() }))
    .query(({ ctx, input }) => videos.listVideos(ctx, input)),

  /** The video with every step's status and progress, media metadata, analysis, renditions and playback URLs. */
  byId: tenantProcedure('viewer')
    .meta(rest('GET', '/videos/{id}', out.videoDetailSchema, { summary: 'Get a video', tags: ['Videos'] }))
    .input(z.strictObject({ id }))
    .query(({ ctx, input }) => processing.videoDetail(ctx, input.id)),

  /** Live status over SSE: every state and progress change until READY or FAILED. */
  onStatus: tenantProcedure('viewer')
    .input(z.strictObject({ id }))
    .subscription(async ({ ctx, input, signal }) => {
      // Checked before streaming starts: an error inside the stream would reach clients as INTERNAL_SERVER_ERROR.
      await ctx.access.video(input.id);
      return processing.watchStatus(ctx, input.id, signal);
    }),

  retry: tenantProcedure('editor')
    .meta(rest('POST', '/videos/{id}/retry', out.retrySchema, { summary: 'Retry a failed video', tags: ['Videos'] }))
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => processing.retryVideo(ctx, input.id)),

  reprocess: tenantProcedure('editor')
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => processing.reprocessVideo(ctx, input.id)),

  update: tenantProcedure('editor')
    .input(
      z.strictObject({
        id,
        title: title.optional(),
        description: z.string().trim().max(5000).nullable().optional(),
        /** The colour viewers key out (a green screen), or null for none. */
        chromaKey: chromaKeySchema.nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => videos.updateVideo(ctx, input)),

  /** Destructive actions (delete, archive) are for admins, for every kind of content alike. */
  delete: tenantProcedure('admin')
    .meta(rest('DELETE', '/videos/{id}', out.okSchema, { summary: 'Delete a video', tags: ['Videos'] }))
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => videos.deleteVideo(ctx, input)),
});
